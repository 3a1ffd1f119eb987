/**
 * A reader process's memory from procfs, parsed by pure functions (the reading is at the edge, in
 * readers-round.ts). RSS counts a page shared by N processes N times; PSS divides it among them,
 * so ΣPSS over readers is the memory they really take, and its file-backed part (Pss_File: mapped
 * files, the page cache a mapping shares) is told apart from the anonymous part (Pss_Anon: heaps and
 * buffers each reader holds for itself). USS (private pages) is what ending the process frees.
 */

/** One reader's figures, in bytes. */
export interface ReaderMemory {
  /** Peak resident set of the process (VmHWM): it ran only this case. */
  readonly hwmBytes: number;
  /** At the end of the reads: */
  readonly rssBytes: number;
  readonly pssBytes: number;
  readonly pssAnonBytes: number;
  readonly pssFileBytes: number;
  readonly pssShmemBytes: number;
  /** Private_Clean + Private_Dirty. */
  readonly ussBytes: number;
  /** PSS of the mappings of the layout's own files (a memory-mapped layout; 0 when none is mapped). */
  readonly pssLayoutBytes: number;
  /** Pss_Anon before the reader opened the layout: Node's own heap and code, not the case's. */
  readonly baselineAnonBytes: number;
}

/** Figures summed over a case's readers, and the page cache the layout's files held at the end. */
export interface CaseMemory {
  readonly readers: readonly ReaderMemory[];
  readonly sum: Omit<ReaderMemory, "hwmBytes"> & { readonly hwmBytes: number };
  /** Bytes of the layout's files resident in the page cache when the reads ended (mincore). */
  readonly pageCacheBytes: number;
  /** Largest growth of one reader's anonymous memory over its baseline (what memoryBudget judges). */
  readonly maxAnonGrowthBytes: number;
}

const KIB = 1024;

/** `Key:   123 kB` lines of smaps, smaps_rollup or status, in bytes (values without a unit as they are). */
function fields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_]+):\s+(\d+)(\s*kB)?\s*$/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (m[3] ? KIB : 1));
  }
  return out;
}

export interface Rollup {
  readonly rssBytes: number;
  readonly pssBytes: number;
  readonly pssAnonBytes: number;
  readonly pssFileBytes: number;
  readonly pssShmemBytes: number;
  readonly ussBytes: number;
}

/** /proc/PID/smaps_rollup. Throws when a field every kernel since 5.13 has is missing. */
export function parseSmapsRollup(text: string): Rollup {
  const f = fields(text);
  const need = (k: string): number => {
    const v = f.get(k);
    if (v === undefined) throw new Error(`smaps_rollup has no ${k} line (Linux 5.13 or later needed for Pss_Anon and Pss_File)`);
    return v;
  };
  return {
    rssBytes: need("Rss"),
    pssBytes: need("Pss"),
    pssAnonBytes: need("Pss_Anon"),
    pssFileBytes: need("Pss_File"),
    pssShmemBytes: f.get("Pss_Shmem") ?? 0,
    ussBytes: need("Private_Clean") + need("Private_Dirty"),
  };
}

/** VmHWM of /proc/PID/status, in bytes. */
export function parseHwm(status: string): number {
  const v = fields(status).get("VmHWM");
  if (v === undefined) throw new Error("status has no VmHWM line");
  return v;
}

/** Summed Pss of the mappings in /proc/PID/smaps whose path is one of `paths`. */
export function pssOfFiles(smaps: string, paths: ReadonlySet<string>): number {
  let total = 0;
  let counting = false;
  for (const line of smaps.split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      counting = paths.has(header[1].replace(/ \(deleted\)$/, ""));
      continue;
    }
    if (!counting) continue;
    const m = /^Pss:\s+(\d+) kB/.exec(line);
    if (m) total += Number(m[1]) * KIB;
  }
  return total;
}

/** The case's figures from its readers' (sums of each field; the peak is summed too, as ΣVmHWM). */
export function caseMemory(readers: readonly ReaderMemory[], pageCacheBytes: number): CaseMemory {
  const sum = (k: keyof ReaderMemory) => readers.reduce((s, r) => s + r[k], 0);
  return {
    readers,
    sum: {
      hwmBytes: sum("hwmBytes"),
      rssBytes: sum("rssBytes"),
      pssBytes: sum("pssBytes"),
      pssAnonBytes: sum("pssAnonBytes"),
      pssFileBytes: sum("pssFileBytes"),
      pssShmemBytes: sum("pssShmemBytes"),
      ussBytes: sum("ussBytes"),
      pssLayoutBytes: sum("pssLayoutBytes"),
      baselineAnonBytes: sum("baselineAnonBytes"),
    },
    pageCacheBytes,
    maxAnonGrowthBytes: Math.max(0, ...readers.map((r) => r.pssAnonBytes - r.baselineAnonBytes)),
  };
}

/** Whether a case kept within `budget`: every reader's anonymous growth at most the budget. */
export function withinBudget(memory: CaseMemory, budget: number): boolean {
  return memory.maxAnonGrowthBytes <= budget;
}
