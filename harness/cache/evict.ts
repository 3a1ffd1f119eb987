/**
 * Evicts a layout's files from the OS page cache before a cold sample. Without root the only
 * per-file way is posix_fadvise(DONTNEED), which drops clean pages only: each file is fdatasync'ed
 * first, or freshly written pages would stay. Callers must unmap and close readers before evicting
 * (a live mapping pins its pages); the runner checks the outcome with `residency()`.
 */
import { closeSync, fdatasyncSync, openSync, writeFileSync } from "node:fs";
import { UserError } from "../core/errors.ts";
import { fadvise, syncAll } from "../native/index.ts";
import type { EvictionMethod } from "../scenario/types.ts";

const DROP_CACHES = "/proc/sys/vm/drop_caches";

/**
 * Removes `paths` from the page cache. `fadvise` works for any user on files they can open;
 * `drop_caches` additionally syncs and empties the whole page cache (root only).
 * Async so callers can treat eviction like any other effect; the work itself is a few syscalls.
 * @throws UserError (as a rejection) when `drop_caches` is not permitted here.
 */
export async function evictFiles(paths: readonly string[], method: EvictionMethod): Promise<void> {
  evictFilesSync(paths, method);
}

/** {@link evictFiles}, synchronously. @throws UserError when `drop_caches` is not permitted here. */
export function evictFilesSync(paths: readonly string[], method: EvictionMethod): void {
  if (method === "drop_caches") dropAllCaches();
  for (const path of paths) evictFile(path);
}

function evictFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    // Linux allows fdatasync on a read-only descriptor; it flushes dirty pages of the inode.
    fdatasyncSync(fd);
    fadvise(fd, 0, 0, "dontneed");
  } finally {
    closeSync(fd);
  }
}

function dropAllCaches(): void {
  if (process.getuid?.() !== 0) {
    throw new UserError(`eviction: drop_caches needs root (it writes ${DROP_CACHES}); run as root or use \`eviction: fadvise\``);
  }
  syncAll();
  try {
    writeFileSync(DROP_CACHES, "3\n");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UserError(`eviction: cannot write ${DROP_CACHES} (${code}; containers often mount /proc/sys read-only); ` + "use `eviction: fadvise`", { cause });
  }
}
