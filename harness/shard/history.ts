/**
 * A published history: one results file per run (named by its start time and commit) and an index
 * listing them in order. Appending and reading the index, and the points `report --history` draws
 * (each case's median per run with a bootstrap interval), are pure; publish/ does the I/O.
 */
import { UserError } from "../core/errors.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";
import { medianCI } from "../stats/bootstrap.ts";

export const HISTORY_KIND = "layoutbench-history";
export const HISTORY_VERSION = 1;
export const INDEX_FILE = "index.json";
export const RUNS_DIR = "runs";

export interface HistoryEntry {
  /** Path of the run's results file inside the history, e.g. runs/20261207T152541Z-76af9c4a24b5.json. */
  readonly file: string;
  readonly commit: string | null;
  /** When the run started (ISO 8601). */
  readonly startedAt: string;
  readonly publishedAt: string;
  readonly planId: string | null;
  readonly scenarios: readonly string[];
  readonly cases: number;
  /** Fingerprint ids of the machines that took its samples (empty for runs without one). */
  readonly machines: readonly string[];
}

export interface HistoryIndex {
  readonly kind: typeof HISTORY_KIND;
  readonly version: number;
  readonly runs: readonly HistoryEntry[];
}

export function emptyIndex(): HistoryIndex {
  return { kind: HISTORY_KIND, version: HISTORY_VERSION, runs: [] };
}

/** Checks a parsed index; `where` names it in messages. */
export function parseIndex(data: unknown, where: string): HistoryIndex {
  const index = data as Partial<HistoryIndex> | null;
  if (!index || typeof index !== "object" || index.kind !== HISTORY_KIND) {
    throw new UserError(`${where}: not a layoutbench history index (expected "kind": "${HISTORY_KIND}")`);
  }
  if (index.version !== HISTORY_VERSION) {
    throw new UserError(`${where}: history index version ${JSON.stringify(index.version)}; this layoutbench reads version ${HISTORY_VERSION}`);
  }
  if (!Array.isArray(index.runs)) throw new UserError(`${where}: history index has no "runs" list`);
  return index as HistoryIndex;
}

/** `runs/<start time>-<commit, 12 digits>.json`, with `-2`, `-3`… when that name is taken. */
export function runFileName(startedAt: string, commit: string | null, taken: ReadonlySet<string>): string {
  const time = startedAt.replace(/[-:]/g, "").replace(/\.\d+/, "");
  const base = `${RUNS_DIR}/${time}-${commit ? commit.slice(0, 12) : "nocommit"}`;
  let name = `${base}.json`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.json`;
  return name;
}

/** The index with `results` appended (ordered by start time); refuses a run already published. */
export function appendRun(index: HistoryIndex, results: ResultsFile, commit: string | null, publishedAt: string): { index: HistoryIndex; entry: HistoryEntry } {
  const planId = results.plan?.id ?? null;
  const same = index.runs.find((r) => r.startedAt === results.startedAt && r.commit === commit && r.planId === planId);
  if (same)
    throw new UserError(`layoutbench publish: this run (started ${results.startedAt}, commit ${commit ?? "unknown"}) is already published as ${same.file}`);
  const machines = results.machines?.map((m) => m.fingerprint.id) ?? (results.machine ? [results.machine.id] : []);
  const entry: HistoryEntry = {
    file: runFileName(results.startedAt, commit, new Set(index.runs.map((r) => r.file))),
    commit,
    startedAt: results.startedAt,
    publishedAt,
    planId,
    scenarios: results.scenarios.map((s) => s.name),
    cases: results.cases.length,
    machines,
  };
  const runs = [...index.runs, entry].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return { index: { ...index, runs }, entry };
}

/** One case's median in one run, with the interval drawn around it. */
export interface HistoryPoint {
  readonly scenario: string;
  readonly pattern: string;
  readonly cache: string;
  /** The line: layout, with `@engine` for engines other than layoutbench's own. */
  readonly layout: string;
  /** Position of the run in the history (0-based) and its label on the axis. */
  readonly run: number;
  readonly runLabel: string;
  readonly commit: string | null;
  readonly medianMs: number;
  readonly lowMs: number;
  readonly highMs: number;
  readonly machine: string | null;
}

/** The confidence of the drawn intervals. */
export const HISTORY_CONFIDENCE = 0.95;

/** Every ok case of every run as a point; runs are given in index order with their results. */
export function historyPoints(runs: readonly { entry: HistoryEntry; results: ResultsFile }[]): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  runs.forEach(({ entry, results }, run) => {
    const runLabel = `${entry.startedAt.slice(0, 16).replace("T", " ")} ${entry.commit ? entry.commit.slice(0, 7) : "?"}`;
    for (const c of results.cases) {
      if (c.status !== "ok" || c.samples.length === 0) continue;
      const ms = c.samples.map((s) => s.ms);
      const ci = ms.length >= 2 ? medianCI(ms, { confidence: HISTORY_CONFIDENCE }) : { estimate: ms[0], low: ms[0], high: ms[0] };
      const engine = engineOf(c);
      points.push({
        scenario: c.scenario,
        pattern: c.pattern.name,
        cache: c.cache,
        layout: engine === "layoutbench" ? c.layout.name : `${c.layout.name}@${engine}`,
        run,
        runLabel,
        commit: entry.commit,
        medianMs: ci.estimate,
        lowMs: ci.low,
        highMs: ci.high,
        machine: c.machine ?? results.machine?.id ?? null,
      });
    }
  });
  return points;
}

/** Points grouped by chart: one per scenario and pattern (cache states are its panels), in first-seen order. */
export function historyCharts(points: readonly HistoryPoint[]): { key: string; points: HistoryPoint[] }[] {
  const charts = new Map<string, HistoryPoint[]>();
  for (const p of points) {
    const key = `${p.scenario}/${p.pattern}`;
    if (!charts.has(key)) charts.set(key, []);
    charts.get(key)!.push(p);
  }
  return [...charts.entries()].map(([key, pts]) => ({ key, points: pts }));
}
