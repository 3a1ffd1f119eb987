/**
 * Claim 8: several processes reading one file through mmap share one copy.
 * Scenario: scenarios/article/08-shared-pages.yaml (one .npy, full warm read by 1, 2 and 4 reader
 * processes).
 * Reads: per case `readers.processes` and `memory.sum` (`pssLayoutBytes`: ΣPSS of the mappings of
 * the layout's file; `rssBytes`: ΣRSS, which counts a shared page once per process), and
 * `storage.bytesOnDisk` (the file's size).
 */
import { formatFactor as factor, formatBytes } from "../../report/format.ts";
import type { CaseResult, ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseWhere, MissingEvidence } from "../evidence.ts";
import { assessFrom } from "../outcome.ts";
import type { Claim, ClaimOutcome, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-08-shared-pages";
const PROCESSES = [1, 2, 4] as const;
const MIB = 1024 * 1024;

/** ΣPSS of N mmap readers over one reader's: at most this for "one copy". */
export const SHARED_HOLDS = 1.25;

/** One copy: ΣPSS with N processes ÷ with one = 1 through mmap, N with private buffers. */
export function predictSharedPages(processes: number): Prediction {
  return {
    value: 1,
    unit: "× one reader's ΣPSS",
    working: `page-cache pages are shared and PSS splits them: ΣPSS stays one file's size; private buffers would make it ${processes}×`,
  };
}

export interface SharedPagesEvidence {
  readonly processes: number;
  /** ΣPSS with `processes` mmap readers ÷ with one. */
  readonly mmapGrowth: number;
  /** ΣRSS with `processes` readers ÷ with one: RSS counts each shared page once per process. */
  readonly rssGrowth: number;
}

/** The rule, on how ΣPSS grows with the number of readers. */
export function judgeSharedPages(e: SharedPagesEvidence): Judgement {
  if (e.mmapGrowth <= SHARED_HOLDS) {
    return { verdict: "holds", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS; their ΣRSS grew ${factor(e.rssGrowth)}` };
  }
  if (e.mmapGrowth <= e.processes / 2) {
    return { verdict: "holds with a caveat", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS: shared, but not one copy` };
  }
  return { verdict: "does not hold here", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS` };
}

interface Point {
  readonly processes: number;
  readonly layoutPss: number;
  readonly rss: number;
}

interface Measured extends SharedPagesEvidence {
  readonly fileBytes: number;
  readonly points: readonly Point[];
}

function point(c: CaseResult, processes: number): Point {
  if (!c.memory) throw new MissingEvidence(`case ${c.id} has no memory figures`);
  return { processes, layoutPss: c.memory.sum.pssLayoutBytes, rss: c.memory.sum.rssBytes };
}

function evidence(results: ResultsFile): Measured {
  const cases = PROCESSES.map((n) => caseWhere(results, SCENARIO, `${n} reader process${n === 1 ? "" : "es"}`, (c) => (c.readers?.processes ?? 1) === n));
  const points = cases.map((c, i) => point(c, PROCESSES[i]));
  const [one] = points;
  const last = points[points.length - 1];
  if (!(one.layoutPss > 0)) throw new MissingEvidence(`case ${cases[0].id}: the mapped file has no PSS (was it mapped?)`);
  return {
    processes: last.processes,
    mmapGrowth: last.layoutPss / one.layoutPss,
    rssGrowth: last.rss / one.rss,
    fileBytes: cases[0].storage?.bytesOnDisk ?? 0,
    points,
  };
}

function present(e: Measured): ClaimOutcome {
  const prediction = predictSharedPages(e.processes);
  const mib = (b: number) => b / MIB;
  return {
    status: "measured",
    prediction,
    // Memory is read once per case (its last round): no interval.
    measurement: {
      label: `ΣPSS of the mapped ${formatBytes(e.fileBytes)} file with ${e.processes} readers ÷ with one`,
      interval: { value: e.mmapGrowth, low: e.mmapGrowth, high: e.mmapGrowth },
      unit: "×",
      details: [
        ...e.points.map(
          (p) => `${p.processes} reader${p.processes === 1 ? "" : "s"}: ΣPSS of the mapped file ${formatBytes(p.layoutPss)}, ΣRSS ${formatBytes(p.rss)}`,
        ),
        "memory read from /proc/PID/smaps when each case's reads ended, once per case (no interval)",
      ],
    },
    judgement: judgeSharedPages(e),
    chart: barChart({
      title: `Claim 8: ${formatBytes(e.fileBytes)} .npy mapped by 1, 2 and 4 processes, warm`,
      subtitle: ["ΣPSS of the mapped file (one copy, shared) and ΣRSS (each process counts every page it touched)", "dashed: the file's size"],
      axis: "MiB, summed over the readers",
      bars: e.points.flatMap((p) => [
        { label: `${p.processes}p: ΣPSS of the file`, value: mib(p.layoutPss), group: "ΣPSS of the mapped file", text: formatBytes(p.layoutPss) },
        { label: `${p.processes}p: ΣRSS`, value: mib(p.rss), group: "ΣRSS of the readers", text: formatBytes(p.rss) },
      ]),
      prediction: { value: mib(e.fileBytes), label: "file size" },
    }),
  };
}

export const sharedPagesClaim: Claim = {
  id: "08-shared-pages",
  number: 8,
  title: "Processes that map one file share one copy",
  section: "mmap()",
  claim:
    "Processes that memory-map the same file all map the same page-cache pages, so N readers cost the memory of one; N readers that read() into buffers hold N copies.",
  scenario: "scenarios/article/08-shared-pages.yaml",
  rule: `holds when ΣPSS of N mmap readers is at most ${SHARED_HOLDS}× one reader's; holds with a caveat when it is at most N/2 ×; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
