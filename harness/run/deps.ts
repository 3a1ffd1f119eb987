/**
 * What a run depends on beyond its scenarios: the machine (clocks, I/O counters, eviction,
 * residency, context, the run lock), the backend table, materialization and the engines. The
 * run takes them as one object so a test can drive run → stats → report with an in-memory
 * backend and a scripted clock; `realRunDeps()` (real-deps.ts) builds the real ones at the edge.
 */

import type { Backend, Stored } from "../backends/types.ts";
import type { Selection } from "../core/selection.ts";
import type { OutputPool } from "../engines/output-pool.ts";
import type { PythonVersions, PythonWorker } from "../engines/python.ts";
import type { EngineSession } from "../engines/types.ts";
import type { SelectionVerifier } from "../engines/verify.ts";
import type { CaseSpec, DatasetSpec, EvictionMethod, LayoutSpec } from "../scenario/types.ts";
import type { Materialized, MaterializeOptions } from "../store/materialize.ts";
import type { RunProgress } from "./eta.ts";
import type { CaseResult, RunContext } from "./results-types.ts";
import type { CaseEnv } from "./sampler.ts";
import type { CaseStamp, ShardHeader } from "./shard-record.ts";

/** An engine that reads through a library's own API in this process (zarrita's zarr.get, h5wasm's Dataset.slice). */
export interface LibraryEngineDeps {
  /** Why it cannot read this layout with this operation, or undefined when it can. */
  support(layout: LayoutSpec, op: "read" | "write"): string | undefined;
  session(spec: CaseSpec, stored: Stored, selections: readonly Selection[], verifier: SelectionVerifier, now: () => number): EngineSession;
}

export interface RunEngines {
  /** layoutbench's own backends in this process (the engine once called js). */
  layoutbench(
    spec: CaseSpec,
    backend: Backend,
    stored: Stored,
    selections: readonly Selection[],
    now: () => number,
    verifier: SelectionVerifier,
    outputs: OutputPool,
  ): EngineSession;
  readonly zarrita: LibraryEngineDeps;
  readonly h5wasm: LibraryEngineDeps;
  /** The Python reference stack: started once per run when a case needs it. */
  readonly python: {
    /**
     * Starts the worker. `required` (a python case needs its packages): throws a UserError saying
     * what to install when they are missing. Otherwise (tensorstore only asks what is installed)
     * resolves to null when the worker cannot start.
     */
    start(required: boolean): Promise<PythonWorker | null>;
    /** Why the reference stack cannot run this layout, or undefined when it can. */
    support(layout: LayoutSpec, options: { op: "read" | "write"; versions: PythonVersions }): string | undefined;
    session(spec: CaseSpec, worker: PythonWorker, stored: Stored, selections: readonly Selection[], verifier: SelectionVerifier): EngineSession;
  };
  /** tensorstore, through the Python worker: why it cannot read here (`versions`: the worker's, when one runs). */
  readonly tensorstore: { support(versions: PythonVersions | undefined): string };
}

export interface RunDeps {
  /** Clock, I/O counters, eviction and residency the sampler uses. */
  sampleEnv(method: EvictionMethod): CaseEnv;
  /** Wall-clock time for the records' timestamps, ISO 8601. */
  timestamp(): string;
  backendFor(layout: LayoutSpec): Backend;
  materialize(cacheRoot: string, dataset: DatasetSpec, layout: LayoutSpec, options: MaterializeOptions): Promise<Materialized>;
  collectContext(cacheRoot: string, method: EvictionMethod): Promise<RunContext>;
  /** Takes the cache's run lock; returns its release. */
  lock(cacheRoot: string, purpose: string): () => void;
  /** Removes write cases' scratch copies left by runs that are gone (called under the lock); returns them. */
  cleanScratch(cacheRoot: string): string[];
  readonly engines: RunEngines;
}

/** What a run is asked to do: where to keep data and results, which cases, and how to report. */
export interface RunOptions {
  readonly cacheRoot: string;
  readonly resultsPath: string;
  readonly filter: (id: string) => boolean;
  readonly rematerialize?: boolean;
  /** One line per finished case. */
  readonly log: (line: string) => void;
  /** Cases already finished (resume): they are kept and not run again. */
  readonly done?: readonly CaseResult[];
  /** Called before the first case round and after each one (before that case's log line, if it finished). */
  readonly progress?: (p: RunProgress) => void;
  /** Polled between samples and cases; true ends the run early, keeping what finished. */
  readonly interrupted?: () => boolean;
  /** Header fields of a sharded run (plan, shard, machine, calibration), written as given. */
  readonly header?: ShardHeader;
  /** Fields every case this run samples carries (its shard and machine). */
  readonly stamp?: CaseStamp;
}
