/**
 * One place that knows every engine: whether it can read a case (and why not), and the session
 * that reads it. The executor asks here instead of naming engines itself.
 */
import type { Selection } from "../access/selection.ts";
import type { Backend, Stored } from "../backends/types.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { h5wasmEngine, h5wasmSupport } from "./h5wasm.ts";
import { jsSession } from "./js.ts";
import { librarySession } from "./library-session.ts";
import type { OutputPool } from "./output-pool.ts";
import { pythonSupport, type PythonWorker } from "./python.ts";
import { tensorstoreSupport } from "./python-read-path.ts";
import { pythonSession } from "./python-session.ts";
import type { EngineName, EngineSession, ReadPath } from "./types.ts";
import type { SelectionVerifier } from "./verify.ts";
import { zarritaEngine, zarritaSupport } from "./zarrita.ts";

/** Engines that run in the Python worker. */
export function needsPython(engine: EngineName): boolean {
  return engine === "python" || engine === "tensorstore";
}

/**
 * Why `spec`'s engine cannot read it here, or undefined when it can. `python` is the worker when one
 * runs (its versions say what is installed).
 */
export function engineSupport(spec: CaseSpec, python: PythonWorker | null): string | undefined {
  const op = spec.pattern.op;
  switch (spec.engine) {
    case "layoutbench": return undefined;
    case "zarrita": return zarritaSupport(spec.layout, op);
    case "h5wasm": return h5wasmSupport(spec.layout, op);
    case "python": return python ? pythonSupport(spec.layout, { op, versions: python.versions }) : undefined;
    case "tensorstore": return tensorstoreSupport(python?.versions);
  }
}

export interface SessionParts {
  readonly backend: Backend;
  readonly stored: Stored;
  readonly selections: readonly Selection[];
  readonly verifier: SelectionVerifier;
  readonly now: () => number;
  readonly outputs: OutputPool;
  readonly python: PythonWorker | null;
}

/** The session that reads `spec` with its engine. */
export function sessionFor(spec: CaseSpec, p: SessionParts): EngineSession {
  switch (spec.engine) {
    case "layoutbench": return jsSession(spec, p.backend, p.stored, p.selections, p.now, p.verifier, p.outputs);
    case "zarrita": return librarySession(spec, zarritaEngine(p.stored), p.selections, p.verifier, p.now);
    case "h5wasm": return librarySession(spec, h5wasmEngine(p.stored), p.selections, p.verifier, p.now);
    case "python":
      if (!p.python) throw new Error("the python engine's worker is not running");
      return pythonSession(spec, p.python, p.stored, p.selections, p.verifier);
    case "tensorstore": throw new Error(tensorstoreSupport(p.python?.versions));
  }
}

/** The case warnings a read path earns: one per fallback, naming it. */
export function readPathWarnings(path: ReadPath | undefined): { code: "read-path-fallback"; message: string }[] {
  return (path?.fallbacks ?? []).map((f) => ({ code: "read-path-fallback" as const, message: `${path!.engine} read path fell back: ${f}` }));
}

/** The latest round's read path, keeping every fallback an earlier round took (a fallback in any round marks the case). */
export function mergeReadPaths(earlier: ReadPath | undefined, latest: ReadPath | undefined): ReadPath | undefined {
  if (!latest || !earlier) return latest ?? earlier;
  return { ...latest, fallbacks: [...new Set([...earlier.fallbacks, ...latest.fallbacks])] };
}
