/**
 * The python engine as a session: the worker opens, times and digests; this side verifies the
 * digests against the generator (or a source's reference reads), so Python's reads are checked too.
 */

import type { Stored } from "../backends/types.ts";
import { VerificationError } from "../core/errors.ts";
import { formatSelection, type Selection } from "../core/selection.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { ENGINE_NAME, type PythonWorker, verifyDigests } from "./python.ts";
import { pythonReadPath } from "./python-read-path.ts";
import type { EngineSession } from "./types.ts";
import type { SelectionVerifier } from "./verify.ts";

/** Digests checked against reference reads (datasets read from a file have no generator). */
function checkDigests(verifier: SelectionVerifier, selections: readonly Selection[], digests: readonly string[]): string | undefined {
  if (digests.length !== selections.length) return `${ENGINE_NAME}: ${digests.length} digests for ${selections.length} selections`;
  for (let i = 0; i < selections.length; i++) {
    const problem = verifier.checkDigest(i, digests[i]);
    if (problem) return `${ENGINE_NAME}: read ${formatSelection(selections[i])} returned wrong data: ${problem}`;
  }
  return undefined;
}

export function pythonSession(
  spec: CaseSpec,
  worker: PythonWorker,
  stored: Stored,
  selections: readonly Selection[],
  verifier?: SelectionVerifier,
): EngineSession {
  let opened = false;
  let everOpened = false;
  return {
    ownIo: true,
    async open() {
      const { openMs } = await worker.open(stored, { writable: false });
      opened = true;
      everOpened = true;
      return openMs;
    },
    async pass() {
      const r = await worker.pass(selections);
      const problem = verifier ? checkDigests(verifier, selections, r.digests) : verifyDigests(spec.dataset, selections, r.digests);
      if (problem) throw new VerificationError(problem);
      return { ms: r.ms, io: { readBytes: r.readBytes, writeBytes: r.writeBytes, majorFaults: r.majorFaults } };
    },
    async finish() {},
    async close() {
      if (opened) await worker.close();
      opened = false;
    },
    readPath: () => (everOpened ? pythonReadPath(stored.layout, worker.versions) : undefined),
  };
}
