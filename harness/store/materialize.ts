/**
 * The materialization cache: each (dataset, layout) is written once, under a folder named by a
 * hash of everything that determines its bytes. It is written into a temporary folder, flushed,
 * given a manifest, then renamed into place, so a half-written dataset is never reused; an entry
 * being rewritten (--rematerialize) stays in place until its replacement is complete.
 */

import { randomBytes } from "node:crypto";
import { closeSync, cpSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { backendFor } from "../backends/registry.ts";
import type { LayoutEncoder, StorageFootprint, Stored } from "../backends/types.ts";
import { canonicalJson, sha256 } from "../core/digest.ts";
import { itemSize } from "../core/dtype.ts";
import { UserError } from "../core/errors.ts";
import { GENERATOR_VERSION } from "../data/generate.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";
import { processAlive } from "./lock.ts";
import { MANIFEST, type Manifest } from "./manifest.ts";
import { compareWithFirst, firstSourceValues, firstSourceView, isLaterSource } from "./several-sources.ts";
import { sourceStamp } from "./source.ts";
import { ensureSourceEntry } from "./source-entry.ts";

/** Bump when a backend's on-disk output changes for the same parameters. */
export const STORAGE_FORMAT_VERSION = 2;

export interface Materialized {
  readonly stored: Stored;
  readonly manifest: Manifest;
  /** True when this call wrote it. */
  readonly created: boolean;
}

export function logicalBytes(dataset: DatasetSpec): number {
  return dataset.shape.reduce((a, b) => a * b, 1) * itemSize(dataset.dtype);
}

/**
 * What determines the bytes: not names, not read-only parameters; and the library that writes
 * them where what is installed decides it (only such layouts' keys name one).
 */
function storageKey(dataset: DatasetSpec, layout: LayoutSpec, encoder: LayoutEncoder | undefined): string {
  if (dataset.source) {
    // A source is identified by where it is; its content is tracked by size and mtime (source-entry.ts).
    const { path, format, dataset: inFile } = dataset.source;
    return sha256(canonicalJson({ storage: STORAGE_FORMAT_VERSION, source: { path, format, dataset: inFile } }));
  }
  // Written from a dataset's first source: its values are that file's, as of its size and mtime.
  const first = dataset.sources?.[0];
  const from = first ? { from: { path: first.path, format: first.format, dataset: first.dataset, ...sourceStamp(first.path) } } : {};
  const skip = new Set(["name", ...(backendFor(layout).readOnlyParams ?? [])]);
  const params = Object.fromEntries(Object.entries(layout).filter(([k]) => !skip.has(k)));
  return sha256(
    canonicalJson({
      storage: STORAGE_FORMAT_VERSION,
      generator: GENERATOR_VERSION,
      dataset: { shape: dataset.shape, dtype: dataset.dtype, generator: dataset.generator, seed: dataset.seed },
      layout: params,
      ...from,
      ...(encoder ? { encoder: encoder.name } : {}),
    }),
  );
}

/** The library that would write (dataset, layout) now; none for a source, which is never written. */
function encoderFor(dataset: DatasetSpec, layout: LayoutSpec): LayoutEncoder | undefined {
  return dataset.source ? undefined : backendFor(layout).encoder?.(layout, dataset);
}

/** The cache folder of (dataset, layout) as this machine would write it. */
export function entryDir(root: string, dataset: DatasetSpec, layout: LayoutSpec): string {
  return folderOf(root, layout, storageKey(dataset, layout, encoderFor(dataset, layout)));
}

function folderOf(root: string, layout: LayoutSpec, key: string): string {
  return join(root, `${layout.backend}-${key.slice(0, 20)}`);
}

function listFiles(dir: string, prefix = ""): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? join(prefix, entry.name) : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (entry.isFile() && rel !== MANIFEST) out.push({ path: rel, bytes: statSync(join(dir, rel)).size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a cache folder holds: nothing, an unfinished write, a damaged entry, or a complete one. */
export type EntryState =
  | { readonly state: "missing" }
  | { readonly state: "partial" }
  | { readonly state: "damaged"; readonly manifest: Manifest; readonly problem: string }
  | { readonly state: "ok"; readonly manifest: Manifest };

/**
 * Inspects an entry. Without a manifest it is partial (never reused); with one whose files are
 * missing or have other sizes it is damaged: that is reported, not silently rewritten.
 */
export function inspectEntry(dir: string, key?: string): EntryState {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    try {
      statSync(dir);
    } catch {
      return { state: "missing" };
    }
    return { state: "partial" };
  }
  if (key !== undefined && manifest.key !== key) return { state: "partial" };
  for (const f of manifest.files) {
    let size: number;
    try {
      size = statSync(join(dir, f.path)).size;
    } catch {
      return { state: "damaged", manifest, problem: `${join(dir, f.path)} is missing` };
    }
    if (size !== f.bytes) return { state: "damaged", manifest, problem: `${join(dir, f.path)} has ${size} bytes, the manifest says ${f.bytes}` };
  }
  return { state: "ok", manifest };
}

/** The manifest of a complete entry, or undefined when it is missing, partial, stale or damaged. */
function readManifest(dir: string, key?: string): Manifest | undefined {
  const entry = inspectEntry(dir, key);
  return entry.state === "ok" ? entry.manifest : undefined;
}

/** A manifest: its fixed part, and per file listed a path and a size. */
const MANIFEST_BYTES = 1024;
const MANIFEST_BYTES_PER_FILE = 64;
/** Room a name takes in its folder (ext4: 8 bytes plus the name, rounded up to 4). */
const NAME_BYTES = 32;

/** Disk space and inodes an entry may take. */
export interface SpaceNeeded {
  readonly bytes: number;
  readonly inodes: number;
  readonly files: number;
  readonly folders: number;
}

/**
 * The most disk space and inodes an entry whose layout creates `footprint` can take on a filesystem
 * of `blockBytes` blocks: every file rounded up to whole blocks (a chunk of 400 bytes takes 4 KiB),
 * the manifest, every folder one block plus the names it holds, and one inode per file and folder
 * (the entry's folder and manifest included).
 */
export function spaceNeeded(footprint: StorageFootprint, blockBytes: number): SpaceNeeded {
  const blocks = (n: number) => Math.ceil(n / blockBytes) * blockBytes;
  let bytes = 0;
  let files = 0;
  for (const group of footprint.files) {
    bytes += group.count * blocks(group.bytes);
    files += group.count;
  }
  bytes += blocks(MANIFEST_BYTES + MANIFEST_BYTES_PER_FILE * files);
  files += 1;
  const folders = footprint.folders + 1;
  // Every file and folder has a name in a folder, except the entry's own folder.
  bytes += blocks(folders * blockBytes + (files + folders - 1) * NAME_BYTES);
  return { bytes, inodes: files + folders, files, folders };
}

/** What `statfs` says about free room (Node's fs.statfsSync fields). */
export interface FreeRoom {
  readonly bsize: number;
  readonly bavail: number;
  /** Inodes in all, and free; 0 and 0 on filesystems without an inode limit (btrfs). */
  readonly files: number;
  readonly ffree: number;
}

/** One line per shortage of space or inodes in `root` for writing `what`; empty when it fits. */
export function freeRoomProblems(root: string, what: string, need: SpaceNeeded, free: FreeRoom): string[] {
  const problems: string[] = [];
  const available = free.bavail * free.bsize;
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const layoutFiles = `${count(need.files, "file")} and ${count(need.folders, "folder")}`;
  if (available < need.bytes) {
    problems.push(
      `${root}: not enough free space to materialize ${what}: needs up to ${formatSize(need.bytes)} ` +
        `(${layoutFiles}, each rounded up to ${free.bsize}-byte blocks), ${formatSize(available)} available; ` +
        "free some space, or use a cache on another filesystem (--cache DIR)",
    );
  }
  if (free.files > 0 && free.ffree < need.inodes) {
    problems.push(
      `${root}: not enough free inodes to materialize ${what}: its ${layoutFiles} need ${need.inodes} inodes, ` +
        `the filesystem has ${free.ffree} free (df -i); use larger chunks or shards, or a cache on another filesystem (--cache DIR)`,
    );
  }
  return problems;
}

function formatSize(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function checkFreeRoom(root: string, dataset: DatasetSpec, layout: LayoutSpec): void {
  const backend = backendFor(layout);
  const footprint = backend.footprint?.(layout, dataset) ?? { files: [{ count: 1, bytes: logicalBytes(dataset) }], folders: 0 };
  const free = statfsSync(root);
  const problems = freeRoomProblems(root, `${dataset.name} as ${layout.name}`, spaceNeeded(footprint, free.bsize), free);
  if (problems.length > 0) throw new UserError(problems);
}

export interface MaterializeOptions {
  readonly progress?: (doneBytes: number, totalBytes: number) => void;
  /** Throw away an existing entry and write it again. */
  readonly rematerialize?: boolean;
}

/** The stored layout for (dataset, layout), writing it first when the cache has no complete copy. */
export async function ensureMaterialized(root: string, dataset: DatasetSpec, layout: LayoutSpec, options: MaterializeOptions = {}): Promise<Materialized> {
  const backend = backendFor(layout);
  const encoder = encoderFor(dataset, layout);
  const key = storageKey(dataset, layout, encoder);
  const dir = folderOf(root, layout, key);
  const stored = (): Stored => ({ dir, dataset, layout });
  mkdirSync(root, { recursive: true });
  if (dataset.source) {
    // Linked, never rewritten: nothing is written next to the user's file.
    const { manifest, created } = ensureSourceEntry(root, dir, key, dataset, layout, options.rematerialize ?? false);
    if (isLaterSource(dataset)) {
      const first = await ensureMaterialized(root, firstSourceView(dataset), dataset.sources![0].layout);
      await compareWithFirst(stored(), first.stored);
    }
    return { stored: stored(), manifest, created };
  }
  // --rematerialize keeps the entry there until the new one is complete (replaceEntry).
  if (!options.rematerialize) {
    const existing = inspectEntry(dir, key);
    if (existing.state === "ok") return { stored: stored(), manifest: existing.manifest, created: false };
    if (existing.state === "damaged") {
      throw new UserError(`cached ${dataset.name} as ${layout.name} is damaged: ${existing.problem}; run again with --rematerialize to write it anew`);
    }
    // Incomplete leftovers (no or stale manifest) are never reused.
    rmSync(dir, { recursive: true, force: true });
  }

  checkFreeRoom(root, dataset, layout);
  // A layout of a dataset with sources is written from the first source's values.
  const values = dataset.sources
    ? await firstSourceValues(root, (await ensureMaterialized(root, firstSourceView(dataset), dataset.sources[0].layout)).stored)
    : undefined;
  const tmp = join(root, `.tmp-${key.slice(0, 12)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  const started = performance.now();
  try {
    const written = values ? { ...dataset, fill: values.fill } : dataset;
    await backend.materialize({ dataset: written, layout, dir: tmp, progress: options.progress ?? (() => {}) });
    values?.dispose();
    const files = listFiles(tmp);
    for (const f of files) fsyncPath(join(tmp, f.path));
    const manifest: Manifest = {
      key,
      createdAt: new Date().toISOString(),
      dataset,
      layout,
      ...(encoder ? { encoder } : {}),
      files,
      bytesOnDisk: files.reduce((a, f) => a + f.bytes, 0),
      seconds: (performance.now() - started) / 1000,
    };
    writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
    fsyncPath(join(tmp, MANIFEST));
    if (options.rematerialize) {
      replaceEntry(root, tmp, dir);
      return { stored: stored(), manifest, created: true };
    }
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another run finished the same entry first: use theirs.
      const theirs = readManifest(dir, key);
      if (!theirs) throw err;
      rmSync(tmp, { recursive: true, force: true });
      return { stored: stored(), manifest: theirs, created: false };
    }
    fsyncPath(root);
    return { stored: stored(), manifest, created: true };
  } catch (err) {
    values?.dispose();
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Puts the complete entry `tmp` at `dir`, where an entry already is (--rematerialize): the old one
 * is moved aside and removed only once the new one is in place, so a rematerialization that fails
 * or is killed before this point leaves the old entry where it was, usable.
 */
function replaceEntry(root: string, tmp: string, dir: string): void {
  const old = join(root, `.old-${basename(dir)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  let moved = true;
  try {
    renameSync(dir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    moved = false;
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (moved) renameSync(old, dir);
    throw err;
  }
  fsyncPath(root);
  if (moved) rmSync(old, { recursive: true, force: true });
}

/** Entries, unfinished writes and entries being replaced, and write cases' scratch copies. */
const ENTRY = /^[a-z0-9]+-[0-9a-f]{20}$/;
const UNFINISHED = /^(?:\.tmp-[0-9a-f]{12}|\.old-[a-z0-9]+-[0-9a-f]{20})-\d+-[0-9a-f]{8}$/;
// Also the copies of a first source's values that layouts of a dataset with sources are written from.
const SCRATCH = /^\.(?:scratch|values)-(\d+)-[0-9a-f]{8}$/;

/**
 * A private copy of a stored layout for a write case, so the cached entry is never modified; the
 * caller removes it when the case ends. A copy that fails midway (a full disk) is removed here.
 */
export function scratchCopy(root: string, stored: Stored): Stored {
  const dir = join(root, `.scratch-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    cpSync(stored.dir, dir, { recursive: true });
    rmSync(join(dir, MANIFEST), { force: true });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { ...stored, dir };
}

/**
 * Removes scratch copies whose run is gone (a killed process cannot clean up after itself); call it
 * holding the cache's run lock. Returns the folders removed.
 */
export function removeStaleScratch(root: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = SCRATCH.exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(join(root, name));
  }
  return removed;
}

export interface CacheListing {
  readonly entries: (Manifest & { dir: string })[];
  /** Unfinished writes and replaced entries: never reused. */
  readonly partial: string[];
  /** Write cases' scratch copies left by a run that failed or was killed: never datasets. */
  readonly scratch: string[];
  readonly damaged: { dir: string; problem: string }[];
}

/** Every complete entry in the cache, and the folders that are not complete entries. */
export function listCache(root: string): CacheListing {
  const listing: CacheListing = { entries: [], partial: [], scratch: [], damaged: [] };
  const { entries, partial, scratch, damaged } = listing;
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return listing;
  }
  for (const name of names.sort()) {
    // Only folders this tool creates: anything else in the folder is left alone.
    const dir = join(root, name);
    if (!(ENTRY.test(name) || UNFINISHED.test(name) || SCRATCH.test(name)) || !statSync(dir).isDirectory()) continue;
    // A copy or an unfinished write may hold a manifest (copied, or about to be renamed): never an entry.
    if (SCRATCH.test(name)) {
      scratch.push(dir);
      continue;
    }
    if (UNFINISHED.test(name)) {
      partial.push(dir);
      continue;
    }
    const entry = inspectEntry(dir);
    if (entry.state === "ok") entries.push({ ...entry.manifest, dir });
    else if (entry.state === "damaged") damaged.push({ dir, problem: entry.problem });
    else partial.push(dir);
  }
  return listing;
}
