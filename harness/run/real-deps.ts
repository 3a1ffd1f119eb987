/**
 * The run's real dependencies: performance.now, /proc/self/io, fadvise or drop_caches eviction
 * checked with mincore, the backend registry, the dataset cache and every engine.
 */
import { backendFor } from "../backends/registry.ts";
import { evictFiles } from "../cache/evict.ts";
import { rangeResidency, residency } from "../cache/residency.ts";
import { UserError } from "../core/errors.ts";
import { h5wasmEngine, h5wasmSupport } from "../engines/h5wasm.ts";
import { jsSession } from "../engines/js.ts";
import { librarySession } from "../engines/library-session.ts";
import { pythonAvailable, pythonSupport, startPythonWorker } from "../engines/python.ts";
import { tensorstoreSupport } from "../engines/python-read-path.ts";
import { pythonSession } from "../engines/python-session.ts";
import { zarritaEngine, zarritaSupport } from "../engines/zarrita.ts";
import type { EvictionMethod } from "../scenario/types.ts";
import { LOCAL_CREDENTIALS } from "../servers/start.ts";
import { acquireRunLock } from "../store/lock.ts";
import { ensureMaterialized, removeStaleScratch } from "../store/materialize.ts";
import { collectContext } from "./context.ts";
import type { RunDeps } from "./deps.ts";
import { readIoCounters } from "./io-counters.ts";
import type { CaseEnv } from "./sampler.ts";
import { readSchedCounters } from "./sched-counters.ts";
import { processTimerOverheadMs } from "./timer-overhead.ts";

/** What the Python worker signs requests to the harness's own S3 server with (reference_remote.py reads them). */
const MANAGED_S3_ENV = {
  LAYOUTBENCH_MANAGED_S3_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  LAYOUTBENCH_MANAGED_S3_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
};

export function realEnv(method: EvictionMethod): CaseEnv {
  return {
    now: () => performance.now(),
    io: () => {
      const io = readIoCounters();
      return { readBytes: io.readBytes, writeBytes: io.writeBytes, majorFaults: io.majorFaults };
    },
    evict: async (files) => evictFiles(files, method),
    residency: (files, ranges) => (ranges ? rangeResidency(ranges) : residency(files)).fraction,
    sched: readSchedCounters,
    timerOverheadMs: processTimerOverheadMs(),
  };
}

export function realRunDeps(): RunDeps {
  return {
    sampleEnv: realEnv,
    timestamp: () => new Date().toISOString(),
    backendFor,
    materialize: ensureMaterialized,
    collectContext,
    lock: acquireRunLock,
    cleanScratch: removeStaleScratch,
    engines: {
      layoutbench: jsSession,
      zarrita: {
        support: zarritaSupport,
        session: (spec, stored, selections, verifier, now) => librarySession(spec, zarritaEngine(stored), selections, verifier, now),
      },
      h5wasm: {
        support: h5wasmSupport,
        session: (spec, stored, selections, verifier, now) => librarySession(spec, h5wasmEngine(stored), selections, verifier, now),
      },
      python: {
        async start(required) {
          const available = await pythonAvailable();
          if (!available.ok && required) throw new UserError(`engines: python: ${available.reason}`);
          // The worker signs requests to the harness's own S3 server with these (moto accepts any; never logged).
          return available.versions ? startPythonWorker({ env: MANAGED_S3_ENV }) : null;
        },
        support: pythonSupport,
        session: pythonSession,
      },
      tensorstore: { support: tensorstoreSupport },
    },
  };
}
