/**
 * Cache entries for datasets read from existing files. Nothing is copied or written next to the
 * user's file: the entry folder holds a symlink to it under the name its backend opens (data.npy,
 * array.zarr, data.h5) and a manifest with the source's size and mtime. A source whose size or
 * mtime changed makes the entry stale, and it is linked again.
 */

import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { backendFor } from "../backends/registry.ts";
import { requireCapability } from "../backends/types.ts";
import { UserError } from "../core/errors.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";
import { MANIFEST, type Manifest } from "./manifest.ts";
import { type SourceStamp, sourceStamp } from "./source.ts";

function sameStamp(a: SourceStamp | undefined, b: SourceStamp): boolean {
  return a !== undefined && a.bytes === b.bytes && a.files === b.files && a.mtimeMs === b.mtimeMs;
}

/** Every regular file under `path` (following the link), relative to the entry folder. */
function filesBehind(dir: string, rel: string): { path: string; bytes: number }[] {
  const st = statSync(join(dir, rel));
  if (!st.isDirectory()) return st.isFile() ? [{ path: rel, bytes: st.size }] : [];
  return readdirSync(join(dir, rel))
    .sort()
    .flatMap((name) => filesBehind(dir, join(rel, name)));
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The entry for a dataset with a source: reused while the source's size and mtime are those in its
 * manifest, linked again otherwise. Returns the manifest and whether this call (re)linked it.
 */
export function ensureSourceEntry(
  root: string,
  dir: string,
  key: string,
  dataset: DatasetSpec,
  layout: LayoutSpec,
  rematerialize: boolean,
): { manifest: Manifest; created: boolean } {
  const source = dataset.source;
  if (!source) throw new Error(`dataset ${dataset.name} has no source`);
  // Linked under the name the backend opens inside an entry folder.
  const backend = backendFor(layout);
  requireCapability(backend, "mainFile");
  const link = backend.mainFile;
  let stamp: SourceStamp;
  try {
    stamp = sourceStamp(source.path);
  } catch (err) {
    throw new UserError(`source of dataset ${dataset.name}: cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!rematerialize) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
      if (manifest.key === key && sameStamp(manifest.source, stamp) && readlinkSync(join(dir, link)) === source.path) {
        return { manifest, created: false };
      }
    } catch {
      /* missing, partial or stale: linked again below */
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const tmp = join(root, `.tmp-${key.slice(0, 12)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  try {
    symlinkSync(source.path, join(tmp, link));
    const files = filesBehind(tmp, link);
    const manifest: Manifest = {
      key,
      createdAt: new Date().toISOString(),
      dataset,
      layout,
      files,
      bytesOnDisk: files.reduce((a, f) => a + f.bytes, 0),
      seconds: (performance.now() - started) / 1000,
      source: { path: source.path, ...stamp },
    };
    writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
    fsyncPath(join(tmp, MANIFEST));
    renameSync(tmp, dir);
    fsyncPath(root);
    return { manifest, created: true };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
