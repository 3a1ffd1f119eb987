/**
 * Rounds in fresh processes (`sampling.freshProcess`): each round of the run is taken by a new
 * Node process (round-worker.ts), as asv's `processes` do. Some of the noise on a shared machine
 * belongs to a process, not to a moment: where its heap and mappings landed, how its code was
 * compiled. One process per run turns that into a shift of every sample of the run, which no
 * interval of one run can see; one process per round turns it into round-to-round spread, which
 * the two-stage bootstrap over rounds carries into every interval.
 *
 * The parent keeps the run lock, the results file and the log; the worker samples the cases it is
 * sent, one round each, and replies per case over the IPC channel. A Ctrl-C reaches the worker
 * (same process group, or forwarded): it finishes its current case and stops. A worker that ends
 * without replying for a case fails that case with its exit status.
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import type { ReadPath } from "../engines/types.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { forwardInterrupt } from "./interrupt.ts";
import type { CaseResult, RecordBasis, RunContext, Sample } from "./results-types.ts";

const WORKER = join(import.meta.dirname, "round-worker.ts");
/** tsx's loader by absolute URL: the worker must load it whatever directory the run started in. */
const TSX = import.meta.resolve("tsx");

export interface RoundRequest {
  readonly round: number;
  readonly cacheRoot: string;
  readonly context: RunContext;
  readonly cases: readonly { readonly spec: CaseSpec; readonly startedAt: string; readonly passes?: number }[];
}

export interface RoundReply {
  readonly id: string;
  readonly samples: Sample[];
  readonly passes?: number;
  /** Set with samples: what the parent's record of the case needs besides them. */
  readonly basis?: RecordBasis;
  /** The path the round's reads took. */
  readonly readPath?: ReadPath;
  readonly failure?: CaseResult;
  /** Set by the parent for a case the worker never replied for: the case fails with it. */
  readonly error?: string;
}

/** What a round needs of each case it takes (the executor's CaseRun has these). */
interface RoundCase {
  readonly spec: CaseSpec;
  readonly startedAt: string;
  readonly passes?: number;
}

/** Takes one round of `runs` in a new process; resolves to true when the run was interrupted. */
export async function roundInFreshProcess<R extends RoundCase>(
  round: number,
  runs: readonly R[],
  context: RunContext,
  options: { readonly cacheRoot: string; readonly interrupted?: () => boolean },
  onReply: (run: R, reply: RoundReply) => Promise<void>,
): Promise<boolean> {
  const byId = new Map(runs.map((r) => [r.spec.id, r]));
  const replied = new Set<string>();
  const child = fork(WORKER, [], { execArgv: ["--import", TSX], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const stopForwarding = forwardInterrupt(child, options.interrupted);
  let pending = Promise.resolve();
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on("message", (reply: RoundReply) => {
        const run = byId.get(reply.id);
        if (!run) return;
        replied.add(reply.id);
        pending = pending.then(() => onReply(run, reply));
      });
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve({ code, signal }));
      const request: RoundRequest = {
        round,
        cacheRoot: options.cacheRoot,
        context,
        cases: runs.map((r) => ({ spec: r.spec, startedAt: r.startedAt, passes: r.passes })),
      };
      child.send(request);
    });
    await pending;
    const interrupted = options.interrupted?.() ?? false;
    if (!interrupted) {
      for (const run of runs) {
        if (replied.has(run.spec.id)) continue;
        const status = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
        await onReply(run, { id: run.spec.id, samples: [], error: `the process taking round ${round} ended (${status}) before sampling this case` });
      }
    }
    return interrupted;
  } finally {
    stopForwarding();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
