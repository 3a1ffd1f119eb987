/**
 * The python engine as a session: the worker opens, times and digests; this side verifies the
 * digests against the generator, so Python's reads are checked byte for byte too.
 */
import type { Selection } from "../access/selection.ts";
import type { Stored } from "../backends/types.ts";
import { VerificationError } from "../errors.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { verifyDigests, type PythonWorker } from "./python.ts";
import type { EngineSession } from "./types.ts";

export function pythonSession(spec: CaseSpec, worker: PythonWorker, stored: Stored, selections: readonly Selection[]): EngineSession {
  let opened = false;
  return {
    async open() {
      const { openMs } = await worker.open(stored, { writable: false });
      opened = true;
      return openMs;
    },
    async pass() {
      const r = await worker.pass(selections);
      const problem = verifyDigests(spec.dataset, selections, r.digests);
      if (problem) throw new VerificationError(problem);
      return { ms: r.ms, io: { readBytes: r.readBytes, writeBytes: r.writeBytes, majorFaults: r.majorFaults } };
    },
    async finish() {},
    async close() {
      if (opened) await worker.close();
      opened = false;
    },
  };
}
