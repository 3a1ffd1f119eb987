/**
 * Per-process I/O counters around a timed operation. `/proc/self/io` covers every thread of the
 * process (libuv's pool included); read_bytes counts bytes fetched from storage, so it separates
 * cold from warm reads, including page faults of memory-mapped files. Reading it costs a few µs.
 * The storage servers the run starts read its files in a child (the server host): their counters
 * are added while they run (`countIoOf`), so a cold remote read still shows the disk reads it caused.
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
type ByteCounters = { readBytes: number; writeBytes: number; rchar: number; wchar: number };

/** Child processes whose I/O counts as this process's, with their last counters (kept once a child ends, so sums never go back). */
const counted = new Map<number, ByteCounters>();

/** Counts `pid`'s I/O as this process's until the returned function is called. */
export function countIoOf(pid: number): () => void {
  counted.set(pid, readProcIo(`/proc/${pid}/io`) ?? { readBytes: 0, writeBytes: 0, rchar: 0, wchar: 0 });
  return () => {
    counted.delete(pid);
  };
}

function readProcIo(path: string): ByteCounters | undefined {
  const counters = { readBytes: 0, writeBytes: 0, rchar: 0, wchar: 0 };
  try {
    for (const line of readFileSync(path, "latin1").split("\n")) {
      const colon = line.indexOf(":");
      const key = FIELDS[line.slice(0, colon) as keyof typeof FIELDS];
      if (key) counters[key] = Number(line.slice(colon + 1));
    }
  } catch {
    return undefined;
  }
  return counters;
}

/** The current counters of this process (and of the children counted with it). */
export function readIoCounters(): IoCounters {
  const own = readProcIo("/proc/self/io");
  const counters = own ?? { readBytes: 0, writeBytes: 0, rchar: 0, wchar: 0 };
  for (const [pid, last] of counted) {
    const now = readProcIo(`/proc/${pid}/io`) ?? last;
    counted.set(pid, now);
    for (const key of Object.values(FIELDS)) counters[key] += now[key];
  }
  return { ...counters, majorFaults: process.resourceUsage().majorPageFault, available: own !== undefined };
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
