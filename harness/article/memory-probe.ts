/**
 * The memory probe, run as its own process (`node --import tsx memory-probe.ts FILE MODE`) so
 * nothing else of the harness is in its memory: reads /proc/self/smaps_rollup, reads every byte of
 * FILE through mmap (touching each page) or with read() into a buffer, reads smaps_rollup again,
 * and prints the difference as one JSON line (a MemoryDelta, in bytes).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { map, pageSize, unmap } from "../native/index.ts";
import type { MemoryDelta, ProbeMode } from "./memory-types.ts";

/** smaps_rollup's fields the probe reports, in bytes. */
function rollup(): MemoryDelta {
  const text = readFileSync("/proc/self/smaps_rollup", "utf8");
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    if (!m) throw new Error(`/proc/self/smaps_rollup has no ${field} line (kernel too old?)`);
    return Number(m[1]) * 1024;
  };
  return { rss: kib("Rss"), pss: kib("Pss"), pssAnon: kib("Pss_Anon"), pssFile: kib("Pss_File") };
}

/** Reads the whole file the given way and keeps what it read reachable until after the second rollup. */
function probe(file: string, mode: ProbeMode): MemoryDelta {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    // A first call allocates what reading the rollup needs, so the second measures only the read.
    rollup();
    const before = rollup();
    let checksum = 0;
    let after: MemoryDelta;
    if (mode === "mmap") {
      const mapping = map(fd, size, false);
      const bytes = new Uint8Array(mapping);
      for (let i = 0; i < size; i += pageSize()) checksum += bytes[i];
      after = rollup();
      unmap(mapping);
    } else {
      const buffer = Buffer.allocUnsafeSlow(size);
      for (let done = 0; done < size; ) done += readSync(fd, buffer, done, size - done, done);
      for (let i = 0; i < size; i += 4096) checksum += buffer[i];
      after = rollup();
    }
    // The checksum keeps the reads from being optimized away; it is not part of the result.
    if (checksum < 0) throw new Error("unreachable");
    return { rss: after.rss - before.rss, pss: after.pss - before.pss, pssAnon: after.pssAnon - before.pssAnon, pssFile: after.pssFile - before.pssFile };
  } finally {
    closeSync(fd);
  }
}

const [file, mode] = process.argv.slice(2);
if (!file || (mode !== "mmap" && mode !== "read")) {
  console.error("usage: memory-probe.ts FILE mmap|read");
  process.exit(2);
}
console.log(JSON.stringify(probe(file, mode)));
