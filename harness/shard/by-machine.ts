/**
 * A merged results file whose cases were sampled on several machines is reported per machine:
 * each part holds one machine's cases, with that machine's fingerprint in its context, so layouts
 * are ranked only against numbers from the same machine. Pure.
 */
import type { ResultsFile } from "../run/results-types.ts";

export interface MachinePart {
  /** The fingerprint id, e.g. 7a1e3c4a509d. */
  readonly machine: string;
  readonly results: ResultsFile;
}

/** One part per machine when the cases come from two or more; otherwise an empty list. */
export function splitByMachine(results: ResultsFile): MachinePart[] {
  const ids = [...new Set(results.cases.map((c) => c.machine).filter((m): m is string => m !== undefined))];
  if (ids.length < 2) return [];
  return ids.map((machine) => {
    const record = results.machines?.find((m) => m.fingerprint.id === machine);
    const f = record?.fingerprint;
    const context = f
      ? {
          ...results.context,
          hostname: `host ${f.hostHash}`,
          cpuModel: f.cpuModel,
          cpus: f.cpus,
          memoryBytes: f.memoryBytes,
          kernel: f.kernel,
          filesystem: f.filesystem,
        }
      : results.context;
    const { machines: _machines, ...rest } = results;
    return {
      machine,
      results: {
        ...rest,
        context,
        ...(f ? { machine: f } : {}),
        ...(record?.calibration ? { calibration: record.calibration } : {}),
        cases: results.cases.filter((c) => c.machine === machine),
      },
    };
  });
}
