/**
 * The server host dies mid-run: the run's HTTP server and its proxy run in a child of the run (the
 * server host). The test kills that child with SIGKILL once the first remote case is written; the
 * next remote case fails with one line, the finished case is kept, the run ends (exit 2) and
 * nothing is left running.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { BIN, hasStack } from "./support/cli.ts";
import { alive } from "./support/processes.ts";

const ROOT = join(import.meta.dirname, "..");
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-host-dies-${process.pid}`);
after(() => rmSync(dir, { recursive: true, force: true }));

/** The server hosts whose parent is `parent`. */
function hostsOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("server-host.ts")) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

test("a server host killed mid-run fails the next remote case with one line and the run goes on to its end", { timeout: 120_000 }, async (t) => {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "results.json");
  const args = ["run", "test/fixtures/scenarios/runs/storage-host-dies.yaml", "--out", out, "--cache", join(dir, "cache"), "--no-report"];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const killed: number[] = [];
  const onText = (text: string) => {
    output += text;
    // The first case's line is written when it has finished: kill the host before the second.
    if (killed.length === 0 && /\[1\/2\]/.test(output)) {
      const hosts = hostsOf(child.pid!);
      assert.equal(hosts.length, 1, `one server host under the run, found ${hosts.join(", ")}\n${output}`);
      process.kill(hosts[0], "SIGKILL");
      killed.push(hosts[0]);
    }
  };
  child.stdout.setEncoding("utf8").on("data", onText);
  child.stderr.setEncoding("utf8").on("data", onText);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(killed.length, 1, `the first case never finished:\n${output}`);
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const [first, second] = results.cases;
  assert.equal(first.status, "ok", `${first.id}: ${first.error}`);
  assert.equal(first.samples.length, 5);
  assert.equal(second.status, "failed", `${second.id} finished although its server was gone`);
  assert.ok(!second.error!.includes("\n"), second.error);
  assert.match(second.error!, /connection refused/);
  t.diagnostic(`${second.id}: ${second.error}`);
  assert.equal(code, 2, output);
  assert.ok(!hasStack(output), output);
  assert.ok(!alive(killed[0]), `server host ${killed[0]} still running`);
  assert.deepEqual(hostsOf(child.pid!), []);
});
