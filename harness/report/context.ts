/**
 * The run's context as label/value lines: what a reader needs to judge or reproduce the
 * numbers (machine, kernel, filesystem and readahead, versions, how eviction was checked).
 */
import type { ResultsFile } from "../run/results-types.ts";
import { formatBytes } from "./format.ts";

/** Context lines for the report, in reading order. */
export function contextItems(
  results: ResultsFile, statistics: { readonly seed: number; readonly resamples: number; readonly confidence: number },
): { label: string; value: string }[] {
  const c = results.context;
  const libraries = Object.entries(c.libraries).map(([name, version]) => `${name} ${version}`).join(", ");
  const finished = results.finishedAt ?? "not finished (interrupted)";
  return [
    { label: "Machine", value: `${c.hostname}: ${c.cpuModel}, ${c.cpus} CPU${c.cpus === 1 ? "" : "s"}, ${formatBytes(c.memoryBytes)} RAM` },
    { label: "System", value: `${c.platform} ${c.kernel} (${c.arch}), page size ${formatBytes(c.pageSize)}` },
    { label: "Filesystem", value: `${c.filesystem}, readahead ${c.readaheadKiB === null ? "unknown" : formatBytes(c.readaheadKiB * 1024)}` },
    { label: "Node", value: c.node },
    { label: "Libraries", value: libraries || "none recorded" },
    { label: "Eviction", value: `${c.eviction.method}, ${c.eviction.verified ? "verified" : "NOT verified"}: ${c.eviction.detail}` },
    { label: "Run", value: `${results.startedAt} → ${finished}` },
    ...results.scenarios.map((s) => ({ label: "Scenario", value: `${s.name} (${s.file}, hash ${s.hash.slice(0, 12)})` })),
    {
      label: "Statistics",
      value: `medians with ${Math.round(statistics.confidence * 100)}% percentile-bootstrap intervals (${statistics.resamples} resamples, seed ${statistics.seed})`,
    },
  ];
}
