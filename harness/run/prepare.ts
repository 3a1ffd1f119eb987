/**
 * Before anything is timed: every (dataset, layout) written or found in the cache, and per case
 * the selections, the verifier (reference reads happen here, before any timed or evicted sample)
 * and the list of files cold samples evict and check.
 */

import { expandPattern } from "../access/patterns.ts";
import type { Backend, FileRange } from "../backends/types.ts";
import { itemSize } from "../core/dtype.ts";
import type { Selection } from "../core/selection.ts";
import type { OutputPool } from "../engines/output-pool.ts";
import { type SelectionVerifier, verifierFor } from "../engines/verify.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { logicalBytes, type Materialized } from "../store/materialize.ts";
import type { RunDeps } from "./deps.ts";
import { progressBar } from "./progress.ts";
import type { StorageInfo } from "./results-types.ts";

/** Buffers shared by every case of the run: where reads go, and where expected values are generated. */
export interface Pools {
  readonly outputs: OutputPool;
  readonly expected: OutputPool;
}

export interface Prepared {
  readonly m: Materialized;
  readonly storage: StorageInfo;
  readonly backend: Backend;
  readonly selections: readonly Selection[];
  readonly verifier: SelectionVerifier;
  readonly files: readonly string[];
  /** What the passes read, when the backend can say (cold samples check these for residency). */
  readonly ranges: readonly FileRange[] | null;
}

export function storageInfo(m: Materialized): StorageInfo {
  const logical = logicalBytes(m.stored.dataset);
  return {
    bytesOnDisk: m.manifest.bytesOnDisk,
    files: m.manifest.files.length,
    compressionRatio: m.manifest.bytesOnDisk > 0 ? logical / m.manifest.bytesOnDisk : 0,
    ...(m.manifest.encoder ? { encoder: m.manifest.encoder.name } : {}),
  };
}

export function materializedKey(spec: CaseSpec): string {
  return `${spec.scenario.name}/${spec.dataset.name}/${spec.layout.name}`;
}

export interface MaterializeAllOptions {
  readonly cacheRoot: string;
  readonly rematerialize?: boolean;
  readonly interrupted?: () => boolean;
}

/** Every layout the cases read, by materializedKey; a layout that could not be written maps to its error. */
export async function materializeAll(
  cases: readonly CaseSpec[],
  options: MaterializeAllOptions,
  deps: Pick<RunDeps, "materialize">,
): Promise<Map<string, Materialized | Error>> {
  const materialized = new Map<string, Materialized | Error>();
  // The first source of a dataset with several is what every layout of it is checked against.
  const withFirst = cases.flatMap((spec) => (spec.dataset.sources ? [firstSourceCase(spec), spec] : [spec]));
  for (const spec of withFirst) {
    const key = materializedKey(spec);
    if (materialized.has(key)) continue;
    if (options.interrupted?.()) break;
    const bar = progressBar(`materializing ${spec.dataset.name} as ${spec.layout.name}`);
    try {
      const m = await deps.materialize(options.cacheRoot, spec.dataset, spec.layout, {
        progress: (d, t) => bar.update(d, t),
        rematerialize: options.rematerialize,
      });
      bar.end(banner(m));
      materialized.set(key, m);
    } catch (err) {
      bar.end(`failed: ${(err as Error).message}`);
      materialized.set(key, err as Error);
    }
  }
  return materialized;
}

/** What materializing did: a source is linked and read in place, never written. */
export function banner(m: Materialized): string {
  const mib = `${(m.manifest.bytesOnDisk / 2 ** 20).toFixed(1)} MiB`;
  const source = m.manifest.source;
  if (source) return m.created ? `linked to ${source.path} (${mib}), read in place: nothing written` : `using ${source.path} in place (${mib})`;
  return m.created ? `written in ${m.manifest.seconds.toFixed(1)} s, ${mib} on disk` : `reusing ${m.stored.dir}`;
}

/** The case of a dataset's first source with `spec`'s pattern (a dataset with several sources). */
export function firstSourceCase(spec: CaseSpec): CaseSpec {
  const first = spec.dataset.sources![0];
  return { ...spec, dataset: { ...spec.dataset, source: first }, layout: first.layout };
}

/** What every round of a case shares; `first`: a dataset with several sources' first one. */
export async function prepare(
  spec: CaseSpec,
  m: Materialized,
  expected: OutputPool,
  deps: Pick<RunDeps, "backendFor">,
  first?: Materialized,
): Promise<Prepared> {
  const storage = storageInfo(m);
  const backend = deps.backendFor(spec.layout);
  const selections = expandPattern(spec.pattern, spec.dataset.shape, itemSize(spec.dataset.dtype));
  const reference = first ? { backend: deps.backendFor(first.stored.layout), stored: first.stored } : undefined;
  const verifier = await verifierFor(spec.dataset, backend, m.stored, selections, expected, reference);
  // Only cold samples check them, and finding them can cost a pass (HDF5 watches libhdf5 read).
  // Remote cases find them warm too: HDF5 plans its ranged GETs there, which must not happen in a timed read.
  const ranges = (spec.cache === "cold" || spec.storage.kind !== "local") && backend.byteRanges ? await backend.byteRanges(m.stored, selections) : null;
  return { m, storage, backend, selections, verifier, files: await backend.files(m.stored), ranges };
}
