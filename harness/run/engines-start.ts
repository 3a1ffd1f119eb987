/**
 * Engine start-up for a run: the Python reference worker when a case needs it, and the cases it
 * cannot read left out with their reason said once.
 */
import type { PythonWorker } from "../engines/python.ts";
import type { CaseSpec } from "../scenario/types.ts";
import type { RunEngines } from "./deps.ts";

/** The Python worker when any case needs it, else null; throws a UserError naming what to install. */
export async function startEngines(cases: readonly CaseSpec[], engines: RunEngines): Promise<PythonWorker | null> {
  return cases.some((c) => c.engine === "python") ? engines.python.start() : null;
}

/** Python cases for layouts the reference stack cannot read are left out, each reason said once. */
export function supportedCases(
  cases: readonly CaseSpec[], python: PythonWorker | null, engines: RunEngines, log: (line: string) => void,
): CaseSpec[] {
  const said = new Set<string>();
  return cases.filter((c) => {
    if (c.engine !== "python" || !python) return true;
    const reason = c.pattern.openPerAccess
      ? "opening the reader per access (openPerAccess) is measured in the js engine only"
      : engines.python.support(c.layout, { op: c.pattern.op, versions: python.versions });
    if (!reason) return true;
    const key = `${c.layout.name}: ${reason}`;
    if (!said.has(key)) log(`python engine skips ${key}`);
    said.add(key);
    return false;
  });
}
