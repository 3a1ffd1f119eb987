/**
 * Faults of reader processes, through the real CLI: a reader killed in the middle of a case fails
 * that case with the reader's own error, the other readers are stopped, the run goes on to the next
 * case, and no reader process is left; Ctrl-C stops the run and every reader with it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { BIN } from "./support/cli.ts";
import { alive } from "./support/processes.ts";

const ROOT = join(import.meta.dirname, "..");
const DIR = join(ROOT, "datasets", "cache", "test-tmp", `readers-faults-${process.pid}`);
const SCENARIO = "test/fixtures/scenarios/runs/readers-faults.yaml";
/** Two cases: the first is the one a reader of which is killed; the second must still run. */

/** Reader processes (reader-child.ts) whose parent is `ppid`, from the process table. */
function readersOf(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "latin1");
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== ppid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "latin1").includes("reader-child.ts")) out.push(Number(entry));
    } catch {
      // Gone while listed.
    }
  }
  return out;
}

/** Starts a run of many samples; resolves with the run and the readers once `n` of them are up. */
async function runWithReaders(out: string, n: number) {
  const args = ["run", SCENARIO, "--cache", join(DIR, "cache"), "--out", out, "--no-report"];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const seen = new Set<number>();
  // The run's pid is node's; readers are its children once the first case starts.
  for (let waited = 0; seen.size < n; waited += 100) {
    if (waited > 240_000 || child.exitCode !== null) assert.fail(`no ${n} readers appeared: ${output}`);
    for (const pid of readersOf(child.pid!)) seen.add(pid);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Give them time to open and take samples (the case samples for 8 s).
  await new Promise((r) => setTimeout(r, 1500));
  return { child, exited, seen, output: () => output };
}

describe("reader faults", () => {
  mkdirSync(DIR, { recursive: true });
  after(() => rmSync(DIR, { recursive: true, force: true }));

  test("a killed reader fails its case, the others are stopped, the run goes on, no reader is left", async () => {
    const out = join(DIR, "killed.json");
    const run = await runWithReaders(out, 2);
    const [victim, other] = [...run.seen];
    process.kill(victim, "SIGKILL");
    // The second case's readers, as they come: none may be left once the run is over.
    const poll = setInterval(() => {
      for (const pid of readersOf(run.child.pid!)) run.seen.add(pid);
    }, 100);
    const code = await run.exited;
    clearInterval(poll);
    // 2: the run finished with a failed case.
    assert.equal(code, 2, run.output());
    const results: ResultsFile = JSON.parse(readFileSync(out, "utf8"));
    const [killed, next] = results.cases;
    assert.equal(killed.id, "readers/a/npy/rows/warm/readers=2p1t-partition");
    assert.equal(killed.status, "failed");
    assert.match(killed.error!, new RegExp(`^reader \\d \\(pid ${victim}\\) was killed by SIGKILL`));
    assert.equal(next.id, "readers/a/zarr-raw/rows/warm/readers=2p1t-partition");
    assert.equal(next.status, "ok", next.error);
    assert.ok(!alive(other), `reader ${other} of the failed case is still running`);
    for (const pid of run.seen) assert.ok(!alive(pid), `reader ${pid} outlived the run`);
    assert.ok(run.seen.size >= 4, `readers seen: ${[...run.seen]}`);
  });

  test("Ctrl-C stops the run and every reader", async () => {
    const out = join(DIR, "interrupted.json");
    const run = await runWithReaders(out, 2);
    run.child.kill("SIGINT");
    const code = await run.exited;
    assert.equal(code, 130, run.output());
    for (const pid of run.seen) assert.ok(!alive(pid), `reader ${pid} outlived the run`);
    assert.equal(existsSync(out), true);
    const results: ResultsFile = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(results.finishedAt, null, "an interrupted run is marked unfinished");
  });
});
