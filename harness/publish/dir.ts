/**
 * Publishing to a folder: the run's results file under runs/ and the index rewritten, both
 * atomically, under a lock file so two publishers never lose each other's entry. A lock left by a
 * process that is gone (same host) is taken over; a live one is waited for.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { writeJsonAtomic } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { appendRun, emptyIndex, type HistoryEntry, type HistoryIndex, INDEX_FILE, parseIndex } from "../shard/history.ts";
import { processAlive } from "../store/lock.ts";

const LOCK = ".publish.lock";
const WAIT_STEP_MS = 50;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes DIR's publish lock, waiting up to `timeoutMs`; returns its release. */
export function lockHistory(dir: string, timeoutMs = 60_000): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let owner: string[] = [];
    try {
      owner = readFileSync(path, "utf8").split("\n");
    } catch {
      continue; // released between our attempt and the read
    }
    const pid = Number(owner[0]);
    if (owner[1] === hostname() && Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `${dir}: another publisher (pid ${owner[0]} on ${owner[1] ?? "?"}, since ${owner[2] ?? "?"}) holds ${LOCK}; wait for it, or remove the lock if that process is gone`,
      );
    }
    sleepSync(WAIT_STEP_MS);
  }
}

export function readIndexFile(dir: string): HistoryIndex {
  const path = join(dir, INDEX_FILE);
  if (!existsSync(path)) return emptyIndex();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UserError(`${path}: cannot read history index (${(err as Error).message.split("\n")[0]})`);
  }
  return parseIndex(data, path);
}

export function publishToDir(dir: string, results: ResultsFile, commit: string | null, now: () => string = () => new Date().toISOString()): HistoryEntry {
  const release = lockHistory(dir);
  try {
    const { index, entry } = appendRun(readIndexFile(dir), results, commit, now());
    writeJsonAtomic(join(dir, entry.file), results);
    writeJsonAtomic(join(dir, INDEX_FILE), index);
    return entry;
  } finally {
    release();
  }
}
