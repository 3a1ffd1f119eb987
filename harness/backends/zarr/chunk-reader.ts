/**
 * The direct read path for regular (unsharded) Zarr arrays, used instead of `zarr.get` when the
 * metadata allows (see chunk-format.ts); everything else still goes through zarrita.
 *
 * Why: profiling `zarr.get` on a 4096² int32 array in 512² chunks (node --cpu-prof) showed a full
 * read spending its time in zarrita's element-wise `setFromChunkBinary` (54% of samples), numcodecs'
 * embind marshalling for blosc (`toWireType`, 14%) and, for points, waiting on per-chunk `readFile`
 * round trips (open, fstat, read into a fresh Buffer, close) on the thread pool. Here each read:
 * - finds the chunks the selection touches and reads each chunk file whole, as zarr-python and
 *   zarrita do (so the I/O per chunk, and a cold read's amplification, are those of the format),
 *   in chunk order, with synchronous positional reads into buffers reused across reads: an
 *   `fs.read` through the thread pool adds a thread hand-off that costs more than copying a chunk
 *   from the page cache (worse on a busy machine; `npm run bench:read-paths` measures the read
 *   paths), and zarr-python 2 and h5py read chunks one after another too;
 * - uncompressed chunks whose selected runs are long are read with one `readv` straight into the
 *   result (`#scatter`); others are read into a scratch buffer and copied with `TypedArray.set` on
 *   whole runs (chunk-copy.ts);
 * - decodes with one decoder per reader (chunk-decoders.ts): node:zlib on the thread pool, up to
 *   CHUNKS_IN_FLIGHT chunks at once; blosc, lz4 and zstd with the addon's C decoders on this thread
 *   (which spread a Blosc chunk's blocks over the cores themselves); codecs decoded in JavaScript or
 *   WASM (all three when the addon lacks its decoders) on this thread and, for reads of several
 *   chunks, in worker threads too (decode-pool.ts).
 * File descriptors are kept for the reader's life (closed by `close`), with the file's size at open,
 * so a chunk is read with one `pread` (no second one to find its end) and a point read costs one
 * `pread` and one decode, and allocates little (see "Zarr point reads" in docs/read-paths.md).
 * Decoded data never outlives the read that decoded it, so two reads of the same selection each read
 * and decode again.
 */
import { closeSync, fstatSync, openSync, readSync, readvSync } from "node:fs";
import { join } from "node:path";
import type { TypedArray } from "../../core/dtype.ts";
import { cStrides, type Selection, selectionShape } from "../../core/selection.ts";
import { readerThreads } from "../concurrency.ts";
import { copySelected, scatterPlan } from "./chunk-copy.ts";
import type { ChunkDecoder } from "./chunk-decoders.ts";
import { type ChunkTask, type DecodingPath, decodeChunk, decodingPath, fillChunk, planChunks } from "./chunk-steps.ts";
import { type DecodePool, decodePool, decodePoolProblem } from "./decode-pool.ts";
import { borrow, giveBack } from "./scratch.ts";

/** What the direct path needs to know about an array (built from its metadata by chunk-format.ts). */
export interface ChunkFormat {
  readonly root: string;
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly itemBytes: number;
  /** Path of a chunk's file relative to `root`. */
  readonly keyOf: (coord: readonly number[]) => string;
  readonly decoder: ChunkDecoder;
  /** One element holding the fill value, for chunks never written. */
  readonly fill: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** A scratch buffer of at least `bytes` in place of `old`, which goes back to the shared scratch (scratch.ts). */
function swap(old: Uint8Array, bytes: number, shared = false): Uint8Array {
  giveBack(old);
  return borrow(bytes, shared);
}

/** Chunks decoded at once by node:zlib on the thread pool (each holds one slot of buffers). */
const CHUNKS_IN_FLIGHT = 4;

/** Most decoded bytes the worker arena holds; reads of more chunks go in rounds. */
const ARENA_BYTES = 64 * 2 ** 20;
/** Total bytes of the reusable buffers a reader may hold; fewer chunks in flight for huge chunks. */
const MAX_SCRATCH_BYTES = 64 * 2 ** 20;
/** Descriptors kept open per reader; the oldest is closed past this (never one in use: a slot
 * finishes reading its chunk before another chunk file is opened). */
const MAX_OPEN_FILES = 512;

interface Slot {
  /** Stored bytes (compressed chunks may be larger than the chunk; grown on demand). */
  encoded: Uint8Array;
  /** Decoded bytes, for decoders that write into a buffer. */
  decoded: Uint8Array;
}

/** An open chunk file and its size when opened. */
interface OpenFile {
  readonly fd: number;
  readonly size: number;
}

export class ChunkReader {
  readonly #format: ChunkFormat;
  readonly #chunkBytes: number;
  readonly #slots: Slot[] = [];
  readonly #pool: DecodePool | undefined;
  /** Open chunk files by chunk index in C order of the chunk grid (a number: no key string per read). */
  readonly #files = new Map<number, OpenFile>();
  /** Chunks per step of each axis of the chunk grid, C order. */
  readonly #gridStrides: number[];
  /** Where workers put decoded chunks (grown on demand up to ARENA_BYTES). */
  #arena: Uint8Array = new Uint8Array(new SharedArrayBuffer(0));
  /** Receives the bytes of an uncompressed chunk that a scatter read skips. */
  #junk: Uint8Array = EMPTY;
  #fillChunk: Uint8Array | undefined;
  #closed = false;
  /** Why decode workers are not helping although the codec would use them (a fallback). */
  readonly #poolProblem: string | undefined;

  private constructor(format: ChunkFormat, pool: DecodePool | undefined, poolProblem: string | undefined) {
    this.#format = format;
    this.#chunkBytes = format.chunks.reduce((a, b) => a * b, 1) * format.itemBytes;
    this.#gridStrides = cStrides(format.shape.map((n, a) => Math.ceil(n / format.chunks[a])));
    this.#pool = pool;
    this.#poolProblem = poolProblem;
  }

  /** A reader for `format`; waits for the decode workers to start when its codec uses them. */
  static async open(format: ChunkFormat): Promise<ChunkReader> {
    const wantsPool = format.decoder.concurrency === "workers";
    let pool = wantsPool ? decodePool() : undefined;
    let problem = wantsPool && !pool ? decodePoolProblem() : undefined;
    try {
      await pool?.ready();
    } catch (error) {
      // Workers that cannot start leave decoding to this thread; the read path records it.
      pool = undefined;
      problem = (error as Error).message;
    }
    return new ChunkReader(format, pool, problem);
  }

  /**
   * How this reader decodes: what, on how many threads at most within one read, and every slower
   * path taken instead of the planned one (the addon lacking its decoders, workers that failed to
   * start, Blosc frames the C decoder declined so far).
   */
  decoding(): DecodingPath {
    return decodingPath(this.#format.decoder, readerThreads(CHUNKS_IN_FLIGHT), this.#pool?.size, this.#poolProblem);
  }

  /** The selected elements (every step allowed) in C order, into `allocateOut(count)`. */
  async read(sel: Selection, allocateOut: (length: number) => TypedArray): Promise<TypedArray> {
    if (this.#closed) throw new Error(`zarr reader of ${this.#format.root} is closed`);
    const outShape = selectionShape(sel);
    const out = allocateOut(outShape.reduce((a, b) => a * b, 1));
    if (out.length === 0) return out;
    const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const tasks = planChunks(sel, this.#format.chunks);
    if (this.#pool && tasks.length > 1) {
      await this.#readPooled(tasks, this.#pool, outBytes, outShape);
      return out;
    }
    const { decoder } = this.#format;
    const memory = Math.max(1, Math.floor(MAX_SCRATCH_BYTES / Math.max(1, 2 * this.#chunkBytes)));
    const inFlight = decoder.concurrency === "threads" ? Math.max(1, Math.min(readerThreads(CHUNKS_IN_FLIGHT), tasks.length, memory)) : 1;
    while (this.#slots.length < inFlight) this.#slots.push({ encoded: EMPTY, decoded: EMPTY });
    let next = 0;
    if (inFlight === 1) {
      // One chunk at a time (the addon's decoders): no closures or promises per read.
      const slot = this.#slots[0];
      for (const task of tasks) {
        if (!decoder.compressed && this.#scatter(task, outBytes, outShape)) continue;
        this.#copy(await this.#chunk(task.coord, slot), task, outBytes, outShape);
      }
      return out;
    }
    const run = async (slot: Slot) => {
      while (next < tasks.length) {
        const task = tasks[next++];
        if (!decoder.compressed && this.#scatter(task, outBytes, outShape)) continue;
        this.#copy(await this.#chunk(task.coord, slot), task, outBytes, outShape);
      }
    };
    await Promise.all(this.#slots.slice(0, inFlight).map(run));
    return out;
  }

  /**
   * Several chunks of a codec decoded in JavaScript: each round, every worker gets the round's chunk
   * list in one message, and the workers and this thread take chunks from it one at a time through a
   * shared counter. This thread copies its own chunks at once, the workers' ones from the arena when
   * they are done.
   */
  async #readPooled(tasks: ChunkTask[], pool: DecodePool, out: Uint8Array, outShape: readonly number[]): Promise<void> {
    const { decoder, root, keyOf } = this.#format;
    const chunkBytes = this.#chunkBytes;
    const perRound = Math.max(2, Math.floor(ARENA_BYTES / chunkBytes));
    if (this.#slots.length === 0) this.#slots.push({ encoded: EMPTY, decoded: EMPTY });
    for (let start = 0; start < tasks.length; ) {
      const round = tasks.slice(start, start + perRound);
      start += round.length;
      if (this.#arena.length < round.length * chunkBytes) this.#arena = swap(this.#arena, round.length * chunkBytes, true);
      const arena = this.#arena.buffer as SharedArrayBuffer;
      const next = new Int32Array(new SharedArrayBuffer(4));
      const paths = round.map((t) => join(root, keyOf(t.coord)));
      // Settled promises: a worker failing while this thread decodes must not go unhandled.
      const batches = Array.from({ length: Math.min(pool.size, round.length - 1) }, () =>
        pool.decode(decoder.spec!, chunkBytes, paths, arena, next.buffer as SharedArrayBuffer).then(
          (result) => ({ result }),
          (error: Error) => ({ error }),
        ),
      );
      for (let i = Atomics.add(next, 0, 1); i < round.length; i = Atomics.add(next, 0, 1)) {
        this.#copy(await this.#chunk(round[i].coord, this.#slots[0]), round[i], out, outShape);
      }
      for (const batch of await Promise.all(batches)) {
        if ("error" in batch) throw batch.error;
        for (const i of batch.result.done) this.#copy(new Uint8Array(arena, i * chunkBytes, chunkBytes), round[i], out, outShape);
        for (const i of batch.result.missing) this.#copy(this.#filled(), round[i], out, outShape);
      }
    }
  }

  #copy(chunk: Uint8Array, task: ChunkTask, out: Uint8Array, outShape: readonly number[]): void {
    copySelected(chunk, this.#format.chunks, out, outShape, task.parts, this.#format.itemBytes);
  }

  /** Closes every descriptor; later reads throw. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.forgetFiles();
    for (const slot of this.#slots.splice(0)) {
      giveBack(slot.encoded);
      giveBack(slot.decoded);
    }
    giveBack(this.#arena);
    giveBack(this.#junk);
  }

  /** Closes descriptors so the next read reopens each file (after a write replaced chunk files). */
  forgetFiles(): void {
    const files = [...this.#files.values()];
    this.#files.clear();
    for (const { fd } of files) closeSync(fd);
  }

  /**
   * An uncompressed chunk whose selected runs are long: one `readv` of the whole chunk file puts the
   * selected runs straight into the output and the bytes between them into a junk buffer (the file
   * is still read whole, as everywhere else). Saves copying through a scratch buffer, which for a
   * full read was a quarter of the time. False when the chunk is not worth it or the file is not
   * there or short: the caller then reads it the ordinary way.
   */
  #scatter(task: ChunkTask, out: Uint8Array, outShape: readonly number[]): boolean {
    const { chunks, itemBytes } = this.#format;
    const plan = scatterPlan(chunks, outShape, task.parts, itemBytes, this.#chunkBytes);
    if (!plan) return false;
    const fd = this.#open(task.coord)?.fd;
    if (fd === undefined) return false;
    if (this.#junk.length < plan.junk) this.#junk = swap(this.#junk, plan.junk);
    const buffers = plan.pieces.map(([into, at, length]) => (into === "out" ? out.subarray(at, at + length) : this.#junk.subarray(0, length)));
    return readvSync(fd, buffers, 0) === this.#chunkBytes;
  }

  /** The decoded bytes of the chunk at `coord` (the fill value when its file does not exist). */
  async #chunk(coord: readonly number[], slot: Slot): Promise<Uint8Array> {
    const { decoder } = this.#format;
    const file = this.#open(coord);
    if (file === undefined) return this.#filled();
    const { fd } = file;
    const expected = this.#chunkBytes;
    // A compressed chunk: room for one byte past the file's size at open, so a read that stops short has found the end.
    const room = decoder.compressed ? Math.max(expected + 4096, file.size + 1) : expected;
    if (slot.encoded.length < room) slot.encoded = swap(slot.encoded, room);
    let size = 0;
    for (;;) {
      const n = readSync(fd, slot.encoded, size, slot.encoded.length - size, size);
      size += n;
      // The whole file as it was at open: no probe read for its end (a point read's only other syscall).
      // A file that grew since reads on to its new end.
      if (n === 0 || size === file.size || (!decoder.compressed && size === expected)) break;
      if (size === slot.encoded.length) {
        const grown = borrow(slot.encoded.length * 2);
        grown.set(slot.encoded);
        giveBack(slot.encoded);
        slot.encoded = grown;
      }
    }
    if (slot.decoded.length < expected && decoder.compressed) slot.decoded = swap(slot.decoded, expected);
    return decodeChunk(decoder, slot.encoded.subarray(0, size), slot.decoded, expected, this.#path(coord));
  }

  /** The path of the chunk file at `coord` (built when needed: not on every read). */
  #path(coord: readonly number[]): string {
    return join(this.#format.root, this.#format.keyOf(coord));
  }

  /** The chunk file at `coord`, opened on first need; undefined when it does not exist. */
  #open(coord: readonly number[]): OpenFile | undefined {
    let index = 0;
    for (let a = 0; a < coord.length; a++) index += coord[a] * this.#gridStrides[a];
    const known = this.#files.get(index);
    if (known !== undefined) return known;
    let fd: number;
    try {
      fd = openSync(this.#path(coord), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let size: number;
    try {
      size = fstatSync(fd).size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (this.#files.size >= MAX_OPEN_FILES) {
      const [oldIndex, old] = this.#files.entries().next().value as [number, OpenFile];
      this.#files.delete(oldIndex);
      closeSync(old.fd);
    }
    const file = { fd, size };
    this.#files.set(index, file);
    return file;
  }

  /** A chunk of fill values, built on first need. */
  #filled(): Uint8Array {
    this.#fillChunk ??= fillChunk(this.#format.fill, this.#chunkBytes);
    return this.#fillChunk;
  }
}
