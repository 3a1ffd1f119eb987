/**
 * The steps both chunk readers share, whether chunks come from local files (chunk-reader.ts) or
 * from GETs of remote objects (remote-chunk-reader.ts): which chunks a selection touches, a chunk of
 * fill values for chunks never written, decoding one chunk with its size checked, and how a reader
 * decodes, as its read path says. Copying into the result is chunk-copy.ts's.
 */
import { availableParallelism } from "node:os";
import type { Selection } from "../../core/selection.ts";
import { readerThreads } from "../concurrency.ts";
import { type AxisPart, intersect } from "./chunk-copy.ts";
import type { ChunkDecoder } from "./chunk-decoders.ts";

/** A chunk the read touches and the part of it selected. */
export interface ChunkTask {
  readonly coord: number[];
  readonly parts: AxisPart[];
}

/** The chunks `sel` touches, in C order of the chunk grid (shape `chunks`), each with the part of it selected. */
export function planChunks(sel: Selection, chunks: readonly number[]): ChunkTask[] {
  const perAxis = sel.map((s, a) => intersect(s, chunks[a]));
  const tasks: ChunkTask[] = [];
  if (perAxis.some((p) => p.length === 0)) return tasks;
  const index = perAxis.map(() => 0);
  for (;;) {
    const parts = index.map((i, a) => perAxis[a][i]);
    tasks.push({ coord: parts.map((p) => p.chunk), parts });
    let a = index.length - 1;
    while (a >= 0 && ++index[a] === perAxis[a].length) index[a--] = 0;
    if (a < 0) return tasks;
  }
}

/** A chunk of `chunkBytes` holding `fill` (one element's bytes) everywhere. */
export function fillChunk(fill: Uint8Array, chunkBytes: number): Uint8Array {
  const chunk = new Uint8Array(chunkBytes);
  if (fill.some((b) => b !== 0)) for (let i = 0; i < chunkBytes; i += fill.length) chunk.set(fill, i);
  return chunk;
}

/**
 * `encoded` decoded by `decoder` (into `scratch` where it writes into a buffer), checked to be the
 * chunk's `expected` bytes; errors name `where` (the chunk's file or object). Synchronous decoders
 * give their result at once, so a caller may copy it before anything else runs.
 */
export function decodeChunk(
  decoder: ChunkDecoder,
  encoded: Uint8Array,
  scratch: Uint8Array,
  expected: number,
  where: string,
): Uint8Array | Promise<Uint8Array> {
  if (!decoder.compressed) {
    if (encoded.length !== expected) throw new Error(`${where}: uncompressed chunk holds ${encoded.length} bytes, expected ${expected}`);
    return encoded;
  }
  let result: Uint8Array | Promise<Uint8Array>;
  try {
    result = decoder.decode(encoded, scratch);
  } catch (error) {
    throw cannotDecode(where, error);
  }
  if (result instanceof Promise)
    return result.then(
      (decoded) => checked(decoded, expected, where),
      (error: unknown) => {
        throw cannotDecode(where, error);
      },
    );
  return checked(result, expected, where);
}

function checked(decoded: Uint8Array, expected: number, where: string): Uint8Array {
  if (decoded.length !== expected) throw new Error(`${where}: chunk decodes to ${decoded.length} bytes, expected ${expected}`);
  return decoded;
}

function cannotDecode(where: string, error: unknown): Error {
  return new Error(`${where}: cannot decode chunk: ${(error as Error).message}`, { cause: error });
}

/** Threads of libuv's pool (UV_THREADPOOL_SIZE, default 4), capped by the cores that can run them. */
export function libuvThreads(): number {
  const size = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(size, readerThreads(availableParallelism())));
}

/** How a reader decodes, for its read path. */
export interface DecodingPath {
  readonly decoder: string;
  readonly threads: number;
  readonly fallbacks: string[];
}

/**
 * What decodes, on how many threads at most within one read, and every slower path taken instead
 * of the planned one (the addon lacking its decoders, workers that failed to start, Blosc frames the
 * C decoder declined so far). `inFlight`: chunks a read decodes at once on libuv's pool (node:zlib);
 * `workers`: the decode pool's size when a codec decoded in JavaScript runs there too.
 */
export function decodingPath(decoder: ChunkDecoder, inFlight: number, workers?: number, poolProblem?: string): DecodingPath {
  const fallbacks: string[] = [];
  if (decoder.nativeMissing) fallbacks.push(`${decoder.label} instead of the addon's C decoder: ${decoder.nativeMissing}`);
  if (poolProblem) fallbacks.push(`decode workers failed to start (${poolProblem}): chunks decoded on the main thread only`);
  const declined = decoder.declined?.() ?? 0;
  if (declined > 0) fallbacks.push(`${declined} Blosc chunk${declined === 1 ? "" : "s"} the addon's decoder declined went through numcodecs.js`);
  let threads = 1;
  if (decoder.concurrency === "threads") threads = Math.min(inFlight, libuvThreads());
  else if (decoder.concurrency === "workers") threads = workers !== undefined ? workers + 1 : 1;
  else if (decoder.concurrency === "inline") threads = decoder.threadsPerChunk ?? 1;
  const label =
    decoder.concurrency === "threads"
      ? `${decoder.label} on libuv's thread pool`
      : decoder.concurrency === "workers" && workers !== undefined
        ? `${decoder.label} in worker threads and this one`
        : decoder.label;
  return { decoder: label, threads, fallbacks };
}
