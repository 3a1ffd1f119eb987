/** The run's I/O counters with a child's counted in (countIoOf), as a run counts its server host's disk reads. */
import assert from "node:assert/strict";
import { closeSync, openSync, writeSync } from "node:fs";
import { test } from "node:test";
import { countIoOf, ioDelta, readIoCounters } from "../harness/run/io-counters.ts";

const BYTES = 1 << 20;

/** wchar of this process while writing BYTES to /dev/null (write syscalls count whether or not anything reaches a disk). */
function wcharOfWrite(): number {
  const fd = openSync("/dev/null", "w");
  const before = readIoCounters();
  writeSync(fd, Buffer.alloc(BYTES));
  const after = readIoCounters();
  closeSync(fd);
  return ioDelta(before, after).wchar;
}

test("a counted process's bytes are added while it is counted, and only then", (t) => {
  if (!readIoCounters().available) {
    t.skip("/proc/self/io cannot be read here");
    return;
  }
  // Counting this very process stands in for a child: its writes then count twice.
  const alone = wcharOfWrite();
  assert.ok(alone >= BYTES && alone < BYTES + 64 * 1024, `wchar ${alone}`);
  const uncount = countIoOf(process.pid);
  const counted = wcharOfWrite();
  uncount();
  assert.ok(counted >= 2 * BYTES && counted < 2 * BYTES + 128 * 1024, `wchar counted twice ${counted}`);
  const again = wcharOfWrite();
  assert.ok(again >= BYTES && again < BYTES + 64 * 1024, `wchar after uncounting ${again}`);
});
