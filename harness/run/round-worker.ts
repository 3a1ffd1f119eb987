/**
 * A fresh process taking one round of a run (see fresh-process.ts): receives a RoundRequest over
 * IPC, samples each case once more, replies per case, and exits. Its layouts were written by the
 * parent before the first round, so here they are only found again. It exits at once when the
 * parent goes away, so a killed run leaves no sampler behind.
 */
import { OutputPool } from "../engines/output-pool.ts";
import type { PythonWorker } from "../engines/python.ts";
import type { CaseRun } from "./case-record.ts";
import { needsPython } from "./engines-start.ts";
import type { RoundReply, RoundRequest } from "./fresh-process.ts";
import { materializeAll } from "./prepare.ts";
import { realRunDeps } from "./real-deps.ts";
import { sampleCaseRound } from "./rounds.ts";

let stop = false;
// Finish the current case, then stop: the parent keeps what was taken.
process.on("SIGINT", () => {
  stop = true;
});
process.on("disconnect", () => process.exit(stop ? 130 : 0));

process.once("message", (request: RoundRequest) => {
  work(request).then(
    () => process.disconnect(),
    (err) => {
      console.error(`round ${request.round}: ${(err as Error).message}`);
      process.exit(1);
    },
  );
});

async function work(request: RoundRequest): Promise<void> {
  const specs = request.cases.map((c) => c.spec);
  const options = { cacheRoot: request.cacheRoot, interrupted: () => stop };
  const deps = realRunDeps();
  const materialized = await materializeAll(specs, options, deps);
  const env = deps.sampleEnv(request.context.eviction.method);
  const pools = { outputs: new OutputPool(), expected: new OutputPool() };
  let python: PythonWorker | null = null;
  try {
    // The parent already refused a run whose python cases cannot start the worker.
    if (specs.some((s) => needsPython(s.engine))) python = await deps.engines.python.start(false);
    for (const c of request.cases) {
      if (stop) break;
      const run: CaseRun = { spec: c.spec, index: 0, startedAt: c.startedAt, samples: [], passes: c.passes, roundsDone: request.round - 1 };
      await sampleCaseRound(run, request.round, { materialized, env, python, pools, deps, cacheRoot: request.cacheRoot, interrupted: options.interrupted });
      const reply: RoundReply = {
        id: c.spec.id,
        failure: run.failure,
        passes: run.passes,
        basis: run.basis,
        readPath: run.readPath,
        samples: run.samples.map((s) => ({ ...s, pid: process.pid })),
      };
      await new Promise<void>((resolve, reject) => process.send!(reply, undefined, {}, (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    await python?.quit();
  }
}
