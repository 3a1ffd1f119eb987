/**
 * The direct read path for contiguous, unfiltered HDF5 datasets, read-only readers only.
 *
 * Why: h5wasm opens and closes the dataset on every call (its embind `get_dataset_data`), and the
 * raw HDF5 calls that would keep it open (H5Dopen2, H5Dread, H5Sselect_hyperslab) are not exported
 * from its WASM module. So each call pays a dataset open before any data moves, which dominates
 * reads of many small selections (scattered points are several times slower than h5py's), and every
 * read lands in the WASM heap first and is copied out again (a second copy of the whole selection);
 * `npm run bench:read-paths` measures both.
 *
 * A contiguous dataset's elements lie in C order from one file address, so what libhdf5 does for a
 * read is a few positional reads. At open we learn that address by watching which bytes libhdf5
 * itself reads (Emscripten's `FS.read`) for the first and the last element, checking that the two
 * positions are exactly (count - 1) × itemsize apart in the same file and that direct reads return
 * the same bytes. Reads then replay libhdf5's I/O: runs larger than its 64 KiB sieve buffer are read
 * straight into the result, smaller runs through a sieve window of up to 64 KiB (as H5Dread does
 * with the default sieve size), so a cold read touches the same pages as h5py's. Nothing outlives a
 * read: the window is refilled for every read. The reads run in the native addon when it is built,
 * one call per selection: Node's readSync adds a fixed cost to each 64 KiB pread, and a column or 16
 * tiles make about a thousand of them (the JS path makes the same reads at the same positions, more
 * slowly; `npm run bench:read-paths` measures both).
 */
import { fstatSync, readSync, statSync } from "node:fs";
import type { File } from "h5wasm/node";
import { cStrides, type Selection, selectionShape, slice } from "../../core/selection.ts";
import { nativeSievedRead, SIEVE_PLAN_HEADER, type SievedRead } from "../../native/index.ts";
import { selectedCount } from "./blocks.ts";
import { type H5Module, transferHyperslab } from "./library.ts";

/** libhdf5's default sieve buffer size (H5Pset_sieve_buf_size), which h5py and h5wasm keep. */
export const SIEVE_BYTES = 64 * 1024;

/**
 * The sieve window, shared by every reader of this thread (reads are synchronous, and each refills
 * it before use): a fresh reader, as every cold sample opens, touches no fresh memory for it.
 */
const sieve = new Uint8Array(SIEVE_BYTES);

/** What libhdf5 reads through Emscripten's file system; only the parts we use. */
interface ReadableFs {
  read(stream: { nfd?: number }, buffer: Uint8Array, offset: number, length: number, position?: number): number;
}

/** A positional read libhdf5 made: host descriptor and file (device, inode), position and length. */
interface SeenRead {
  fd: number;
  dev: number;
  ino: number;
  position: number;
  length: number;
}

/**
 * Runs `call` and returns it with the positional reads libhdf5 made on host files meanwhile.
 * `fs` is the h5wasm module's `FS`.
 */
export function watchingReads<T>(fs: unknown, call: () => T): { value: T; reads: SeenRead[] } {
  const target = fs as ReadableFs;
  const original = target.read;
  const reads: SeenRead[] = [];
  target.read = function (stream, buffer, offset, length, position) {
    const n = original.call(this, stream, buffer, offset, length, position);
    if (typeof stream.nfd === "number" && typeof position === "number") {
      const st = fstatSync(stream.nfd);
      reads.push({ fd: stream.nfd, dev: st.dev, ino: st.ino, position, length });
    }
    return n;
  };
  try {
    return { value: call(), reads };
  } finally {
    target.read = original;
  }
}

/**
 * Where element 0 lies (libhdf5's descriptor and the file address), given the reads libhdf5 made
 * to read the first element (`first`) and the last one (`last`) of a dataset of `count` elements of
 * `itemBytes`, in the file with (`dev`, `ino`); undefined when no pair of reads fits (compact or
 * unallocated storage, external files).
 */
function findBase(first: SeenRead[], last: SeenRead[], count: number, itemBytes: number, dev: number, ino: number): { fd: number; base: number } | undefined {
  const span = (count - 1) * itemBytes;
  for (const a of first) {
    if (a.dev !== dev || a.ino !== ino) continue;
    for (const b of last) {
      if (b.fd === a.fd && b.dev === dev && b.ino === ino && b.position - a.position === span && b.length >= itemBytes) {
        return { fd: a.fd, base: a.position };
      }
    }
  }
  return undefined;
}

/**
 * A direct reader for the dataset at `datasetPath` in `file` (opened from `path`) when it is contiguous, unfiltered,
 * little-endian `itemBytes`-byte elements of `shape`, and its address could be found and checked;
 * else undefined (read through h5wasm).
 */
export function openContiguous(
  module: H5Module,
  file: File,
  path: string,
  datasetPath: string,
  shape: readonly number[],
  itemBytes: number,
): ContiguousReader | undefined {
  return contiguousPath(module, file, path, datasetPath, shape, itemBytes).reader;
}

/**
 * {@link openContiguous}, saying why there is no direct reader when the dataset qualified for one
 * (contiguous, unfiltered, little-endian) but its address could not be learnt or checked: such a
 * dataset is then read through h5wasm, a slower path the read path must record.
 */
export function contiguousPath(
  module: H5Module,
  file: File,
  path: string,
  datasetPath: string,
  shape: readonly number[],
  itemBytes: number,
): { reader?: ContiguousReader; missed?: string } {
  const count = selectedCount(shape.map((n) => slice(0, n)));
  if (shape.length === 0 || count < 2) return {};
  const meta = module.get_dataset_metadata(file.file_id, datasetPath);
  if (meta.chunks !== null || meta.size !== itemBytes || (itemBytes > 1 && !meta.littleEndian)) return {};
  if (meta.shape?.join() !== shape.join() || module.get_dataset_filters(file.file_id, datasetPath).length > 0) return {};
  const probe = (linear: number) => {
    const sel = shape.map((_, a) => {
      const below = shape.slice(a + 1).reduce((x, y) => x * y, 1);
      const i = Math.floor(linear / below) % shape[a];
      return slice(i, i + 1);
    });
    const bytes = new Uint8Array(itemBytes);
    const { reads } = watchingReads(module.FS, () => transferHyperslab(module, file, sel, itemBytes, "read", (heap) => bytes.set(heap), datasetPath));
    return { bytes, reads };
  };
  const first = probe(0);
  const last = probe(count - 1);
  const { dev, ino } = statSync(path);
  const found = findBase(first.reads, last.reads, count, itemBytes, dev, ino);
  if (found === undefined)
    return { missed: "libhdf5's reads of the first and last element did not reveal the data's address (compact or unallocated storage, external file?)" };
  const direct = new ContiguousReader(path, found.fd, found.base, shape, itemBytes);
  const check = new Uint8Array(itemBytes);
  direct.read(
    shape.map(() => slice(0, 1)),
    check,
  );
  const firstOk = Buffer.compare(check, first.bytes) === 0;
  direct.read(
    shape.map((n) => slice(n - 1, n)),
    check,
  );
  return firstOk && Buffer.compare(check, last.bytes) === 0
    ? { reader: direct }
    : { missed: "direct reads at the address learnt from libhdf5 did not return the bytes libhdf5 read" };
}

/**
 * Reads selections of a contiguous C-order dataset straight from its file (see the file comment),
 * through libhdf5's own descriptor: no second descriptor, and it is closed with the h5wasm File
 * (the reader must not be used after that).
 */
export class ContiguousReader {
  readonly #path: string;
  readonly #fd: number;
  readonly #base: number;
  readonly #shape: readonly number[];
  readonly #item: number;
  readonly #end: number;
  readonly #strides: readonly number[];
  readonly #sievedRead: SievedRead | null;
  /** The native read's plan, filled in place per read (outer axes: at most rank - 1). */
  readonly #plan: Float64Array;

  /** The file address of element 0. */
  get address(): number {
    return this.#base;
  }

  /** Whether the reads run in the addon (one call per selection) or as one readSync per run. */
  get native(): boolean {
    return this.#sievedRead !== null;
  }

  /** `sievedRead`: the native read loop; null makes the same reads from JS, one readSync each. */
  constructor(path: string, fd: number, base: number, shape: readonly number[], itemBytes: number, sievedRead = nativeSievedRead()) {
    this.#path = path;
    this.#fd = fd;
    this.#base = base;
    this.#shape = shape;
    this.#item = itemBytes;
    this.#end = base + selectedCount(shape.map((n) => ({ start: 0, stop: n, step: 1 }))) * itemBytes;
    this.#strides = byteStrides(shape, itemBytes);
    this.#sievedRead = sievedRead;
    this.#plan = new Float64Array(SIEVE_PLAN_HEADER + 2 * shape.length);
  }

  /** Reads `sel` into `out` (its C-order bytes). */
  read(sel: Selection, out: Uint8Array): void {
    const item = this.#item;
    const rank = sel.length;
    const counts = selectionShape(sel);
    if (counts.some((n) => n === 0)) return;
    const strides = this.#strides;
    // Trailing axes selected whole with step 1 join the last axis into one run.
    const last = sel[rank - 1];
    let inner = rank - 1;
    let run = last.step === 1 ? counts[rank - 1] * item : item;
    if (last.step === 1) {
      while (inner > 0 && counts[inner] === this.#shape[inner] && sel[inner - 1].step === 1) run *= counts[--inner];
    }
    const perRun = last.step === 1 ? 1 : counts[rank - 1];
    const runStep = last.step * item;
    const outer = last.step === 1 ? inner : rank - 1;
    let pos = this.#base;
    for (let a = 0; a < rank; a++) pos += sel[a].start * strides[a];
    if (this.#sievedRead) {
      const plan = this.#plan;
      plan[0] = run;
      plan[1] = SIEVE_BYTES;
      plan[2] = pos;
      plan[3] = this.#end;
      plan[4] = perRun;
      plan[5] = runStep;
      plan[6] = outer;
      for (let a = 0; a < outer; a++) {
        plan[SIEVE_PLAN_HEADER + 2 * a] = counts[a];
        plan[SIEVE_PLAN_HEADER + 2 * a + 1] = sel[a].step * strides[a];
      }
      try {
        this.#sievedRead(this.#fd, plan, out, sieve);
      } catch (error) {
        throw new Error(`${this.#path}: ${(error as Error).message}`, { cause: error });
      }
      return;
    }
    const index = new Array<number>(outer).fill(0);
    let at = 0;
    let windowStart = -1,
      windowLength = 0;
    for (;;) {
      for (let k = 0, p = pos; k < perRun; k++, p += runStep) {
        if (run > SIEVE_BYTES) {
          this.#readFully(out, at, run, p);
        } else {
          if (windowStart < 0 || p < windowStart || p + run > windowStart + windowLength) {
            windowStart = p;
            windowLength = Math.min(SIEVE_BYTES, this.#end - p);
            this.#readFully(sieve, 0, windowLength, p);
          }
          const from = p - windowStart;
          if (run >= 64) out.set(sieve.subarray(from, from + run), at);
          else for (let b = 0; b < run; b++) out[at + b] = sieve[from + b];
        }
        at += run;
      }
      let a = outer - 1;
      for (; a >= 0; a--) {
        pos += sel[a].step * strides[a];
        if (++index[a] < counts[a]) break;
        pos -= counts[a] * sel[a].step * strides[a];
        index[a] = 0;
      }
      if (a < 0) return;
    }
  }

  #readFully(into: Uint8Array, at: number, length: number, position: number): void {
    for (let done = 0; done < length; ) {
      const n = readSync(this.#fd, into, at + done, length - done, position + done);
      if (n === 0) throw new Error(`${this.#path}: file ends at byte ${position + done}, inside the dataset`);
      done += n;
    }
  }
}

/** C-order strides in bytes. */
function byteStrides(shape: readonly number[], item: number): number[] {
  return cStrides(shape).map((stride) => stride * item);
}
