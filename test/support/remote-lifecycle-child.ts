/**
 * A stand-in for a run that started storage servers, for test/remote-lifecycle.e2e.ts: starts moto
 * and an HTTP server (its server host child) over an empty directory, prints `{"moto": PID,
 * "host": PID}` and then, by `mode`, waits to be signalled,
 * throws, or (with run/interrupt.ts's Ctrl-C handling) stops at the first Ctrl-C like a run does.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catchInterrupt } from "../../harness/run/interrupt.ts";
import { type StartedRegistry, started, startHttpServer, startS3Server, withStarted } from "../../harness/servers/index.ts";

const mode = process.argv[2];
const root = mkdtempSync(join(tmpdir(), "layoutbench-lifecycle-"));

/** Starts both servers and prints their pids. */
async function startServers(registry?: StartedRegistry): Promise<void> {
  const [s3, http] = await Promise.all([startS3Server({ root, registry }), startHttpServer({ root, registry })]);
  console.log(JSON.stringify({ moto: s3.pid, host: http.hostPid }));
}

if (mode === "throw") {
  await withStarted(async (registry) => {
    await startServers(registry);
    throw new Error("a case failed");
  }).catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
} else if (mode === "interrupt") {
  const interrupt = catchInterrupt("finished cases are kept");
  await startServers();
  while (!interrupt.interrupted()) await new Promise((resolve) => setTimeout(resolve, 20));
  if (process.argv[3] === "twice") await new Promise((resolve) => setTimeout(resolve, 60_000)); // the second Ctrl-C exits
  await started.stopAll();
  interrupt.release();
  console.log(JSON.stringify({ stopped: started.size === 0 }));
} else {
  await startServers();
  setInterval(() => {}, 1000); // wait for the signal
}
