/**
 * A minimal zarrita store over a local directory (the same behaviour as `@zarrita/storage/fs`, which
 * this project does not depend on directly), plus what the harness needs around it: every value it
 * returns owns its whole ArrayBuffer, and it remembers which files it wrote so `flush` can make them
 * durable.
 */
import { type FileHandle, mkdir, open, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AbsolutePath, RangeQuery } from "zarrita";
import { owned } from "./codecs.ts";

/** A zarrita `AsyncMutable` store rooted at one directory (the array folder); keys are `/`-rooted paths. */
export class LocalStore {
  readonly #root: string;
  readonly #written = new Set<string>();
  #closed = false;

  constructor(root: string) {
    this.#root = root;
  }

  /** The whole file at `key`, or undefined when it does not exist (a chunk never written). */
  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    try {
      return owned(await readFile(this.#path(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** A byte range (or the last `suffixLength` bytes) of the file at `key`; sharded reads use it. */
  async getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    let handle: FileHandle;
    try {
      handle = await open(this.#path(key), "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    try {
      let offset: number, length: number;
      if ("suffixLength" in range) {
        const size = (await handle.stat()).size;
        length = Math.min(range.suffixLength, size);
        offset = size - length;
      } else {
        ({ offset, length } = range);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`${this.#path(key)}: file ends before byte ${offset + length}`);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    this.#checkOpen();
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, value);
    this.#written.add(path);
  }

  /** fdatasync of every file written since the last flush. */
  async flush(): Promise<void> {
    const paths = [...this.#written];
    this.#written.clear();
    await fdatasyncAll(paths);
  }

  /** Later calls throw: a closed reader must not touch files. */
  close(): void {
    this.#closed = true;
  }

  #path(key: AbsolutePath): string {
    return join(this.#root, key.slice(1));
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`zarr store ${this.#root} is closed`);
  }
}

/** fdatasync of each path, a few at a time so the disk sees a queue but we hold few descriptors. */
export async function fdatasyncAll(paths: readonly string[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      // Linux allows fdatasync on a read-only descriptor.
      const handle = await open(paths[next++], "r");
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
}
