/**
 * The session of a case on remote storage: its engine's remote read path (engines/remote-session.ts)
 * pointed at the storage the run started (remote-storage.ts).
 */
import { remotePythonSession } from "../engines/python-remote.ts";
import { remoteLayoutbenchSession, remoteZarritaSession } from "../engines/remote-session.ts";
import type { EngineSession } from "../engines/types.ts";
import type { CaseSpec } from "../scenario/types.ts";
import type { SessionParts } from "./engines-start.ts";
import { type RemoteTarget, remoteTransport } from "./remote-storage.ts";

export function remoteSessionFor(spec: CaseSpec, p: SessionParts, target: RemoteTarget): EngineSession {
  const reads = {
    kind: target.storage.kind,
    label: target.storage.label,
    prefix: target.prefix,
    concurrency: target.concurrency,
    localCopy: target.localCopy,
    newClient: target.newClient,
  };
  switch (spec.engine) {
    case "layoutbench":
      return remoteLayoutbenchSession(spec, p.backend, p.stored, p.selections, p.now, p.verifier, p.outputs, reads);
    case "zarrita":
      return remoteZarritaSession(spec, p.stored, p.selections, p.now, p.verifier, reads);
    case "python":
      if (!p.python) throw new Error("the python engine's worker is not running");
      return remotePythonSession(spec, p.python, p.stored, p.selections, p.verifier, {
        label: target.storage.label,
        // The worker's requests time out as ours do (LAYOUTBENCH_REMOTE_TIMEOUT_MS, else the default).
        remote: { ...target.python, ...remoteTransport() },
        served: target.served,
      });
    default:
      throw new Error(`the ${spec.engine} engine does not read remote storage`);
  }
}

/**
 * What the case's backend records from the objects before any timed read (HDF5: the byte ranges
 * libhdf5 reads, when there is no local copy to learn them from), through a client of its own, so
 * its requests are in no sample. Plans are kept, so later rounds send nothing.
 */
export async function planRemoteFor(spec: CaseSpec, p: SessionParts, target: RemoteTarget): Promise<void> {
  const planRemote = p.backend.planRemote;
  if (spec.engine !== "layoutbench" || !planRemote) return;
  const client = target.newClient();
  try {
    await planRemote(p.stored, { store: client, prefix: target.prefix, concurrency: target.concurrency, localCopy: target.localCopy }, p.selections);
  } finally {
    await client.close();
  }
}
