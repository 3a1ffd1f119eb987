/**
 * How a case's reads are checked, outside the timed region. Generated datasets: against the
 * generator. Datasets read from a file (bring your own data) have no generator: each selection is
 * read once before sampling starts — before any cold eviction, so it warms nothing that is timed —
 * and its sha256 kept; every timed read must then match it.
 * - Backends with a `referenceRead` (memmap: a plain `pread` of the needed byte ranges, independent
 *   of the mmap path): the reference is that read.
 * - Others (Zarr, HDF5): the reference is a read through a freshly opened reader of the same backend,
 *   so it only shows the reads are consistent ("self-verified"), not that the library decodes right.
 */

import type { Backend, Stored } from "../backends/types.ts";
import { digestOf } from "../core/digest.ts";
import { allocate, type Dtype, itemSize, type TypedArray } from "../core/dtype.ts";
import { elementCount, type Selection, selectionShape } from "../core/selection.ts";
import { compareRegion, fillRegion } from "../data/generate.ts";
import type { DatasetSpec } from "../scenario/types.ts";
import { OutputPool } from "./output-pool.ts";

/** source: against reads of the dataset's first source (a dataset with several), through its own library. */
export type VerificationKind = "generator" | "reference" | "self" | "source";

export interface SelectionVerifier {
  /** generator: the dataset's generator; reference: an independent plain read; self: a second read through the same library. */
  readonly kind: VerificationKind;
  /** undefined when `data`, read at selection `i`, is what the dataset holds; else one line. */
  check(i: number, data: TypedArray): Promise<string | undefined>;
  /** The same for the sha256 of the data (the python engine returns digests). */
  checkDigest(i: number, digest: string): string | undefined;
}

/**
 * A case whose selections hold at most this many bytes in all keeps their expected values from
 * one check to the next. Those are the short reads, whose warm samples repeat the pass hundreds of
 * times (sampling.minSampleMs): generating the expected values again for every pass took more of
 * the CI suite's time than the reads. A larger case keeps the sha256 of each selection's expected
 * values instead and checks the data's: regenerating a large selection's values is a long burst of
 * CPU between two timed reads, and the read after such a burst can be descheduled and come out
 * several times slower; hashing is a shorter burst, as the Python engine's is.
 */
export const KEEP_EXPECTED_BYTES = 1 << 20;

/** Checks against the generator (datasets without a source). */
export function generatorVerifier(dataset: DatasetSpec, selections: readonly Selection[], scratch: OutputPool = new OutputPool()): SelectionVerifier {
  // Larger cases: the expected values (needed for the digest, then again only on a mismatch) go
  // into one buffer per size of the run's pool, never the one reads go into, shared by cases rather
  // than held by each. A fresh array per check (64 MiB for a full scan) left garbage that V8 frees on
  // its own threads, during the next timed read of either engine, and slowed cold npy full scans.
  const counts = selections.map((sel) => elementCount(selectionShape(sel)));
  const keep = counts.reduce((sum, n) => sum + n, 0) * itemSize(dataset.dtype) <= KEEP_EXPECTED_BYTES;
  const kept: TypedArray[] = [];
  const digests: string[] = [];
  const expected = (i: number): TypedArray => {
    if (kept[i]) return kept[i];
    const e = keep ? allocate(dataset.dtype, counts[i]) : scratch.get(dataset.dtype, counts[i]);
    fillRegion(dataset, selections[i], e);
    if (keep) kept[i] = e;
    return e;
  };
  // A digest is a few bytes whatever the selection's size: kept for every case.
  const digest = (i: number): string => (digests[i] ??= digestOf(expected(i)));
  const type = allocate(dataset.dtype, 0).constructor;
  return {
    kind: "generator",
    check: async (i, data) => {
      if (!keep && data.constructor === type && data.length === counts[i] && digestOf(data) === digest(i)) return undefined;
      // Kept values, or a digest that differs: compare element by element, naming the first difference.
      return compareRegion(dataset.dtype, selections[i], expected(i), data);
    },
    checkDigest: (i, got) => {
      const want = digest(i);
      return got === want ? undefined : `sha256 ${got.slice(0, 12)}…, expected ${want.slice(0, 12)}…`;
    },
  };
}

/** The verifier for a case: generator-based, or reference reads taken now for a dataset with a source. */
export async function verifierFor(
  dataset: DatasetSpec,
  backend: Backend,
  stored: Stored,
  selections: readonly Selection[],
  scratch?: OutputPool,
  first?: { readonly backend: Backend; readonly stored: Stored },
): Promise<SelectionVerifier> {
  // Every layout of a dataset with several sources is checked against its first source.
  if (dataset.sources) {
    if (!first) throw new Error(`dataset ${dataset.name}: its first source was not materialized`);
    const firstIsThis = dataset.source?.layout.name === dataset.sources[0].layout.name;
    return referenceVerifier(dataset, first.backend, first.stored, selections, firstIsThis ? "self" : "source");
  }
  if (!dataset.source) return generatorVerifier(dataset, selections, scratch);
  return referenceVerifier(dataset, backend, stored, selections, "self");
}

/** Digests of reads of `stored` taken now: a plain read where its backend has one, else through its reader. */
async function referenceVerifier(
  dataset: DatasetSpec,
  backend: Backend,
  stored: Stored,
  selections: readonly Selection[],
  readerKind: "self" | "source",
): Promise<SelectionVerifier> {
  const referenceRead = backend.referenceRead;
  const of = stored.dataset.sources ? ` of ${stored.dataset.source?.path}` : "";
  if (referenceRead) {
    const read = async (i: number) => referenceRead(stored, selections[i]);
    const digests: string[] = [];
    for (let i = 0; i < selections.length; i++) digests.push(digestOf(await read(i)));
    return digestVerifier("reference", selections, dataset.dtype, digests, read, `a plain read${of || " of the file"}`);
  }
  // One fresh reader per reference pass, closed before sampling (a live reader could pin pages).
  const readAll = async (only?: number) => {
    const reader = await backend.open(stored, { writable: false });
    try {
      const out: TypedArray[] = [];
      for (let i = 0; i < selections.length; i++) out.push(only === undefined || only === i ? await reader.read(selections[i]) : allocate(dataset.dtype, 0));
      return out;
    } finally {
      await reader.close();
    }
  };
  const digests = (await readAll()).map(digestOf);
  const what = readerKind === "self" ? "a second read through the same library" : `a read${of} through its own library`;
  return digestVerifier(readerKind, selections, dataset.dtype, digests, async (i) => (await readAll(i))[i], what);
}

function digestVerifier(
  kind: VerificationKind,
  selections: readonly Selection[],
  dtype: Dtype,
  digests: readonly string[],
  reread: (i: number) => Promise<TypedArray>,
  what: string,
): SelectionVerifier {
  return {
    kind,
    async check(i, data) {
      if (digestOf(data) === digests[i]) return undefined;
      // Rare path: read the reference again to name the first differing element.
      const detail = compareRegion(dtype, selections[i], await reread(i), data);
      return `differs from ${what}: ${detail ?? `sha256 differs from the one taken before sampling (the source changed?)`}`;
    },
    checkDigest(i, digest) {
      return digest === digests[i] ? undefined : `sha256 ${digest.slice(0, 12)}… differs from ${what} (${digests[i].slice(0, 12)}…)`;
    },
  };
}
