/**
 * Checks across a scenario's storage and its other lists: layouts that cannot be read remotely
 * (memmap without `remote: download`), write patterns (remote storage is read-only here), and
 * engines with no remote read path. Pure: the backends' answer comes in as `remoteProblem`.
 */
import { REMOTE_ENGINES } from "./engines.ts";
import type { LayoutSpec, Scenario } from "./types.ts";

interface StorageProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Problems of reading the scenario's layouts, patterns and engines from its non-local storage. */
export function storageProblems(scenario: Scenario, remoteProblem: ((layout: LayoutSpec) => string | undefined) | undefined): StorageProblem[] {
  const remote = scenario.storage.filter((s) => s.kind !== "local");
  if (remote.length === 0) return [];
  // One line per problem: the first remote storage by name, the others counted.
  const named = `storage "${remote[0].label}"${remote.length > 1 ? ` (and ${remote.length - 1} other remote storage${remote.length > 2 ? "s" : ""})` : ""}`;
  const problems: StorageProblem[] = [];
  if (scenario.datasets.some((d) => !d.source)) {
    scenario.layouts.forEach((layout, li) => {
      const why = remoteProblem?.(layout);
      if (why) problems.push({ path: ["layouts", li], message: `layout "${layout.name}" cannot be read from ${named}: ${why}` });
    });
  }
  scenario.patterns.forEach((pattern, pi) => {
    if (pattern.op === "write") {
      problems.push({
        path: ["patterns", pi, "op"],
        message: `write patterns cannot run on ${named}: layoutbench reads remote storage only; put write patterns in a scenario with storage: [local]`,
      });
    }
  });
  scenario.engines.forEach((engine, ei) => {
    const why = REMOTE_ENGINES[engine];
    if (why !== true) {
      problems.push({ path: ["engines", ei], message: `${engine} cannot read ${named}: ${why}; use engines layoutbench, zarrita or python there` });
    }
  });
  return problems;
}
