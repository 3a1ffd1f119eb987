/**
 * No storage server outlives the run that started it: a child process stands in for a run (it
 * starts moto), is ended in each way a run can end, and the process table is checked for moto.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

const CHILD = new URL("./support/remote-lifecycle-child.ts", import.meta.url).pathname;

/** Whether `pid` is a live process (a zombie counts as gone: it runs nothing and holds no port). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

/** Starts the stand-in run; resolves with moto's pid once it listens, and the run's exit. */
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
  const motoPid = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      lines.push(...text.split("\n").filter(Boolean));
      const started = lines.map((line) => JSON.parse(line) as { moto?: number }).find((m) => m.moto);
      if (started?.moto) resolve(started.moto);
    });
    void exit.then(() => reject(new Error(`the run exited before starting moto: ${stderr}`)));
  });
  // (The "throw" run may already have stopped it.)
  if (alive(motoPid)) assert.match(readFileSync(`/proc/${motoPid}/cmdline`, "utf8"), /moto-server\.py/);
  return { child, motoPid, exit, lines, stderr: () => stderr };
}

describe("no moto child survives its run", () => {
  test("SIGTERM: servers stopped, the run ends by the signal", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGTERM");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGTERM" });
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });

  test("SIGINT with no Ctrl-C handling: servers stopped, the run ends by the signal", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGINT" });
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });

  test("first Ctrl-C under run/interrupt.ts: the run stops at its safe point and stops the servers itself", async () => {
    const run = await startRun("interrupt");
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: 0, signal: null });
    assert.ok(run.lines.includes(JSON.stringify({ stopped: true })), run.lines.join("\n"));
    assert.match(run.stderr(), /interrupted: finished cases are kept/);
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });

  test("second Ctrl-C exits at once (130) and still kills moto", async () => {
    const run = await startRun("interrupt", "twice");
    run.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exit, { code: 130, signal: null });
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });

  test("SIGKILL, where no handler runs: moto notices its closed stdin and exits", async () => {
    const run = await startRun("wait");
    run.child.kill("SIGKILL");
    assert.deepEqual(await run.exit, { code: null, signal: "SIGKILL" });
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });

  test("an error thrown inside withStarted: servers stopped, the error reported", async () => {
    const run = await startRun("throw");
    assert.deepEqual(await run.exit, { code: 1, signal: null });
    assert.match(run.stderr(), /a case failed/);
    assert.ok(await gone(run.motoPid, 5000), `moto ${run.motoPid} still running`);
  });
});
