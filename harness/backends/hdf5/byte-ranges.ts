/**
 * Which bytes of the HDF5 file a case's reads touch, for the residency check of cold samples. The
 * bytes are the ones libhdf5 itself reads for each selection, watched through Emscripten's file
 * system (contiguous.ts): for contiguous data the runs and 64 KiB sieve windows that our direct
 * path replays, for chunked data each stored chunk whole (filtered or not, as libhdf5 reads them)
 * and the chunk index nodes the lookup visits. Computing them would mean parsing the chunk B-tree
 * ourselves; watching libhdf5 gives exactly its reads, at the cost of one untimed pass at prepare.
 *
 * The file is opened afresh and the dataset's object header read first (one element), as a
 * reader's open does before the timed pass; the reads of every selection are then watched. libhdf5
 * keeps no raw data between calls (h5wasm closes the dataset after each, dropping its chunk cache
 * and sieve buffer), so what it reads for a selection here it reads in every pass.
 */
import { statSync } from "node:fs";
import { type FileRange, MAX_RUNS } from "../../access/byte-ranges.ts";
import { itemSize } from "../../core/dtype.ts";
import { type Selection, slice } from "../../core/selection.ts";
import type { Hdf5Layout } from "../../scenario/types.ts";
import type { Stored } from "../types.ts";
import { planBlocks } from "./blocks.ts";
import { watchingReads } from "./contiguous.ts";
import { closeFile, DATASET_PATH, h5, openFile, transferHyperslab } from "./library.ts";

/** Bytes per watched h5wasm call, as the reader splits big selections. */
const BLOCK_BYTES = 64 * 2 ** 20;

/**
 * The byte ranges of `file` (the layout's HDF5 file) libhdf5 reads for `selections`, sorted and
 * merged where they touch or overlap; null past MAX_RUNS ranges (the caller checks the whole file).
 */
export async function hdf5ByteRanges(stored: Stored<Hdf5Layout>, selections: readonly Selection[], file: string): Promise<FileRange[] | null> {
  const module = await h5();
  const { dataset, layout } = stored;
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const size = itemSize(dataset.dtype);
  const unit = layout.chunks ? [...layout.chunks] : dataset.shape.map(() => 1);
  const { dev, ino } = statSync(file);
  const h5file = openFile(module, file, "r");
  const runs: { offset: number; end: number }[] = [];
  try {
    if (dataset.shape.every((n) => n > 0)) {
      transferHyperslab(
        module,
        h5file,
        dataset.shape.map(() => slice(0, 1)),
        size,
        "read",
        () => {},
        datasetPath,
      );
    }
    for (const sel of selections) {
      const { reads } = watchingReads(module.FS, () => {
        for (const block of planBlocks(sel, unit, size, BLOCK_BYTES)) transferHyperslab(module, h5file, block.sel, size, "read", () => {}, datasetPath);
      });
      for (const r of reads) if (r.dev === dev && r.ino === ino && r.length > 0) runs.push({ offset: r.position, end: r.position + r.length });
      if (runs.length > MAX_RUNS) return null;
    }
  } finally {
    closeFile(module, h5file);
  }
  return mergeRuns(runs).map((r) => ({ file, offset: r.offset, length: r.end - r.offset }));
}

/** Runs sorted by offset, those that overlap or touch merged. Pure. */
export function mergeRuns(runs: readonly { offset: number; end: number }[]): { offset: number; end: number }[] {
  const sorted = [...runs].sort((a, b) => a.offset - b.offset);
  const out: { offset: number; end: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
