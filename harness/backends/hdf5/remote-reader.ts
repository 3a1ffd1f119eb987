/**
 * HDF5 over remote storage (HTTP, S3), our direct ranged path: ranged GETs of the one file, of the
 * byte ranges libhdf5 reads (remote-plan.ts: learnt on the local copy the objects were uploaded
 * from, or from the object itself when there is none), at most `concurrency` in flight.
 *
 * Contiguous, unfiltered data: the reads of libhdf5's sieve replayed (sieve-plan.ts), one GET per
 * read: a row of up to `sieveBytes` is one GET of one sieve window. Chunked data: at open, one GET
 * per group of libhdf5's open reads lying within `sieveBytes` of each other (superblock, object
 * headers); then one GET per read libhdf5 makes: chunk index nodes once per reader (libhdf5 keeps
 * them in its metadata cache), each chunk on every read (its chunk cache goes with the dataset
 * h5wasm closes after each call), as a local reader reads the file. The bytes go into a sparse
 * image of the file in memory-backed temporary storage, and libhdf5 (h5wasm) reads and decodes
 * from that image; a read of the image outside the bytes fetched fails the read instead of
 * returning zeros. Nothing else is cached client-side: warm passes fetch every chunk again.
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocate, itemSize, type TypedArray } from "../../core/dtype.ts";
import { fitsShape, formatSelection, type Selection, selectionShape } from "../../core/selection.ts";
import type { Hdf5Layout } from "../../scenario/types.ts";
import type { BackendReadPath, Reader, RemoteSource, Stored } from "../types.ts";
import { copyBox, planBlocks, selectedCount } from "./blocks.ts";
import { SIEVE_BYTES, watchingReads } from "./contiguous.ts";
import { closeFile, DATASET_PATH, h5, openFile, transferHyperslab } from "./library.ts";
import { localTarget, remotePlanId } from "./plan-target.ts";
import {
  type ByteRead,
  type FilePlan,
  knownFilePlan,
  knownSelectionPlan,
  planFile,
  planFromObject,
  planningCost,
  planSelection,
  type SelectionPlan,
} from "./remote-plan.ts";
import { sievePlan } from "./sieve-plan.ts";

export interface RemoteHdf5Options {
  /** The HDF5 file's name in the layout's folder. */
  readonly fileName: string;
  /** libhdf5's sieve buffer size replayed for contiguous data, and the gap joining open reads. */
  readonly sieveBytes?: number;
  /** What decodes chunks (the local backend's label). */
  readonly decoder: string;
}

/** Runs `tasks` with at most `limit` at once. */
async function bounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

/** Reads within `gap` bytes of each other joined into one. Pure. */
export function joinReads(reads: readonly ByteRead[], gap: number): ByteRead[] {
  const sorted = [...reads].sort((a, b) => a.offset - b.offset);
  const out: { offset: number; end: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.end + gap) last.end = Math.max(last.end, r.offset + r.length);
    else out.push({ offset: r.offset, end: r.offset + r.length });
  }
  return out.map((r) => ({ offset: r.offset, length: r.end - r.offset }));
}

/** The HDF5 format signature, which a superblock at byte 0 starts with. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5Signature(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && SIGNATURE.every((b, i) => bytes[i] === b);
}

function bytesOf(values: TypedArray): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * The plans of the reader of `key`: recorded on the local copy at `local` when the objects were
 * uploaded from it (`source.localCopy`), else from the object itself (at prepare, `planRemote`;
 * a plan missing then is recorded now with the reader's own client, whose requests then count in
 * the read), and where they came from, for the read path.
 */
async function plansFor(
  stored: Stored<Hdf5Layout>,
  source: RemoteSource,
  local: string,
  key: string,
  sieveBytes: number,
): Promise<{ file: FilePlan; selection: (sel: Selection) => Promise<SelectionPlan>; where: string }> {
  if (source.localCopy) {
    const target = localTarget(local);
    return {
      file: await planFile(stored, target),
      selection: (sel) => planSelection(stored, target, sel),
      where: "in the local copy the objects were uploaded from",
    };
  }
  const id = remotePlanId(source.store, key);
  const file = knownFilePlan(id) ?? knownFilePlan(await planFromObject(stored, source.store, key, sieveBytes, []));
  if (!file) throw new Error(`${source.store.label} ${key}: no plan was recorded`);
  const cost = planningCost(id);
  return {
    file,
    async selection(sel) {
      const known = knownSelectionPlan(id, sel);
      if (known) return known;
      await planFromObject(stored, source.store, key, sieveBytes, [sel]);
      const plan = knownSelectionPlan(id, sel);
      if (!plan) throw new Error(`${source.store.label} ${key}: no plan was recorded for ${formatSelection(sel)}`);
      return plan;
    },
    where: `in the object itself (no local copy): a sparse image filled by ranged GETs of ${sieveBytes} B blocks before the timed reads${cost ? `, ${cost.requests} requests and ${cost.bytes} bytes` : ""}`,
  };
}

export async function openRemoteHdf5(stored: Stored<Hdf5Layout>, source: RemoteSource, options: RemoteHdf5Options): Promise<Reader> {
  const { dataset, layout } = stored;
  const local = join(stored.dir, options.fileName);
  const key = `${source.prefix}/${options.fileName}`;
  const sieveBytes = options.sieveBytes ?? SIEVE_BYTES;
  const planned = await plansFor(stored, source, local, key, sieveBytes);
  const plan = planned.file;
  const size = itemSize(dataset.dtype);
  const empty = allocate(dataset.dtype, 0);
  const get = (r: ByteRead) => () => source.store.get(key, { offset: r.offset, length: r.length });
  let open = true;
  const live = (sel: Selection) => {
    if (!open) throw new Error(`HDF5 reader of ${source.store.label} ${key} is closed`);
    if (!fitsShape(sel, dataset.shape)) throw new RangeError(`selection ${formatSelection(sel)} does not fit array shape [${dataset.shape.join(", ")}]`);
  };
  const output = (sel: Selection, into: TypedArray | undefined) => {
    const count = selectedCount(sel);
    return into && into.length === count && into.constructor === empty.constructor ? into : allocate(dataset.dtype, count);
  };
  const where = `${source.store.kind} ranged GETs, ${sieveBytes} B sieve/page`;

  if (plan.contiguous) {
    const { address, end } = plan.contiguous;
    // What libhdf5 reads to open the file and the dataset, as a cold open would fetch it.
    const metadata = joinReads(plan.openReads, sieveBytes);
    const first = (await bounded(metadata.map(get), source.concurrency))[0];
    if (metadata[0]?.offset === 0 && !isHdf5Signature(first)) throw new Error(`${source.store.label} ${key}: not an HDF5 file (no signature at byte 0)`);
    const readPath: BackendReadPath = {
      implementation: `direct ranged path: GETs replaying libhdf5's sieve (${where})`,
      decoder: "none",
      threads: 1,
      library: `libhdf5's open reads fetched at open; h5wasm (libhdf5) found the data's address ${planned.where}`,
      ours: `one ranged GET per read libhdf5 makes (runs over ${sieveBytes} B straight, shorter ones through a ${sieveBytes} B window), at most ${source.concurrency} in flight`,
      fallbacks: [],
    };
    return {
      async read(sel, into) {
        live(sel);
        const out = output(sel, into);
        const bytes = bytesOf(out);
        const p = sievePlan(sel, dataset.shape, size, address, end, sieveBytes);
        const fetched = await bounded(p.reads.map(get), source.concurrency);
        for (const c of p.copies) bytes.set(fetched[c.read].subarray(c.from, c.from + c.length), c.at);
        return out;
      },
      readPath: () => readPath,
      async close() {
        open = false;
      },
    };
  }

  // Chunked (or anything else libhdf5 must read itself): a sparse image of the fetched bytes.
  const module = await h5();
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const folder = mkdtempSync(join(base, "layoutbench-h5-"));
  const image = join(folder, options.fileName);
  const fd = openSync(image, "w");
  const have: ByteRead[] = [];
  const covered = (r: ByteRead) => have.some((h) => h.offset <= r.offset && r.offset + r.length <= h.offset + h.length);
  /** Fetches `reads` into the image (those `again` always, the others unless already there). */
  const fetchInto = async (reads: readonly ByteRead[], again: readonly ByteRead[] = []) => {
    const missing = [...reads.filter((r) => !covered(r)), ...again];
    const bodies = await bounded(missing.map(get), source.concurrency);
    missing.forEach((r, i) => {
      writeSync(fd, bodies[i], 0, bodies[i].byteLength, r.offset);
      have.push(r);
    });
  };
  const datasetPath = dataset.source?.dataset ?? DATASET_PATH;
  const { dev, ino } = (() => {
    // The image is as long as the file, so libhdf5 sees the file's end where it is.
    writeSync(fd, new Uint8Array(1), 0, 1, plan.size - 1);
    return statSync(image);
  })();
  /** Runs `call` on the image, failing when libhdf5 read bytes not fetched. */
  const strictly = <T>(what: string, call: () => T): T => {
    const { value, reads } = watchingReads(module.FS, call);
    const outside = reads.find((r) => r.dev === dev && r.ino === ino && r.length > 0 && !covered({ offset: r.position, length: r.length }));
    if (outside) throw new Error(`${key}: ${what}: libhdf5 read ${outside.length} bytes at ${outside.position}, which the plan did not fetch`);
    return value;
  };
  let file: ReturnType<typeof openFile> | undefined;
  try {
    await fetchInto(joinReads(plan.openReads, sieveBytes));
    file = strictly("open", () => openFile(module, image, "r"));
  } catch (error) {
    closeSync(fd);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  const h5file = file;
  const unit = layout.chunks ? [...layout.chunks] : dataset.shape.map(() => 1);
  const readPath: BackendReadPath = {
    implementation: `direct ranged path: libhdf5 (h5wasm) over the byte ranges it reads (${where})`,
    decoder: options.decoder,
    threads: 1,
    library: "libhdf5 reads and decodes from a sparse image holding only the fetched ranges",
    ours: `ranges planned from libhdf5's reads ${planned.where}; one ranged GET per open group, per chunk index node once and per chunk on every read, at most ${source.concurrency} in flight`,
    fallbacks: [],
  };
  return {
    async read(sel, into) {
      live(sel);
      const out = output(sel, into);
      const outBytes = bytesOf(out);
      const reads = await planned.selection(sel);
      // libhdf5 keeps metadata between calls but reads chunks again on every call: so do we.
      await fetchInto(reads.metadata, reads.data);
      const outShape = selectionShape(sel);
      strictly(`read ${formatSelection(sel)}`, () => {
        for (const block of planBlocks(sel, unit, size, 64 * 2 ** 20)) {
          const shape = selectionShape(block.sel);
          transferHyperslab(
            module,
            h5file,
            block.sel,
            size,
            "read",
            (heap) =>
              copyBox(
                heap,
                shape,
                shape.map(() => 0),
                outBytes,
                outShape,
                block.offset,
                shape,
                size,
              ),
            datasetPath,
          );
        }
      });
      return out;
    },
    readPath: () => readPath,
    async close() {
      if (!open) return;
      open = false;
      try {
        closeFile(module, h5file);
      } finally {
        closeSync(fd);
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
