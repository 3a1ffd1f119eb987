/**
 * Cache control on real files: eviction + residency, the eviction probe on the dataset disk and on
 * tmpfs (where eviction cannot work and the probe must say so), and the /proc/self/io counters.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { evictFiles } from "../harness/cache/evict.ts";
import { probeEviction } from "../harness/cache/probe.ts";
import { residency } from "../harness/cache/residency.ts";
import { ioDelta, readIoCounters } from "../harness/run/io-counters.ts";
import { makeTestDir } from "./support/contract.ts";

const dir = makeTestDir("cache");
after(() => rmSync(dir, { recursive: true, force: true }));

function filesystemOf(path: string): string | undefined {
  const line = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .find((l) => l.split(" ")[1] === path);
  return line?.split(" ")[2];
}

test("evictFiles + residency on real files (fresh writes included)", async () => {
  const a = join(dir, "a.bin");
  const b = join(dir, "b.bin");
  const empty = join(dir, "empty.bin");
  writeFileSync(a, randomBytes(1024 * 1024));
  writeFileSync(b, randomBytes(300 * 1024 + 1));
  writeFileSync(empty, "");
  const r = residency([a, b, empty]);
  assert.equal(r.totalPages, 256 + 76);
  // Just written: dirty pages are resident; evictFiles must fdatasync them before fadvise.
  assert.equal(r.fraction, 1);
  await evictFiles([a, b, empty], "fadvise");
  assert.deepEqual(residency([a, b, empty]), { residentPages: 0, totalPages: 332, fraction: 0 });
  readFileSync(b);
  assert.deepEqual(residency([a, b]), { residentPages: 76, totalPages: 332, fraction: 76 / 332 });
  assert.deepEqual(residency([]), { residentPages: 0, totalPages: 0, fraction: 0 });
});

test("probeEviction is verified on the dataset cache disk", async () => {
  const probe = probeEviction(dir, "fadvise");
  assert.equal(probe.verified, true, probe.detail);
  assert.match(probe.detail, /^fadvise evicted a 4 MiB probe on \S+ .*: 100% → 0% resident$/);
});

test("probeEviction on tmpfs reports that eviction is not verified", async (t) => {
  const tmpfs = "/dev/shm";
  try {
    accessSync(tmpfs, constants.W_OK);
  } catch {
    return t.skip(`${tmpfs} is not writable here`);
  }
  if (filesystemOf(tmpfs) !== "tmpfs") return t.skip(`${tmpfs} is not a tmpfs here (no tmpfs to test on)`);
  const probe = probeEviction(join(tmpfs, `layoutbench-test-${process.pid}`), "fadvise");
  rmSync(join(tmpfs, `layoutbench-test-${process.pid}`), { recursive: true, force: true });
  assert.equal(probe.verified, false);
  assert.match(probe.detail, /did not evict a 4 MiB probe on tmpfs .*100% → 100% resident.*tmpfs lives in the page cache/);
});

test("drop_caches evicts too (opt-in: it empties the whole machine's page cache)", {
  skip:
    process.env.LAYOUTBENCH_TEST_DROP_CACHES === "1" ? false : "set LAYOUTBENCH_TEST_DROP_CACHES=1 to run, as .ci/run does (it disturbs concurrent benchmarks)",
}, async () => {
  if (process.getuid?.() !== 0) {
    await assert.rejects(evictFiles([], "drop_caches"), { name: "UserError", message: /needs root/ });
    return;
  }
  const probe = probeEviction(dir, "drop_caches");
  assert.equal(probe.verified, true, probe.detail);
});

test("/proc/self/io tells a cold read from a warm one", async () => {
  const path = join(dir, "io.bin");
  const size = 2 * 1024 * 1024;
  writeFileSync(path, randomBytes(size));
  await evictFiles([path], "fadvise");
  const start = readIoCounters();
  assert.equal(start.available, true);
  readFileSync(path);
  const cold = ioDelta(start, readIoCounters());
  const warmStart = readIoCounters();
  readFileSync(path);
  const warm = ioDelta(warmStart, readIoCounters());
  // Every page once (the size is a whole number of pages, and readahead stops at the end of the
  // file); nothing warm.
  assert.equal(cold.readBytes, size);
  assert.equal(warm.readBytes, 0);
  // rchar counts bytes handed to read(), cached or not: the file, plus the read of /proc/self/io.
  for (const r of [cold, warm]) assert.ok(r.rchar >= size && r.rchar < size + 1024, `rchar ${r.rchar}`);
});
