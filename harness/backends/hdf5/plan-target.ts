/**
 * Where libhdf5 reads while remote plans are recorded (remote-plan.ts): the local copy the objects
 * were uploaded from, or, when there is none (a user's bucket or HTTP server), a sparse image of the
 * remote object filled by ranged GETs.
 *
 * libhdf5 reads synchronously (h5wasm's Emscripten `FS.read`, NODERAWFS: a `readSync` on a real
 * descriptor) and the object store is asynchronous, so the image is filled by iterating: a recording
 * runs against the image with every read of bytes not yet fetched answered with zeros and noted; the
 * noted ranges, widened to whole `sieveBytes` blocks, are fetched, and the recording runs again
 * from a freshly opened file, until one completes having read only fetched bytes. That last
 * recording saw the object's own bytes, so its reads are the ones libhdf5 makes on the object (the
 * same as on a local copy of it). Zeros send libhdf5 nowhere harmful: a zeroed superblock, object
 * header or B-tree node fails its signature or version check and ends the attempt, and a zeroed
 * chunk fails its filter or decodes to numbers nobody keeps. Each attempt reads the metadata one
 * level deeper (superblock, object headers, chunk index), and `explore` (a chunk at a time, errors
 * ignored) lets one attempt find every chunk a selection reads.
 */
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore } from "../../remote/index.ts";

/** One positional read: `length` bytes at `offset`. */
export interface ByteRead {
  readonly offset: number;
  readonly length: number;
}

/** A file libhdf5 can open, holding (or coming to hold) the bytes of the layout's HDF5 file. */
export interface PlanTarget {
  /** Names the bytes: plans are kept per id. */
  readonly id: string;
  /** The file libhdf5 opens. */
  readonly path: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  /**
   * `record` (synchronous libhdf5 calls) run until it read only the file's own bytes; `explore`, when
   * given, runs after an attempt that read missing bytes, to note more of them at once (errors ignored).
   */
  settle<T>(record: () => T, explore?: () => void): Promise<T>;
}

/** The local copy at `path`: its bytes are all there, so a recording runs once. */
export function localTarget(path: string): PlanTarget {
  const st = statSync(path);
  return { id: `${st.dev}:${st.ino}:${st.mtimeMs}`, path, size: st.size, dev: st.dev, ino: st.ino, settle: async (record) => record() };
}

/** What libhdf5 reads through Emscripten's file system; only the parts used here. */
interface ReadableFs {
  read(stream: { nfd?: number }, buffer: Uint8Array, offset: number, length: number, position?: number): number;
}

/** Most attempts of one recording: each reads at least one more block, so this bounds a damaged file. */
const MAX_ATTEMPTS = 200;

/** What filling a sparse image cost. */
interface ImageCost {
  gets: number;
  bytes: number;
}

/**
 * A sparse image of the object `key` in `store` (`size` bytes) in memory-backed temporary storage,
 * read by libhdf5 through `fs` (the h5wasm module's `FS`). `close()` removes it.
 */
export class SparseImage implements PlanTarget {
  readonly id: string;
  readonly path: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  /** GETs and bytes fetched so far. */
  readonly cost: ImageCost = { gets: 0, bytes: 0 };
  readonly #folder: string;
  readonly #fd: number;
  /** Fetched blocks of `#block` bytes, by index. */
  readonly #have = new Set<number>();
  readonly #block: number;

  constructor(
    private readonly fs: unknown,
    private readonly store: ObjectStore,
    private readonly key: string,
    size: number,
    blockBytes: number,
    fileName: string,
  ) {
    this.id = remotePlanId(store, key);
    this.size = size;
    this.#block = blockBytes;
    this.#folder = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "layoutbench-h5-plan-"));
    this.path = join(this.#folder, fileName);
    this.#fd = openSync(this.path, "w");
    // As long as the object, so libhdf5 sees the end of file where it is.
    if (size > 0) writeSync(this.#fd, new Uint8Array(1), 0, 1, size - 1);
    const st = statSync(this.path);
    this.dev = st.dev;
    this.ino = st.ino;
  }

  /** Whether the bytes at `offset` are fetched (past the end there is nothing to fetch). */
  #covered(offset: number, length: number): boolean {
    const end = Math.min(offset + length, this.size);
    for (let b = Math.floor(offset / this.#block); b * this.#block < end; b++) if (!this.#have.has(b)) return false;
    return true;
  }

  /** Runs `call` with reads of the image outside the fetched blocks answered with zeros and noted. */
  #attempt<T>(call: () => T): { ok: boolean; value?: T; error?: unknown; missing: ByteRead[] } {
    const target = this.fs as ReadableFs;
    const original = target.read;
    const missing: ByteRead[] = [];
    const image = this;
    target.read = function (stream, buffer, offset, length, position) {
      if (typeof stream.nfd === "number" && typeof position === "number" && length > 0 && !image.#covered(position, length)) {
        const st = fstatSync(stream.nfd);
        if (st.dev === image.dev && st.ino === image.ino) {
          missing.push({ offset: position, length });
          const n = Math.max(0, Math.min(length, image.size - position));
          buffer.fill(0, offset, offset + n);
          return n;
        }
      }
      return original.call(this, stream, buffer, offset, length, position);
    };
    try {
      return { ok: true, value: call(), missing };
    } catch (error) {
      return { ok: false, error, missing };
    } finally {
      target.read = original;
    }
  }

  /** Fetches the blocks `reads` touch that are not there yet, one GET per run of adjacent blocks. */
  async #fetch(reads: readonly ByteRead[]): Promise<void> {
    const blocks = new Set<number>();
    for (const r of reads) {
      const end = Math.min(r.offset + r.length, this.size);
      for (let b = Math.floor(r.offset / this.#block); b * this.#block < end; b++) if (!this.#have.has(b)) blocks.add(b);
    }
    const sorted = [...blocks].sort((a, b) => a - b);
    const runs: { first: number; last: number }[] = [];
    for (const b of sorted) {
      const last = runs[runs.length - 1];
      if (last && b === last.last + 1) last.last = b;
      else runs.push({ first: b, last: b });
    }
    await Promise.all(
      runs.map(async ({ first, last }) => {
        const offset = first * this.#block;
        const length = Math.min((last + 1) * this.#block, this.size) - offset;
        const body = await this.store.get(this.key, { offset, length });
        if (body.byteLength !== length) throw new Error(`${this.store.label} ${this.key}: asked for ${length} bytes at ${offset}, got ${body.byteLength}`);
        writeSync(this.#fd, body, 0, length, offset);
        this.cost.gets++;
        this.cost.bytes += length;
        for (let b = first; b <= last; b++) this.#have.add(b);
      }),
    );
  }

  async settle<T>(record: () => T, explore?: () => void): Promise<T> {
    // The superblock first: libhdf5 looks for it at 0, then at 512, 1024, 2048, … to the end of a
    // file whose first bytes are not its signature, which would fetch a block at each.
    if (this.#have.size === 0 && this.size > 0) await this.#fetch([{ offset: 0, length: 1 }]);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const r = this.#attempt(record);
      if (r.missing.length === 0) {
        if (r.ok) return r.value as T;
        throw r.error;
      }
      if (explore) r.missing.push(...this.#attempt(explore).missing);
      await this.#fetch(r.missing);
    }
    throw new Error(`${this.store.label} ${this.key}: libhdf5 still read bytes not fetched after ${MAX_ATTEMPTS} attempts`);
  }

  close(): void {
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
  }
}

/** The id of plans recorded from the object `key` in `store`. */
export function remotePlanId(store: ObjectStore, key: string): string {
  return `${store.kind}|${store.label}|${key}`;
}
