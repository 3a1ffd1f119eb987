/**
 * No storage server outlives the run that started it: a child process stands in for a run (it
 * starts moto and an HTTP server, whose file server runs in a server host child), is ended in each
 * way a run can end, and the process table is checked for moto and the server host.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { alive } from "./support/processes.ts";

const CHILD = new URL("./support/remote-lifecycle-child.ts", import.meta.url).pathname;

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

/** Starts the stand-in run; resolves with moto's and the server host's pids once both listen, and the run's exit. */
async function startRun(...args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const { moto: motoPid, host: hostPid } = await new Promise<{ moto: number; host: number }>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      lines.push(...text.split("\n").filter(Boolean));
      const started = lines.map((line) => JSON.parse(line) as { moto?: number; host?: number }).find((m) => m.moto);
      if (started?.moto && started.host) resolve({ moto: started.moto, host: started.host });
    });
    void exit.then(() => reject(new Error(`the run exited before starting its servers: ${stderr}`)));
  });
  // (The "throw" run may already have stopped them.)
  if (alive(motoPid)) assert.match(readFileSync(`/proc/${motoPid}/cmdline`, "utf8"), /moto-server\.py/);
  if (alive(hostPid)) assert.match(readFileSync(`/proc/${hostPid}/cmdline`, "utf8"), /server-host\.ts/);
  return { child, motoPid, hostPid, exit, lines, stderr: () => stderr };
}

/** Both servers of `run` end within `withinMs`. */
async function serversGone(run: { motoPid: number; hostPid: number }, withinMs = 5000): Promise<void> {
  assert.ok(await gone(run.motoPid, withinMs), `moto ${run.motoPid} still running`);
  assert.ok(await gone(run.hostPid, withinMs), `server host ${run.hostPid} still running`);
}

describe("no moto or server host child survives its run", () => {
  test("SIGTERM: servers stopped, the run ends by the signal", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGTERM");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGTERM" });
    await serversGone(run);
  });

  test("SIGINT with no Ctrl-C handling: servers stopped, the run ends by the signal", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGINT" });
    await serversGone(run);
  });

  test("first Ctrl-C under run/interrupt.ts: the run stops at its safe point and stops the servers itself", async () => {
    const run = await startRun("interrupt");
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: 0, signal: null });
    assert.ok(run.lines.includes(JSON.stringify({ stopped: true })), run.lines.join("\n"));
    assert.match(run.stderr(), /interrupted: finished cases are kept/);
    await serversGone(run);
  });

  test("second Ctrl-C exits at once (130) and still kills moto", async () => {
    const run = await startRun("interrupt", "twice");
    run.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: 130, signal: null });
    await serversGone(run);
  });

  test("SIGKILL, where no handler runs: moto notices its closed stdin, the server host its closed IPC channel, and both exit", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGKILL");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGKILL" });
    await serversGone(run);
  });

  test("an error thrown inside withStarted: servers stopped, the error reported", async () => {
    const run = await startRun("throw");
    assert.deepEqual(await run.exit, { code: 1, signal: null });
    assert.match(run.stderr(), /a case failed/);
    await serversGone(run);
  });
});
