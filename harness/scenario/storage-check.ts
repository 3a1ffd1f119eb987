/**
 * Checks across a scenario's storage and its other lists: layouts that cannot be read remotely
 * (memmap without `remote: download`), write patterns (remote storage is read-only here), and
 * engines with no remote read path. Pure: the backends' answer comes in as `remoteProblem`.
 */
import { setsSieve } from "../backends/hdf5/layout.ts";
import { REMOTE_ENGINES } from "./engines.ts";
import { binaryBytes } from "./messages.ts";
import type { LayoutSpec, Scenario } from "./types.ts";

interface StorageProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Problems of reading the scenario's layouts, patterns and engines from its non-local storage. */
export function storageProblems(scenario: Scenario, remoteProblem: ((layout: LayoutSpec) => string | undefined) | undefined): StorageProblem[] {
  const remote = scenario.storage.filter((s) => s.kind !== "local");
  if (remote.length === 0) return sieveProblems(scenario);
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
  return [...problems, ...sieveProblems(scenario)];
}

/** Engines that read HDF5 through libhdf5 opened with its defaults (h5py's File, h5wasm). */
const DEFAULT_SIEVE_ENGINES = new Set(["python", "h5wasm"]);

/**
 * An HDF5 sieve size other than libhdf5's default is replayed only by the layoutbench engine's
 * ranged reads of remote storage: locally h5wasm reads (it cannot set H5Pset_sieve_buf_size), and
 * the other engines open files with libhdf5's defaults, so such a case would not use it.
 */
function sieveProblems(scenario: Scenario): StorageProblem[] {
  const problems: StorageProblem[] = [];
  const local = scenario.storage.some((s) => s.kind === "local");
  scenario.layouts.forEach((layout, li) => {
    // Sizes the layout may not have at all are the layout check's to report.
    if (layout.backend !== "hdf5" || !setsSieve(layout)) return;
    const size = binaryBytes(layout.sieveBufSize ?? 0);
    if (local) {
      problems.push({
        path: ["layouts", li, "sieveBufSize"],
        message: `${size} applies only to the layoutbench engine's ranged reads of remote storage, and this scenario reads local storage: local HDF5 reads go through h5wasm, which opens files with libhdf5's default 64 KiB sieve buffer (it cannot set H5Pset_sieve_buf_size); list only remote storage, or drop sieveBufSize`,
      });
    }
    scenario.engines.forEach((engine, ei) => {
      if (!DEFAULT_SIEVE_ENGINES.has(engine)) return;
      problems.push({
        path: ["engines", ei],
        message: `${engine} reads HDF5 with libhdf5's default 64 KiB sieve buffer, not layout "${layout.name}"'s sieveBufSize ${size}: only the layoutbench engine's ranged reads of remote storage use it; use engines: [layoutbench] with this layout`,
      });
    });
  });
  return problems;
}
