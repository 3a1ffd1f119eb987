/**
 * Faults a long benchmark run meets: interruption (SIGINT, SIGKILL) and resume, interrupted
 * materialization, damaged cached data, two runs on one cache, too little disk, and a filesystem
 * where eviction cannot work. All on real files through the real CLI where a user would meet them.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { zarrBackend } from "../harness/backends/zarr.ts";
import { UserError } from "../harness/core/errors.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import type { DatasetSpec, MemmapLayout, ZarrLayout } from "../harness/scenario/types.ts";
import { acquireRunLock, LOCK_FILE } from "../harness/store/lock.ts";
import { ensureMaterialized, entryDir, freeRoomProblems, inspectEntry, spaceNeeded } from "../harness/store/materialize.ts";
import { BIN, cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const SCENARIO = "test/fixtures/scenarios/runs/faults.yaml";
/** The interrupt tests run the C-order layout only: 3 patterns × 2 cache states. */
const ONE_LAYOUT = ["--filter", "grid/npy/"];
const TOTAL_CASES = 3 * 2;

function workDir(name: string): string {
  const dir = join(ROOT, "datasets", "cache", "test-tmp", `faults-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts a run and resolves once `lines` cases have finished (their lines printed). */
function startRun(args: string[], lines: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "run", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let seen = 0;
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      seen = (out.match(/^\[\d+\/\d+\]/gm) ?? []).length;
      if (seen >= lines) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`run ended (code ${code}) after ${seen} cases:\n${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
}

const readResults = (path: string) => JSON.parse(readFileSync(path, "utf8")) as ResultsFile;

describe("interrupted runs keep their finished cases", () => {
  test("SIGINT: stops after the current round of a case, exit 130, every sample kept; --resume samples only unfinished cases", {
    timeout: 180_000,
  }, async (t) => {
    const dir = workDir("sigint");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "results.json");
    const child = await startRun([SCENARIO, ...ONE_LAYOUT, "--out", out, "--cache", join(dir, "cache"), "--no-report"], 2);
    child.removeAllListeners("exit");
    const code = exited(child);
    child.kill("SIGINT");
    assert.equal(await code, 130);
    const partial = readResults(out);
    assert.equal(partial.finishedAt, null);
    // Samples are taken in rounds across cases: the cases not finished when the signal came hold
    // the rounds they took, marked incomplete.
    const incomplete = (c: ResultsFile["cases"][number]) => c.warnings.some((w) => w.code === "incomplete");
    const finished = partial.cases.filter((c) => !incomplete(c));
    assert.ok(finished.length >= 2 && finished.length < TOTAL_CASES, `${finished.length} finished cases`);
    assert.ok(partial.cases.filter(incomplete).every((c) => c.status === "ok" && c.samples.length > 0 && c.samples.length < 40));
    assert.ok(!existsSync(join(dir, "cache", LOCK_FILE)), "the run lock is released");

    const resumed = cli(["run", SCENARIO, ...ONE_LAYOUT, "--resume", out, "--cache", join(dir, "cache"), "--no-report"], { timeoutMs: 170_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const full = readResults(out);
    assert.equal(full.cases.length, TOTAL_CASES);
    assert.equal(new Set(full.cases.map((c) => c.id)).size, TOTAL_CASES);
    assert.notEqual(full.finishedAt, null);
    assert.ok(!full.cases.some(incomplete));
    assert.ok(full.cases.every((c) => c.samples.length === 40));
    // The cases finished before the interrupt are the very same records, not re-measured.
    for (const c of finished)
      assert.deepEqual(
        full.cases.find((f) => f.id === c.id),
        c,
      );
    assert.equal((resumed.stdout.match(/^\[\d+\/\d+\]/gm) ?? []).length, TOTAL_CASES - finished.length);
  });

  test("SIGKILL: the results file is whole and holds the finished cases; a stale lock is taken over", { timeout: 120_000 }, async (t) => {
    const dir = workDir("sigkill");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "results.json");
    const child = await startRun([SCENARIO, ...ONE_LAYOUT, "--out", out, "--cache", join(dir, "cache"), "--no-report"], 1);
    child.removeAllListeners("exit");
    const code = exited(child);
    child.kill("SIGKILL");
    await code;
    const partial = readResults(out);
    assert.ok(partial.cases.length >= 1);
    assert.ok(partial.cases.every((c) => c.status === "ok"));
    assert.ok(existsSync(join(dir, "cache", LOCK_FILE)), "a killed run cannot release its lock");
    const again = cli(["run", SCENARIO, "--filter", "npy/rows/warm", "--out", join(dir, "again.json"), "--cache", join(dir, "cache"), "--no-report"]);
    assert.equal(again.code, 0, again.stderr);
  });
});

describe("materialization cache", () => {
  const dataset: DatasetSpec = { name: "d", shape: [64, 64], dtype: "int16", generator: "random", seed: 3 };
  const layout: MemmapLayout = { name: "npy", backend: "memmap", advice: "normal", order: "C" };

  test("a half-written entry (no manifest) is never reused", async (t) => {
    const dir = workDir("partial");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const entry = entryDir(dir, dataset, layout);
    mkdirSync(entry, { recursive: true });
    writeFileSync(join(entry, "data.npy"), "half");
    assert.equal(inspectEntry(entry).state, "partial");
    const m = await ensureMaterialized(dir, dataset, layout);
    assert.equal(m.created, true);
    assert.equal(inspectEntry(entry).state, "ok");
  });

  test("a killed materialization leaves only a temporary folder, which is not reused", { timeout: 60_000 }, async (t) => {
    const dir = workDir("killmat");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const scenario = join(dir, "big.yaml");
    writeFileSync(scenario, readFileSync(SCENARIO, "utf8").replace("shape: [2048, 2048]", "shape: [16384, 16384]"));
    const child = spawn(process.execPath, [BIN, "run", scenario, "--out", join(dir, "r.json"), "--cache", join(dir, "cache"), "--no-report"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Wait until the temporary folder exists and holds data, then kill.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !readdirSafe(join(dir, "cache")).some((n) => n.startsWith(".tmp-"))) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGKILL");
    await exited(child);
    const names = readdirSafe(join(dir, "cache"));
    assert.ok(
      names.some((n) => n.startsWith(".tmp-")),
      names.join(","),
    );
    assert.ok(!names.some((n) => /^memmap-[0-9a-f]{20}$/.test(n)), "no finished entry appeared");
    const list = cli(["datasets", "list", "--cache", join(dir, "cache")]);
    assert.match(list.stdout, /\.tmp-.*unfinished: never reused/);
  });

  test("a flipped byte fails the case with the cached folder and --rematerialize named; --rematerialize repairs", { timeout: 60_000 }, (t) => {
    const dir = workDir("flip");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const args = [SCENARIO, "--filter", "npy/full/warm", "--cache", join(dir, "cache"), "--no-report", "--samples", "2"];
    assert.equal(cli(["run", ...args, "--out", join(dir, "a.json")]).code, 0);
    const entry = readdirSafe(join(dir, "cache")).find((n) => n.startsWith("memmap-"))!;
    const file = join(dir, "cache", entry, "data.npy");
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from([0xff]), 0, 1, 128 + 4 * 1000);
    closeSync(fd);
    const bad = cli(["run", ...args, "--out", join(dir, "b.json")]);
    assert.equal(bad.code, 2);
    const failed = readResults(join(dir, "b.json")).cases[0];
    assert.equal(failed.status, "failed");
    assert.match(failed.error!, /returned wrong data: int32: 1 of \d+ elements differ .* first at \[0, 1000\]: expected 1000, got /);
    assert.match(failed.error!, new RegExp(`${entry}.* --rematerialize`));
    const fixed = cli(["run", ...args, "--out", join(dir, "c.json"), "--rematerialize"]);
    assert.equal(fixed.code, 0, fixed.stdout);
  });

  test("a truncated file is reported as damaged, not measured", { timeout: 60_000 }, (t) => {
    const dir = workDir("trunc");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const args = [SCENARIO, "--filter", "npy/rows/cold", "--cache", join(dir, "cache"), "--no-report", "--samples", "2"];
    assert.equal(cli(["run", ...args, "--out", join(dir, "a.json")]).code, 0);
    const entry = readdirSafe(join(dir, "cache")).find((n) => n.startsWith("memmap-"))!;
    truncateSync(join(dir, "cache", entry, "data.npy"), 1000);
    const bad = cli(["run", ...args, "--out", join(dir, "b.json")]);
    assert.equal(bad.code, 2);
    const c = readResults(join(dir, "b.json")).cases[0];
    assert.equal(c.status, "failed");
    assert.match(c.error!, /damaged: .*data\.npy has 1000 bytes, the manifest says 16777344; run again with --rematerialize/);
  });

  test("a deleted Zarr chunk makes the entry damaged, named, never measured", async (t) => {
    const dir = workDir("zarrchunk");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const zarr: ZarrLayout = { name: "z", backend: "zarr", format: 3, chunks: [16, 16], shards: null, codec: { name: "none" } };
    const m = await ensureMaterialized(dir, dataset, zarr);
    const chunk = m.manifest.files.find((f) => /\/c\/1\/2$/.test(f.path));
    assert.ok(chunk, m.manifest.files.map((f) => f.path).join(","));
    rmSync(join(m.stored.dir, chunk.path));
    await assert.rejects(
      ensureMaterialized(dir, dataset, zarr),
      (err: Error) => err instanceof UserError && err.message.includes(`damaged: ${join(m.stored.dir, chunk.path)} is missing; run again with --rematerialize`),
    );
    const again = await ensureMaterialized(dir, dataset, zarr, { rematerialize: true });
    assert.equal(again.created, true);
  });

  test("not enough disk space is refused before writing, with the amount needed", async (t) => {
    const dir = workDir("space");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const fs = statfsSync(dir);
    const side = Math.ceil(Math.sqrt((fs.bavail * fs.bsize) / 8)) * 2;
    const huge: DatasetSpec = { ...dataset, shape: [side, side], dtype: "float64" };
    await assert.rejects(
      ensureMaterialized(dir, huge, layout),
      (err: Error) =>
        err instanceof UserError &&
        /not enough free space to materialize d as npy: needs up to [\d.]+ GiB \(2 files and 1 folder, each rounded up to \d+-byte blocks\), [\d.]+ GiB available; free some space, or use a cache on another filesystem \(--cache DIR\)$/.test(
          err.message,
        ),
    );
    assert.deepEqual(
      readdirSafe(dir).filter((n) => !n.startsWith(".run")),
      [],
    );
  });
});

/**
 * Runs the CLI with writes limited to `kib` KiB per file (RLIMIT_FSIZE; Node ignores SIGXFSZ, so a
 * longer write fails with EFBIG): a real write failure midway, as a full disk gives.
 */
function cliWithFileLimit(kib: number, args: readonly string[]) {
  const r = spawnSync("bash", ["-c", `ulimit -f ${kib} && exec "$@"`, "bash", process.execPath, BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("failed writes leave the cache as it was", () => {
  const cacheFolders = (cache: string) => readdirSafe(cache).filter((n) => n.startsWith("."));

  test("--rematerialize that fails midway keeps the old entry in place and reused", { timeout: 120_000 }, (t) => {
    const dir = workDir("remat");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cache = join(dir, "cache");
    const args = [SCENARIO, "--filter", "grid/npy/rows/warm", "--cache", cache, "--no-report", "--samples", "2"];
    assert.equal(cli(["run", ...args, "--out", join(dir, "a.json")]).code, 0);
    const entry = join(cache, readdirSafe(cache).find((n) => n.startsWith("memmap-"))!);
    const manifest = readFileSync(join(entry, "manifest.json"), "utf8");
    // The new 16 MiB data.npy cannot be written past 4 MiB.
    const failed = cliWithFileLimit(4096, ["run", ...args, "--out", join(dir, "b.json"), "--rematerialize"]);
    assert.equal(failed.code, 2, failed.stdout + failed.stderr);
    assert.match(readResults(join(dir, "b.json")).cases[0].error!, /^materialization failed: EFBIG: file too large/);
    assert.equal(inspectEntry(entry).state, "ok");
    assert.equal(readFileSync(join(entry, "manifest.json"), "utf8"), manifest, "the old entry is untouched");
    assert.deepEqual(
      cacheFolders(cache).filter((n) => n !== ".run.lock"),
      [],
      "no temporary folder is left",
    );
    const again = cli(["run", ...args, "--out", join(dir, "c.json")]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stderr + again.stdout, new RegExp(`reusing ${entry}`));
  });

  test("a write case whose scratch copy fails midway removes the copy; datasets list shows no damaged dataset", { timeout: 120_000 }, (t) => {
    const dir = workDir("copyfail");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cache = join(dir, "cache");
    const scenario = join(dir, "writes.yaml");
    writeFileSync(scenario, readFileSync(SCENARIO, "utf8").replace("patterns:\n", "patterns:\n  - {name: write-rows, kind: rows, count: 2, op: write}\n"));
    const common = ["--cache", cache, "--no-report", "--samples", "2"];
    assert.equal(cli(["run", scenario, "--filter", "grid/npy/rows/warm", ...common, "--out", join(dir, "a.json")]).code, 0);
    const failed = cliWithFileLimit(4096, ["run", scenario, "--filter", "grid/npy/write-rows/warm", ...common, "--out", join(dir, "b.json")]);
    assert.equal(failed.code, 2, failed.stdout + failed.stderr);
    assert.match(readResults(join(dir, "b.json")).cases[0].error!, /EFBIG: file too large/);
    assert.deepEqual(
      cacheFolders(cache).filter((n) => n.startsWith(".scratch-")),
      [],
      "the partial scratch copy is removed",
    );
    const list = cli(["datasets", "list", "--cache", cache]);
    assert.equal(list.code, 0);
    assert.doesNotMatch(list.stdout, /damaged|scratch|unfinished/);
    assert.equal(list.stdout.trim().split("\n").length, 1, list.stdout);
  });

  test("scratch copies of dead runs are listed as leftovers, never as datasets, and removed by the next run", { timeout: 120_000 }, async (t) => {
    const dir = workDir("stale");
    const sleeper = spawn("sleep", ["60"]);
    t.after(() => {
      sleeper.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    const cache = join(dir, "cache");
    const dataset: DatasetSpec = { name: "d", shape: [64, 64], dtype: "int16", generator: "random", seed: 3 };
    const m = await ensureMaterialized(cache, dataset, { name: "npy", backend: "memmap", advice: "normal", order: "C" });
    const deadPid = spawnSync("true").pid!;
    // A copy killed midway: its manifest came along, its data.npy is short.
    const dead = join(cache, `.scratch-${deadPid}-0123abcd`);
    const live = join(cache, `.scratch-${sleeper.pid}-89abcdef`);
    for (const copy of [dead, live]) {
      mkdirSync(copy);
      writeFileSync(join(copy, "manifest.json"), readFileSync(join(m.stored.dir, "manifest.json")));
      writeFileSync(join(copy, "data.npy"), "short");
    }
    const list = cli(["datasets", "list", "--cache", cache]);
    assert.doesNotMatch(list.stdout, /damaged/);
    for (const copy of [dead, live]) {
      assert.ok(
        list.stdout.includes(`${copy}  (scratch copy of a write case left by a failed or killed run, not a dataset; remove with datasets clean --partial)`),
        list.stdout,
      );
    }
    const scenario = join(dir, "s.yaml");
    writeFileSync(scenario, readFileSync(SCENARIO, "utf8").replace("shape: [2048, 2048]", "shape: [64, 64]"));
    const run = cli(["run", scenario, "--filter", "grid/npy/rows/warm", "--cache", cache, "--no-report", "--samples", "2", "--out", join(dir, "r.json")]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(run.stdout.includes(`removed ${dead}: a scratch copy left by an earlier run`), run.stdout);
    assert.ok(!existsSync(dead), "the dead run's copy is gone");
    assert.ok(existsSync(live), "a live process's copy is left alone");
  });
});

describe("free space and inodes of chunked layouts", () => {
  const dataset: DatasetSpec = { name: "d", shape: [100, 100], dtype: "int32", generator: "sequence", seed: 0 };
  const v3: ZarrLayout = { name: "z", backend: "zarr", format: 3, chunks: [10, 10], shards: null, codec: { name: "none" } };

  test("a chunked layout counts every file rounded up to whole blocks, its folders and an inode each", () => {
    // 100 chunk files of 400 bytes (4096 each on 4 KiB blocks) + zarr.json (4096); the manifest
    // 1024 + 64 × 101 bytes → 8192; 13 folders (entry, array.zarr, c, c/0 … c/9) of one block each
    // plus 32 bytes per name (102 files + 12 folders): 56896 → 57344.
    assert.deepEqual(spaceNeeded(zarrBackend.footprint!(v3, dataset), 4096), {
      bytes: 100 * 4096 + 4096 + 8192 + 57344,
      inodes: 102 + 13,
      files: 102,
      folders: 13,
    });
    // Sharded blosc: 4 shards of 25 chunks, each chunk at most 400 + 2 + 64 bytes plus its 16-byte
    // index entry, + 4 (12054 → 12288 each); folders entry, array.zarr, c, c/0, c/1.
    const sharded: ZarrLayout = { ...v3, shards: [50, 50], codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" } };
    assert.deepEqual(spaceNeeded(zarrBackend.footprint!(sharded, dataset), 4096), {
      bytes: 4 * 12288 + 4096 + 4096 + 24576,
      inodes: 6 + 5,
      files: 6,
      folders: 5,
    });
    // Format 2 keys (0.0, 0.1, …) sit in the array folder: the entry and array.zarr.
    assert.equal(spaceNeeded(zarrBackend.footprint!({ ...v3, format: 2 }, dataset), 4096).folders, 2);
  });

  test("the estimate names every file and folder materialization creates, and bounds the blocks they take", async (t) => {
    const dir = workDir("footprint");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const m = await ensureMaterialized(dir, dataset, v3);
    let files = 0;
    let folders = 1;
    let used = statSync(m.stored.dir).blocks * 512;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        used += statSync(p).blocks * 512;
        if (e.isDirectory()) {
          folders++;
          walk(p);
        } else files++;
      }
    };
    walk(m.stored.dir);
    const need = spaceNeeded(zarrBackend.footprint!(v3, dataset), statfsSync(dir).bsize);
    assert.deepEqual({ files, folders }, { files: need.files, folders: need.folders });
    assert.ok(used <= need.bytes, `${used} bytes on disk, estimated ${need.bytes}`);
  });

  test("too few inodes or blocks: one line each, with the counts and what to do", () => {
    const need = spaceNeeded(zarrBackend.footprint!(v3, dataset), 4096);
    assert.deepEqual(freeRoomProblems("/cache", "d as z", need, { bsize: 4096, bavail: 100, files: 1000, ffree: 50 }), [
      "/cache: not enough free space to materialize d as z: needs up to 468.0 KiB (102 files and 13 folders, each rounded up to 4096-byte blocks), " +
        "400.0 KiB available; free some space, or use a cache on another filesystem (--cache DIR)",
      "/cache: not enough free inodes to materialize d as z: its 102 files and 13 folders need 115 inodes, the filesystem has 50 free (df -i); " +
        "use larger chunks or shards, or a cache on another filesystem (--cache DIR)",
    ]);
    assert.deepEqual(freeRoomProblems("/cache", "d as z", need, { bsize: 4096, bavail: 117, files: 1000, ffree: 115 }), []);
    // No inode limit (btrfs reports 0 inodes in all): only space counts.
    assert.deepEqual(freeRoomProblems("/cache", "d as z", need, { bsize: 4096, bavail: 117, files: 0, ffree: 0 }), []);
  });
});

describe("one run at a time per cache", () => {
  test("a second run is refused with the pid of the first", (t) => {
    const dir = workDir("lock");
    const sleeper = spawn("sleep", ["30"]);
    t.after(() => {
      sleeper.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(join(dir, LOCK_FILE), `${sleeper.pid}\nrun other\n2026-01-01T00:00:00Z\n`);
    assert.throws(
      () => acquireRunLock(dir, "test"),
      (err: Error) =>
        err instanceof UserError &&
        err.message.includes(`another layoutbench process (pid ${sleeper.pid}, run other`) &&
        err.message.includes("use another --cache"),
    );
    const r = cli(["run", SCENARIO, "--cache", dir, "--out", join(dir, "r.json"), "--no-report"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /another layoutbench process .* is using this dataset cache/);
    sleeper.kill();
  });
});

describe("eviction that cannot work is reported", () => {
  const shm = "/dev/shm";
  const usable = existsSync(shm) && readFileSync("/proc/mounts", "utf8").includes(" /dev/shm tmpfs ");
  test("on tmpfs, cold results are marked unverified", { skip: usable ? false : "no tmpfs at /dev/shm on this machine", timeout: 60_000 }, (t) => {
    const dir = join(shm, `layoutbench-faults-${process.pid}`);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "r.json");
    const r = cli(["run", SCENARIO, "--filter", "npy/rows/cold", "--cache", dir, "--out", out, "--no-report", "--samples", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const results = readResults(out);
    assert.equal(results.context.eviction.verified, false);
    assert.equal(results.context.filesystem, "tmpfs");
    const codes = results.cases[0].warnings.map((w) => w.code);
    assert.ok(codes.includes("eviction-unverified"), codes.join(","));
    assert.ok(codes.includes("residency"), codes.join(","));
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
