/**
 * The direct read path (chunk-reader.ts's) over remote storage: the chunks a selection touches,
 * each fetched whole with one GET of its object through the source's ObjectStore, at most
 * `concurrency` GETs in flight, a missing object read as the fill value. Each chunk is decoded by
 * the decoder the local path picks (chunk-decoders.ts: the addon's C decoders, node:zlib) as soon
 * as it arrives, while the other GETs are still on the wire, then copied into the result
 * (chunk-copy.ts). Why not zarr.get: it decodes with numcodecs.js, several times slower than the
 * addon, which would charge the network case a decode cost the local case does not pay.
 *
 * Decoders that answer synchronously (the addon's, every decoder in JavaScript) decode into one
 * scratch buffer shared by the GETs in flight: the chunk is copied out before anything else runs.
 * Decoders that answer with a promise (node:zlib, numcodecs.js) return buffers of their own.
 */
import type { TypedArray } from "../../core/dtype.ts";
import { type Selection, selectionShape } from "../../core/selection.ts";
import { RemoteError } from "../../remote/index.ts";
import type { RemoteSource } from "../types.ts";
import { copySelected } from "./chunk-copy.ts";
import type { ChunkFormat } from "./chunk-reader.ts";
import { type ChunkTask, type DecodingPath, decodeChunk, decodingPath, fillChunk, planChunks } from "./chunk-steps.ts";
import { borrow, giveBack } from "./scratch.ts";

const EMPTY: Uint8Array = new Uint8Array(0);

export class RemoteChunkReader {
  readonly #format: ChunkFormat;
  readonly #source: RemoteSource;
  readonly #chunkBytes: number;
  #scratch: Uint8Array = EMPTY;
  #fillChunk: Uint8Array | undefined;
  #closed = false;

  /** `format.root` is the array's key prefix in `source.store` (chunk keys are `root/keyOf(coord)`). */
  constructor(format: ChunkFormat, source: RemoteSource) {
    this.#format = format;
    this.#source = source;
    this.#chunkBytes = format.chunks.reduce((a, b) => a * b, 1) * format.itemBytes;
  }

  /** What decodes, on how many threads, and any slower path taken (chunk-steps.ts). */
  decoding(): DecodingPath {
    return decodingPath(this.#format.decoder, this.#source.concurrency);
  }

  /** The selected elements (every step allowed) in C order, into `allocateOut(count)`. */
  async read(sel: Selection, allocateOut: (length: number) => TypedArray): Promise<TypedArray> {
    if (this.#closed) throw new Error(`zarr reader of ${this.#source.store.label} ${this.#format.root} is closed`);
    const outShape = selectionShape(sel);
    const out = allocateOut(outShape.reduce((a, b) => a * b, 1));
    if (out.length === 0) return out;
    const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const tasks = planChunks(sel, this.#format.chunks);
    if (this.#format.decoder.compressed && this.#scratch.length < this.#chunkBytes) {
      giveBack(this.#scratch);
      this.#scratch = borrow(this.#chunkBytes);
    }
    let next = 0;
    let failed = false;
    const fetcher = async () => {
      while (!failed && next < tasks.length) {
        const task = tasks[next++];
        try {
          await this.#readChunk(task, outBytes, outShape);
        } catch (error) {
          // The other GETs in flight finish, but no new one starts.
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.#source.concurrency, tasks.length)) }, fetcher));
    return out;
  }

  /** Fetches, decodes and copies one chunk. */
  async #readChunk(task: ChunkTask, out: Uint8Array, outShape: readonly number[]): Promise<void> {
    const key = `${this.#format.root}/${this.#format.keyOf(task.coord)}`;
    let encoded: Uint8Array;
    try {
      encoded = await this.#source.store.get(key);
    } catch (error) {
      // A chunk never written is a missing object: it reads as the fill value.
      if (!(error instanceof RemoteError && error.kind === "missing")) throw error;
      this.#fillChunk ??= fillChunk(this.#format.fill, this.#chunkBytes);
      this.#copy(this.#fillChunk, task, out, outShape);
      return;
    }
    const scratch = this.#scratch;
    const decoded = decodeChunk(this.#format.decoder, encoded, scratch, this.#chunkBytes, `${this.#source.store.label} ${key}`);
    if (!(decoded instanceof Promise)) {
      this.#copy(decoded, task, out, outShape);
      return;
    }
    const chunk = await decoded;
    // Another chunk may have been decoded into the scratch meanwhile: an asynchronous decoder must not use it.
    if (chunk.buffer === scratch.buffer && scratch.length > 0)
      throw new Error(`${key}: ${this.#format.decoder.label} decoded into the shared scratch asynchronously`);
    this.#copy(chunk, task, out, outShape);
  }

  #copy(chunk: Uint8Array, task: ChunkTask, out: Uint8Array, outShape: readonly number[]): void {
    copySelected(chunk, this.#format.chunks, out, outShape, task.parts, this.#format.itemBytes);
  }

  /** Later reads throw; the scratch goes back for the next reader. The store is the caller's to close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    giveBack(this.#scratch);
    this.#scratch = EMPTY;
  }
}
