/**
 * What libhdf5 reads of a layout's HDF5 file, so the remote reader (remote-reader.ts) asks storage
 * for exactly those byte ranges: the reads libhdf5 makes to open the file and the dataset
 * (superblock, object headers), the data's address for contiguous datasets, and for chunked ones the
 * reads of each selection from a freshly opened file (chunk index nodes, kept once read, and chunks,
 * read on every call, as libhdf5 does). Recorded by watching libhdf5's positional reads
 * (contiguous.ts `watchingReads`), as byte-ranges.ts does, on a plan target (plan-target.ts): the
 * local copy the objects were uploaded from (the same bytes), or, for objects with no local copy (a
 * user's bucket or HTTP server), a sparse image of the object filled by ranged GETs.
 *
 * Plans are kept per target (local: device, inode, mtime; remote: store and key) and selection: the
 * run's prepare step records them (`byteRanges` for local copies, `planRemote` for objects) before
 * cold samples evict the file, so a timed read touches no local byte and sends no planning GET.
 */
import { itemSize } from "../../core/dtype.ts";
import { formatSelection, type Selection } from "../../core/selection.ts";
import type { ObjectStore } from "../../remote/index.ts";
import type { Hdf5Layout } from "../../scenario/types.ts";
import type { Stored } from "../types.ts";
import { planBlocks } from "./blocks.ts";
import { contiguousPath, watchingReads } from "./contiguous.ts";
import { closeFile, DATASET_PATH, type H5Module, h5, openFile, transferHyperslab } from "./library.ts";
import { type ByteRead, type PlanTarget, remotePlanId, SparseImage } from "./plan-target.ts";

export type { ByteRead } from "./plan-target.ts";

/** What a reader needs before its first read. */
export interface FilePlan {
  /** File size in bytes. */
  readonly size: number;
  /** libhdf5's reads to open the file and the dataset and to close it, in order. */
  readonly openReads: readonly ByteRead[];
  /** Contiguous, unfiltered data: the address of element 0 and the data's end; else undefined. */
  readonly contiguous?: { readonly address: number; readonly end: number };
}

/** Most bytes per h5wasm call while recording, as the local reader splits big selections. */
const BLOCK_BYTES = 64 * 2 ** 20;

const filePlans = new Map<string, FilePlan>();
const selectionPlans = new Map<string, SelectionPlan>();
/** What recording the plans of an object with no local copy cost, by plan id. */
const planningCosts = new Map<string, { requests: number; bytes: number }>();

/** The reads of `call` on the file (`dev`, `ino`), in order, empty ones left out. */
function readsOf(module: H5Module, dev: number, ino: number, call: () => void): ByteRead[] {
  const { reads } = watchingReads(module.FS, call);
  return reads.filter((r) => r.dev === dev && r.ino === ino && r.length > 0).map((r) => ({ offset: r.position, length: r.length }));
}

/** The plan of the layout's file in `target` (recorded once per target). */
export async function planFile(stored: Stored<Hdf5Layout>, target: PlanTarget): Promise<FilePlan> {
  const known = filePlans.get(target.id);
  if (known) return known;
  const module = await h5();
  const { dataset } = stored;
  const { path, dev, ino } = target;
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const size = itemSize(dataset.dtype);
  const plan = await target.settle((): FilePlan => {
    const openReads = readsOf(module, dev, ino, () => {
      const file = openFile(module, path, "r");
      try {
        module.get_dataset_metadata(file.file_id, datasetPath);
        module.get_dataset_filters(file.file_id, datasetPath);
      } finally {
        closeFile(module, file);
      }
    });
    let contiguous: FilePlan["contiguous"];
    const file = openFile(module, path, "r");
    try {
      const found = contiguousPath(module, file, path, datasetPath, dataset.shape, size).reader;
      if (found) contiguous = { address: found.address, end: found.address + dataset.shape.reduce((a, b) => a * b, 1) * size };
    } finally {
      closeFile(module, file);
    }
    return { size: target.size, openReads, contiguous };
  });
  filePlans.set(target.id, plan);
  return plan;
}

/** libhdf5's reads for one selection: metadata it keeps once read, and data it reads on every call. */
export interface SelectionPlan {
  /** Chunk index nodes and the like, read from a freshly opened file and then cached by libhdf5. */
  readonly metadata: readonly ByteRead[];
  /** What a second read of the selection on the same open file reads again (chunks, raw data). */
  readonly data: readonly ByteRead[];
}

/** Reads without repeats, in order. */
function unique(reads: readonly ByteRead[]): ByteRead[] {
  const seen = new Set<string>();
  return reads.filter((r) => {
    const k = `${r.offset}+${r.length}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * libhdf5's reads of `sel` from a freshly opened file (after the dataset's open), split by reading
 * it twice: what the second call reads again is data; the rest is metadata libhdf5 keeps (h5wasm
 * keeps the file open between calls, so its metadata cache does too, while each call's chunk cache
 * and sieve buffer go with the dataset it closes).
 */
export async function planSelection(stored: Stored<Hdf5Layout>, target: PlanTarget, sel: Selection): Promise<SelectionPlan> {
  const selKey = `${target.id}|${formatSelection(sel)}`;
  const known = selectionPlans.get(selKey);
  if (known) return known;
  const module = await h5();
  const { dataset, layout } = stored;
  const { path, dev, ino } = target;
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const size = itemSize(dataset.dtype);
  const unit = layout.chunks ? [...layout.chunks] : dataset.shape.map(() => 1);
  const opened = <T>(call: (file: ReturnType<typeof openFile>) => T): T => {
    const file = openFile(module, path, "r");
    try {
      module.get_dataset_metadata(file.file_id, datasetPath);
      module.get_dataset_filters(file.file_id, datasetPath);
      return call(file);
    } finally {
      closeFile(module, file);
    }
  };
  const record = () =>
    opened((file) => {
      const read = () => {
        for (const block of planBlocks(sel, unit, size, BLOCK_BYTES)) transferHyperslab(module, file, block.sel, size, "read", () => {}, datasetPath);
      };
      const first = unique(readsOf(module, dev, ino, read));
      return { first, again: unique(readsOf(module, dev, ino, read)) };
    });
  // One chunk per call, each failure its own: an attempt then finds every chunk not yet fetched.
  const explore = layout.chunks
    ? () =>
        opened((file) => {
          for (const block of planBlocks(sel, unit, size, 1)) {
            try {
              transferHyperslab(module, file, block.sel, size, "read", () => {}, datasetPath);
            } catch {
              // A chunk not fetched yet (zeros): noted by the attempt.
            }
          }
        })
    : undefined;
  const { first, again } = await target.settle(record, explore);
  const isData = new Set(again.map((r) => `${r.offset}+${r.length}`));
  const plan: SelectionPlan = { metadata: first.filter((r) => !isData.has(`${r.offset}+${r.length}`)), data: again };
  selectionPlans.set(selKey, plan);
  return plan;
}

/** Records the plans remote reads of `selections` will use (each selection, unless the data is contiguous and replayed directly). */
export async function planRemoteReads(stored: Stored<Hdf5Layout>, target: PlanTarget, selections: readonly Selection[]): Promise<void> {
  const plan = await planFile(stored, target);
  if (plan.contiguous) return;
  for (const sel of selections) await planSelection(stored, target, sel);
}

/**
 * Records, from the object `key` in `store` itself, the plans remote reads of `selections` will
 * use (a sparse image filled by ranged GETs of whole `blockBytes` blocks, plan-target.ts); only the
 * selections not planned yet cost GETs. Returns the target's id the plans are kept under.
 */
export async function planFromObject(
  stored: Stored<Hdf5Layout>,
  store: ObjectStore,
  key: string,
  blockBytes: number,
  selections: readonly Selection[],
): Promise<string> {
  const id = remotePlanId(store, key);
  const planned = (sel: Selection) => selectionPlans.has(`${id}|${formatSelection(sel)}`);
  const known = filePlans.get(id);
  if (known && (known.contiguous || selections.every(planned))) return id;
  const head = await store.head(key);
  if (!head) throw new Error(`${store.label} ${key}: no such object (HEAD found nothing)`);
  const module = await h5();
  const image = new SparseImage(module.FS, store, key, head.size, blockBytes, key.split("/").pop() ?? "data.h5");
  try {
    await planRemoteReads(stored, image, selections);
  } finally {
    image.close();
    const cost = planningCosts.get(id) ?? { requests: 0, bytes: 0 };
    planningCosts.set(id, { requests: cost.requests + image.cost.gets + 1, bytes: cost.bytes + image.cost.bytes });
  }
  return id;
}

/** A plan recorded under `id` (a target's), if any: the file's, or `sel`'s. */
export function knownFilePlan(id: string): FilePlan | undefined {
  return filePlans.get(id);
}

export function knownSelectionPlan(id: string, sel: Selection): SelectionPlan | undefined {
  return selectionPlans.get(`${id}|${formatSelection(sel)}`);
}

/** The requests (a HEAD and ranged GETs) and bytes that recording the plans under `id` from the object cost. */
export function planningCost(id: string): { requests: number; bytes: number } | undefined {
  return planningCosts.get(id);
}
