/**
 * Per-process I/O counters around a timed operation. `/proc/self/io` covers every thread of the
 * process (libuv's pool included); read_bytes counts bytes fetched from storage, so it separates
 * cold from warm reads, including page faults of memory-mapped files. Reading it costs a few µs.
 */
import { readFileSync } from "node:fs";

export interface IoCounters {
  /** Bytes this process caused to be read from storage (read_bytes). */
  readonly readBytes: number;
  /** Bytes this process caused to be sent to storage (write_bytes; written back later by the kernel). */
  readonly writeBytes: number;
  /** Bytes passed to read-like syscalls, cached or not (rchar); mmap faults are not included. */
  readonly rchar: number;
  /** Bytes passed to write-like syscalls (wchar). */
  readonly wchar: number;
  /** Major page faults so far (process.resourceUsage); only exact under MADV_RANDOM, as readahead batches faults. */
  readonly majorFaults: number;
  /** False where /proc/self/io cannot be read (not Linux, restricted procfs): the byte counters are 0. */
  readonly available: boolean;
}

const FIELDS = { read_bytes: "readBytes", write_bytes: "writeBytes", rchar: "rchar", wchar: "wchar" } as const;

/** The current counters of this process. */
export function readIoCounters(): IoCounters {
  const counters = { readBytes: 0, writeBytes: 0, rchar: 0, wchar: 0 };
  let available = true;
  try {
    for (const line of readFileSync("/proc/self/io", "latin1").split("\n")) {
      const colon = line.indexOf(":");
      const key = FIELDS[line.slice(0, colon) as keyof typeof FIELDS];
      if (key) counters[key] = Number(line.slice(colon + 1));
    }
  } catch {
    available = false;
  }
  return { ...counters, majorFaults: process.resourceUsage().majorPageFault, available };
}

/** Counters accumulated between two readings (`after - before`). */
export function ioDelta(before: IoCounters, after: IoCounters): IoCounters {
  return {
    readBytes: after.readBytes - before.readBytes,
    writeBytes: after.writeBytes - before.writeBytes,
    rchar: after.rchar - before.rchar,
    wchar: after.wchar - before.wchar,
    majorFaults: after.majorFaults - before.majorFaults,
    available: before.available && after.available,
  };
}
