/**
 * The run's context as label/value lines: what a reader needs to judge or reproduce the
 * numbers (machine, kernel, filesystem and readahead, versions, how eviction was checked).
 */
import type { ResultsFile } from "../run/results-types.ts";
import { formatBytes } from "./format.ts";

/** Context lines for the report, in reading order. */
export function contextItems(
  results: ResultsFile,
  statistics: { readonly seed: number; readonly resamples: number; readonly confidence: number },
): { label: string; value: string }[] {
  const c = results.context;
  const libraries = Object.entries(c.libraries)
    .map(([name, version]) => `${name} ${version}${libraryRole(name, results) ? ` (${libraryRole(name, results)})` : ""}`)
    .join(", ");
  const finished = results.finishedAt ?? "not finished (interrupted)";
  return [
    { label: "Machine", value: `${c.hostname}: ${c.cpuModel}, ${c.cpus} CPU${c.cpus === 1 ? "" : "s"}, ${formatBytes(c.memoryBytes)} RAM` },
    { label: "System", value: `${c.platform} ${c.kernel} (${c.arch}), page size ${formatBytes(c.pageSize)}` },
    { label: "Filesystem", value: `${c.filesystem}, readahead ${c.readaheadKiB === null ? "unknown" : formatBytes(c.readaheadKiB * 1024)}` },
    { label: "Node", value: c.node },
    { label: "Libraries", value: libraries || "none recorded" },
    { label: "Eviction", value: `${c.eviction.method}, ${c.eviction.verified ? "verified" : "NOT verified"}: ${c.eviction.detail}` },
    ...(c.timer
      ? [{ label: "Timer", value: `${(c.timer.overheadMs * 1e6).toFixed(0)} ns per timed read subtracted: the clock's cost, ${c.timer.method}` }]
      : []),
    { label: "Run", value: `${results.startedAt} → ${finished}` },
    ...results.scenarios.map((s) => ({ label: "Scenario", value: `${s.name} (${s.file}, hash ${s.hash.slice(0, 12)})` })),
    {
      label: "Statistics",
      value: `medians with ${Math.round(statistics.confidence * 100)}% percentile-bootstrap intervals (${statistics.resamples} resamples, seed ${statistics.seed})`,
    },
  ];
}

/**
 * What a library did in this run, so the list does not suggest it produced numbers it did not:
 * zarrita only parses metadata for layoutbench's chunk reader unless it read (sharded arrays, the
 * zarrita engine); h5wasm reads for layoutbench unless every HDF5 case was contiguous. Read paths
 * of older files are not recorded: their libraries get no role.
 */
function libraryRole(name: string, results: ResultsFile): string | undefined {
  const paths = results.cases.flatMap((c) => (c.readPath ? [c.readPath] : []));
  if (paths.length === 0) return undefined;
  const uses = (test: (p: (typeof paths)[number]) => boolean) => paths.some(test);
  const roles: string[] = [];
  switch (name) {
    case "zarrita":
      if (uses((p) => p.library === "zarrita parses metadata only")) roles.push("metadata for layoutbench's chunk reader");
      if (uses((p) => p.engine === "layoutbench" && p.implementation.startsWith("zarrita zarr.get"))) roles.push("reads sharded Zarr for layoutbench");
      if (uses((p) => p.engine === "zarrita")) roles.push("the zarrita engine's reads");
      if (!roles.length) roles.push("writes Zarr layouts only");
      break;
    case "numcodecs":
      if (uses((p) => p.decoder.startsWith("numcodecs.js"))) roles.push("decodes chunks in WASM");
      roles.push("encodes chunks when layouts are written");
      break;
    case "h5wasm":
      if (uses((p) => p.engine === "layoutbench" && p.implementation.startsWith("h5wasm"))) roles.push("reads HDF5 for layoutbench");
      if (uses((p) => p.implementation.startsWith("direct preads"))) roles.push("opens contiguous HDF5 for layoutbench's direct preads");
      if (uses((p) => p.engine === "h5wasm")) roles.push("the h5wasm engine's reads");
      if (!roles.length) roles.push("writes HDF5 layouts only");
      break;
    case "h5wasm-plugins":
      roles.push("HDF5 filters for h5wasm");
      break;
    case "simple-statistics":
      roles.push("quantiles for the statistics");
      break;
    case "vega-lite":
      roles.push("charts");
      break;
  }
  return roles.join("; ");
}
