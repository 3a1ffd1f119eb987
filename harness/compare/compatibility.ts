/**
 * Can two runs be compared? Lists what differs between a baseline and a current results file.
 * Pure.
 *
 * Two severities: `refuse` — the runs measured different things (a scenario's hash, or the
 * dataset, layout or pattern behind a case id changed), so a ratio of their times means nothing;
 * `warn` — the same things were measured on a different machine or software stack (CPU, memory,
 * kernel, filesystem, Node or library versions, eviction method or whether it was verified) or
 * through a different read path (another decoder, a fallback), so ratios may carry that difference too.
 */
import { canonicalJson } from "../core/digest.ts";
import { describeReadPath, layoutLabel } from "../report/describe.ts";
import type { CaseResult, ResultsFile, RunContext } from "../run/results-types.ts";
import { engineOf } from "../scenario/engines.ts";

export interface Difference {
  readonly severity: "refuse" | "warn";
  /** What differs, e.g. `scenario "ci-zarr" hash`, `dataset "ci-zarr/grid"`, `CPU model`. */
  readonly what: string;
  readonly baseline: string;
  readonly current: string;
}

/** `what: BASELINE (baseline) vs CURRENT (current)` — one line. */
export function describeDifference(d: Difference): string {
  return `${d.what}: ${d.baseline} (baseline) vs ${d.current} (current)`;
}

const GiB = 2 ** 30;

/** The machine and stack fields worth a warning, each with how to show its value. */
const CONTEXT_FIELDS: readonly { what: string; value: (c: RunContext) => string }[] = [
  { what: "CPU model", value: (c) => c.cpuModel },
  { what: "CPU count", value: (c) => String(c.cpus) },
  { what: "memory", value: (c) => `${(c.memoryBytes / GiB).toFixed(1)} GiB` },
  { what: "platform", value: (c) => `${c.platform}/${c.arch}` },
  { what: "kernel", value: (c) => c.kernel },
  { what: "filesystem", value: (c) => c.filesystem },
  { what: "readahead", value: (c) => (c.readaheadKiB === null ? "unknown" : `${c.readaheadKiB} KiB`) },
  { what: "page size", value: (c) => String(c.pageSize) },
  { what: "Node.js", value: (c) => c.node },
  { what: "eviction method", value: (c) => c.eviction.method },
  { what: "eviction verified", value: (c) => (c.eviction.verified ? "yes" : "no") },
];

function short(hash: string): string {
  return hash.slice(0, 12);
}

/** Differences of one spec kind (dataset, layout, pattern) among the cases both runs hold. */
function specDifferences(kind: "dataset" | "layout" | "pattern", pairs: readonly (readonly [CaseResult, CaseResult])[]): Difference[] {
  const seen = new Map<string, Difference>();
  for (const [b, c] of pairs) {
    const key = `${b.scenario}/${b[kind].name}`;
    if (seen.has(key)) continue;
    const bSpec = b[kind] as unknown as Record<string, unknown>;
    const cSpec = c[kind] as unknown as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(bSpec), ...Object.keys(cSpec)])]
      .sort()
      .filter((f) => canonicalJson(bSpec[f] ?? null) !== canonicalJson(cSpec[f] ?? null));
    if (fields.length === 0) continue;
    // Name only the fields that differ: "shape: [64,64] vs [128,128]" reads better than two specs.
    const show = (spec: Record<string, unknown>) => fields.map((f) => `${f} ${canonicalJson(spec[f] ?? null)}`).join(", ");
    seen.set(key, { severity: "refuse", what: `${kind} "${key}"`, baseline: show(bSpec), current: show(cSpec) });
  }
  return [...seen.values()];
}

/**
 * Layouts whose cases were read another way in the two runs, once per layout and engine. Files from
 * before read paths were recorded have none to compare.
 */
function readPathDifferences(pairs: readonly (readonly [CaseResult, CaseResult])[]): Difference[] {
  const seen = new Map<string, Difference>();
  for (const [b, c] of pairs) {
    if (!b.readPath || !c.readPath) continue;
    const before = describeReadPath(b.readPath);
    const after = describeReadPath(c.readPath);
    const key = `${b.scenario}/${layoutLabel(b.layout.name, engineOf(b))}`;
    if (before === after || seen.has(key)) continue;
    seen.set(key, { severity: "warn", what: `read path of "${key}"`, baseline: before, current: after });
  }
  return [...seen.values()];
}

/**
 * Layouts whose files another library wrote (Zarr Blosc by c-blosc in one run, numcodecs.js in the
 * other): the same layout, but other bytes on disk, so a warning rather than a refusal.
 */
function encoderDifferences(pairs: readonly (readonly [CaseResult, CaseResult])[]): Difference[] {
  const seen = new Map<string, Difference>();
  for (const [b, c] of pairs) {
    const key = `${b.scenario}/${b.layout.name}`;
    const before = b.storage?.encoder ?? "unrecorded";
    const now = c.storage?.encoder ?? "unrecorded";
    if (seen.has(key) || before === now || !b.storage || !c.storage) continue;
    seen.set(key, { severity: "warn", what: `encoder of layout "${key}"`, baseline: before, current: now });
  }
  return [...seen.values()];
}

/**
 * Every difference between the runs that can matter to a comparison, refusals first.
 * Scenarios present in only one run are not differences: their cases show as added or removed.
 * The hostname is not compared (CI runners get a new one every run).
 */
export function compareContexts(baseline: ResultsFile, current: ResultsFile): Difference[] {
  const out: Difference[] = [];
  const currentScenarios = new Map(current.scenarios.map((s) => [s.name, s]));
  for (const b of baseline.scenarios) {
    const c = currentScenarios.get(b.name);
    if (c && c.hash !== b.hash) out.push({ severity: "refuse", what: `scenario "${b.name}" hash`, baseline: short(b.hash), current: short(c.hash) });
  }
  const currentCases = new Map(current.cases.map((c) => [c.id, c]));
  const pairs = baseline.cases.flatMap((b) => {
    const c = currentCases.get(b.id);
    return c ? [[b, c] as const] : [];
  });
  out.push(...specDifferences("dataset", pairs), ...specDifferences("layout", pairs), ...specDifferences("pattern", pairs));
  out.push(...encoderDifferences(pairs), ...readPathDifferences(pairs));
  for (const field of CONTEXT_FIELDS) {
    const b = field.value(baseline.context);
    const c = field.value(current.context);
    if (b !== c) out.push({ severity: "warn", what: field.what, baseline: b, current: c });
  }
  const libraries = [...new Set([...Object.keys(baseline.context.libraries), ...Object.keys(current.context.libraries)])].sort();
  for (const name of libraries) {
    const b = baseline.context.libraries[name] ?? "absent";
    const c = current.context.libraries[name] ?? "absent";
    if (b !== c) out.push({ severity: "warn", what: `library ${name}`, baseline: b, current: c });
  }
  return out;
}
