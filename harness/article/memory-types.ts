/**
 * What the memory probe (memory-probe.ts) records: for one file, the change of the process's
 * memory (/proc/self/smaps_rollup) across a full read through mmap and across a read() of the same
 * file into a buffer, each in a fresh process, repeated.
 */

/** How the probe reads the file. */
export type ProbeMode = "mmap" | "read";

/** smaps_rollup fields after − before the read, in bytes. */
export interface MemoryDelta {
  readonly rss: number;
  readonly pss: number;
  readonly pssAnon: number;
  readonly pssFile: number;
}

export interface MemoryProbe {
  readonly file: string;
  readonly fileBytes: number;
  readonly runs: readonly { readonly mode: ProbeMode; readonly delta: MemoryDelta }[];
}
