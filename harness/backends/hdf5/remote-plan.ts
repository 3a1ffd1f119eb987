/**
 * What libhdf5 reads of a layout's HDF5 file, recorded on the local copy the remote objects were
 * uploaded from (the same bytes), so the remote reader (remote-reader.ts) asks storage for exactly
 * those byte ranges: the reads libhdf5 makes to open the file and the dataset (superblock, object
 * headers), the data's address for contiguous datasets, and for chunked ones the reads of each
 * selection from a freshly opened file (chunk index nodes, kept once read, and chunks, read on every
 * call, as libhdf5 does). Recorded by watching
 * libhdf5's positional reads (contiguous.ts `watchingReads`), as byte-ranges.ts does.
 *
 * Plans are kept per file (device, inode, mtime) and selection: the run's prepare step
 * (`byteRanges`) records them before cold samples evict the file, so a timed read touches no local
 * byte. A selection not planned then is planned at its first read, which reads the local copy.
 */
import { statSync } from "node:fs";
import { itemSize } from "../../core/dtype.ts";
import { formatSelection, type Selection } from "../../core/selection.ts";
import type { Hdf5Layout } from "../../scenario/types.ts";
import type { Stored } from "../types.ts";
import { planBlocks } from "./blocks.ts";
import { contiguousPath, watchingReads } from "./contiguous.ts";
import { closeFile, DATASET_PATH, type H5Module, h5, openFile, transferHyperslab } from "./library.ts";

/** One positional read: `length` bytes at `offset`. */
export interface ByteRead {
  readonly offset: number;
  readonly length: number;
}

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

function fileKey(path: string): { key: string; dev: number; ino: number } {
  const st = statSync(path);
  return { key: `${st.dev}:${st.ino}:${st.mtimeMs}`, dev: st.dev, ino: st.ino };
}

/** The reads of `call` on the file (`dev`, `ino`), in order, empty ones left out. */
function readsOf(module: H5Module, dev: number, ino: number, call: () => void): ByteRead[] {
  const { reads } = watchingReads(module.FS, call);
  return reads.filter((r) => r.dev === dev && r.ino === ino && r.length > 0).map((r) => ({ offset: r.position, length: r.length }));
}

/** The plan of the layout's file at `path` (recorded once per file version). */
export async function planFile(stored: Stored<Hdf5Layout>, path: string): Promise<FilePlan> {
  const { key, dev, ino } = fileKey(path);
  const known = filePlans.get(key);
  if (known) return known;
  const module = await h5();
  const { dataset } = stored;
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const openReads = readsOf(module, dev, ino, () => {
    const file = openFile(module, path, "r");
    module.get_dataset_metadata(file.file_id, datasetPath);
    module.get_dataset_filters(file.file_id, datasetPath);
    closeFile(module, file);
  });
  let contiguous: FilePlan["contiguous"];
  const size = itemSize(dataset.dtype);
  const file = openFile(module, path, "r");
  try {
    const found = contiguousPath(module, file, path, datasetPath, dataset.shape, size).reader;
    if (found) contiguous = { address: found.address, end: found.address + dataset.shape.reduce((a, b) => a * b, 1) * size };
  } finally {
    closeFile(module, file);
  }
  const plan: FilePlan = { size: statSync(path).size, openReads, contiguous };
  filePlans.set(key, plan);
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
export async function planSelection(stored: Stored<Hdf5Layout>, path: string, sel: Selection): Promise<SelectionPlan> {
  const { key, dev, ino } = fileKey(path);
  const selKey = `${key}|${formatSelection(sel)}`;
  const known = selectionPlans.get(selKey);
  if (known) return known;
  const module = await h5();
  const { dataset, layout } = stored;
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const size = itemSize(dataset.dtype);
  const unit = layout.chunks ? [...layout.chunks] : dataset.shape.map(() => 1);
  const file = openFile(module, path, "r");
  const read = () => {
    for (const block of planBlocks(sel, unit, size, BLOCK_BYTES)) transferHyperslab(module, file, block.sel, size, "read", () => {}, datasetPath);
  };
  let first: ByteRead[];
  let again: ByteRead[];
  try {
    module.get_dataset_metadata(file.file_id, datasetPath);
    module.get_dataset_filters(file.file_id, datasetPath);
    first = unique(readsOf(module, dev, ino, read));
    again = unique(readsOf(module, dev, ino, read));
  } finally {
    closeFile(module, file);
  }
  const isData = new Set(again.map((r) => `${r.offset}+${r.length}`));
  const plan: SelectionPlan = { metadata: first.filter((r) => !isData.has(`${r.offset}+${r.length}`)), data: again };
  selectionPlans.set(selKey, plan);
  return plan;
}

/** Records the plans remote reads of `selections` will use (chunked layouts plan each selection). */
export async function planRemoteReads(stored: Stored<Hdf5Layout>, path: string, selections: readonly Selection[]): Promise<void> {
  const plan = await planFile(stored, path);
  if (plan.contiguous || stored.layout.chunks === null) return;
  for (const sel of selections) await planSelection(stored, path, sel);
}
