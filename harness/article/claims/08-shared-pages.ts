/**
 * Claim 8: several processes reading one file through mmap share one copy.
 * Not measured yet: it needs the readers dimension (`readers: {processes, threads}` with per-case
 * ΣPSS). To measure it, add scenarios/article/08-shared-pages.yaml (one .npy, full warm scan,
 * readers 1, 2, 4 processes, mmap vs read()), set `scenario` below, and build
 * `SharedPagesEvidence` from the results: per case `readers` (processes) and its ΣPSS figure.
 */
import { formatFactor as factor } from "../../report/format.ts";
import { awaiting } from "../outcome.ts";
import type { Claim, Judgement, Prediction } from "../types.ts";

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
  /** The same for read() into private buffers. */
  readonly readGrowth: number;
}

/** The rule, on how ΣPSS grows with the number of readers. */
export function judgeSharedPages(e: SharedPagesEvidence): Judgement {
  if (e.mmapGrowth <= SHARED_HOLDS) {
    return { verdict: "holds", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS; read() readers ${factor(e.readGrowth)}` };
  }
  if (e.mmapGrowth <= e.processes / 2) {
    return { verdict: "holds with a caveat", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS: shared, but not one copy` };
  }
  return { verdict: "does not hold here", because: `${e.processes} mmap readers use ${factor(e.mmapGrowth)} one reader's ΣPSS` };
}

export const sharedPagesClaim: Claim = {
  id: "08-shared-pages",
  number: 8,
  title: "Processes that map one file share one copy",
  section: "mmap()",
  claim:
    "Processes that memory-map the same file all map the same page-cache pages, so N readers cost the memory of one; N readers that read() into buffers hold N copies.",
  scenario: null,
  needs: "readers",
  rule: `holds when ΣPSS of N mmap readers is at most ${SHARED_HOLDS}× one reader's; holds with a caveat when it is at most N/2 ×; does not hold here otherwise.`,
  assess: () => awaiting("readers"),
};
