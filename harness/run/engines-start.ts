/**
 * The engines of a run: the Python worker started when a case needs it, the cases an engine cannot
 * read here left out with their reason said once, and the session that reads each case. Every
 * engine comes from the run's `RunEngines` (deps.ts); this is the one place that names them.
 */

import type { Backend, Stored } from "../backends/types.ts";
import type { Selection } from "../core/selection.ts";
import type { OutputPool } from "../engines/output-pool.ts";
import type { PythonWorker } from "../engines/python.ts";
import type { EngineSession } from "../engines/types.ts";
import type { SelectionVerifier } from "../engines/verify.ts";
import type { CaseSpec, EngineName } from "../scenario/types.ts";
import type { RunEngines } from "./deps.ts";

/** Engines that run in the Python worker. */
export function needsPython(engine: EngineName): boolean {
  return engine === "python" || engine === "tensorstore";
}

/**
 * The Python worker when any case needs it, else null. Throws a UserError naming what to install
 * when a python case cannot have it; tensorstore alone, where the worker cannot start, skips its
 * cases with the reason instead.
 */
export async function startEngines(cases: readonly CaseSpec[], engines: RunEngines): Promise<PythonWorker | null> {
  if (!cases.some((c) => needsPython(c.engine))) return null;
  return engines.python.start(cases.some((c) => c.engine === "python"));
}

/** Why `spec`'s engine cannot read it here, or undefined when it can. `python`: the worker, when one runs. */
export function engineSupport(spec: CaseSpec, python: PythonWorker | null, engines: RunEngines): string | undefined {
  const op = spec.pattern.op;
  if (spec.engine !== "layoutbench" && spec.pattern.openPerAccess) {
    return "opening the reader per access (openPerAccess) is measured in the layoutbench engine only";
  }
  switch (spec.engine) {
    case "layoutbench":
      return undefined;
    case "zarrita":
    case "h5wasm":
      return engines[spec.engine].support(spec.layout, op);
    case "python":
      return python ? engines.python.support(spec.layout, { op, versions: python.versions }) : undefined;
    case "tensorstore":
      return engines.tensorstore.support(python?.versions);
  }
}

/** Cases an engine cannot read here are left out, each reason said once. */
export function supportedCases(cases: readonly CaseSpec[], python: PythonWorker | null, engines: RunEngines, log: (line: string) => void): CaseSpec[] {
  const said = new Set<string>();
  return cases.filter((c) => {
    const reason = engineSupport(c, python, engines);
    if (!reason) return true;
    const line = `${c.engine} engine skips ${c.layout.name}: ${reason}`;
    if (!said.has(line)) log(line);
    said.add(line);
    return false;
  });
}

/** What a session is built from: the case's prepared parts and the run's shared ones. */
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
export function sessionFor(spec: CaseSpec, p: SessionParts, engines: RunEngines): EngineSession {
  switch (spec.engine) {
    case "layoutbench":
      return engines.layoutbench(spec, p.backend, p.stored, p.selections, p.now, p.verifier, p.outputs);
    case "zarrita":
    case "h5wasm":
      return engines[spec.engine].session(spec, p.stored, p.selections, p.verifier, p.now);
    case "python":
      if (!p.python) throw new Error("the python engine's worker is not running");
      return engines.python.session(spec, p.python, p.stored, p.selections, p.verifier);
    case "tensorstore":
      throw new Error(engines.tensorstore.support(p.python?.versions));
  }
}
