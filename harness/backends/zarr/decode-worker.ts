/**
 * A chunk worker (started by decode-pool.ts): per message, takes chunks of a shared list one at a
 * time (an atomic counter the main thread also takes from, so a worker the OS has descheduled holds
 * up at most one chunk), reads each file and decodes it into its place in a shared arena, with the
 * same decoders as the main thread (chunk-decoders.ts). One message per worker and read, because
 * a hand-off between threads can cost as much as decoding a chunk (`npm run bench:read-paths`
 * measures reads through this pool). It keeps decoders (no data) between messages; files are opened and closed per chunk.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { type ChunkDecoder, type CompressorSpec, chunkDecoder } from "./chunk-decoders.ts";

/**
 * One batch: while `Atomics.add(next, 0, 1)` yields an index i below `paths.length`, decode file
 * `paths[i]` into `arena[i * chunkBytes, +chunkBytes)`.
 */
export interface DecodeJob {
  readonly id: number;
  readonly spec: CompressorSpec;
  readonly chunkBytes: number;
  readonly paths: readonly string[];
  readonly arena: SharedArrayBuffer;
  /** One Int32: the next index to take. */
  readonly next: SharedArrayBuffer;
}

/** The answer: the indices decoded and those whose file does not exist (fill value), or the first error. */
export type DecodeReply = { readonly id: number; readonly done: number[]; readonly missing: number[] } | { readonly id: number; readonly error: string };

const decoders = new Map<string, ChunkDecoder>();
let encoded = new Uint8Array(0);

async function run(job: DecodeJob): Promise<{ done: number[]; missing: number[] }> {
  const key = JSON.stringify(job.spec);
  let decoder = decoders.get(key);
  if (!decoder) {
    decoder = chunkDecoder(job.spec);
    if (!decoder) throw new Error(`no decoder for ${key}`);
    decoders.set(key, decoder);
  }
  const next = new Int32Array(job.next);
  const done: number[] = [];
  const missing: number[] = [];
  for (let i = Atomics.add(next, 0, 1); i < job.paths.length; i = Atomics.add(next, 0, 1)) {
    const size = readWhole(job.paths[i]);
    if (size < 0) {
      missing.push(i);
      continue;
    }
    const dst = new Uint8Array(job.arena, i * job.chunkBytes, job.chunkBytes);
    let out: Uint8Array;
    try {
      out = await decoder.decode(encoded.subarray(0, size), dst);
    } catch (error) {
      throw new Error(`${job.paths[i]}: cannot decode chunk: ${(error as Error).message}`);
    }
    if (out.length !== job.chunkBytes) throw new Error(`${job.paths[i]}: chunk decodes to ${out.length} bytes, expected ${job.chunkBytes}`);
    if (out.buffer !== job.arena || out.byteOffset !== dst.byteOffset) dst.set(out);
    done.push(i);
  }
  return { done, missing };
}

/** Reads the file at `path` into `encoded` (grown as needed); -1 when it does not exist. */
function readWhole(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return -1;
    throw error;
  }
  try {
    let size = 0;
    for (;;) {
      if (size === encoded.length) {
        const grown = new Uint8Array(Math.max(64 * 1024, encoded.length * 2));
        grown.set(encoded);
        encoded = grown;
      }
      const n = readSync(fd, encoded, size, encoded.length - size, size);
      if (n === 0) return size;
      size += n;
    }
  } finally {
    closeSync(fd);
  }
}

parentPort?.on("message", (job: DecodeJob) => {
  run(job).then(
    ({ done, missing }) => parentPort!.postMessage({ id: job.id, done, missing } satisfies DecodeReply),
    (error: Error) => parentPort!.postMessage({ id: job.id, error: error.message } satisfies DecodeReply),
  );
});
