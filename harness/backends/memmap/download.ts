/**
 * memmap with `remote: download`: mmap needs a file on a local filesystem, so the object is first
 * downloaded to local disk (one whole-object GET), written and then mapped. The download happens at
 * the first read after each open, inside the timed region, so what "mmap cannot read S3" costs is
 * measured; later reads of the same open map the downloaded copy (a warm case keeps it).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TypedArray } from "../../core/dtype.ts";
import type { Selection } from "../../core/selection.ts";
import type { MemmapLayout } from "../../scenario/types.ts";
import type { BackendReadPath, Reader, RemoteSource, Stored } from "../types.ts";

/** Where downloads go: next to the dataset cache's entries, on the same local filesystem. */
function downloadDir(stored: Stored): string {
  return join(dirname(stored.dir), ".downloads", `${process.pid}-${randomBytes(4).toString("hex")}`);
}

export async function openDownloaded(
  stored: Stored<MemmapLayout>,
  source: RemoteSource,
  file: string,
  openLocal: (stored: Stored<MemmapLayout>) => Promise<Reader>,
): Promise<Reader> {
  let local: Reader | undefined;
  let dir: string | undefined;
  const path: BackendReadPath = {
    implementation: `download to local disk (one whole-object GET over ${source.store.kind}), then mmap`,
    decoder: "none",
    threads: 1,
    library: "none",
    ours: "the download and the mapping: every cold sample downloads the object again",
    fallbacks: [],
  };
  const ready = async (): Promise<Reader> => {
    if (local) return local;
    const bytes = await source.store.get(`${source.prefix}/${file}`);
    dir = downloadDir(stored);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), bytes);
    local = await openLocal({ ...stored, dir });
    return local;
  };
  return {
    readPath: () => path,
    async read(sel: Selection, out?: TypedArray) {
      return (await ready()).read(sel, out);
    },
    async close() {
      await local?.close();
      local = undefined;
      if (dir) rmSync(dir, { recursive: true, force: true });
      await source.store.close();
    },
  };
}
