/**
 * A tiny snapshot helper (node:test's t.assert.snapshot needs Node 22). Compares `actual` with
 * test/snapshots/NAME. A missing snapshot always fails: writing it silently would make the first
 * run of any test pass whatever it printed. UPDATE_SNAPSHOTS=1 writes (or rewrites) the file.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SNAPSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "snapshots");

/** Asserts `actual` equals the stored snapshot `name` (a file name such as "report.md"). */
export function matchSnapshot(name: string, actual: string): void {
  const path = join(SNAPSHOT_DIR, name);
  const update = process.env.UPDATE_SNAPSHOTS === "1";
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`snapshot ${name} is missing: run the tests with UPDATE_SNAPSHOTS=1 and commit test/snapshots/${name}`);
  const expected = readFileSync(path, "utf8");
  if (actual !== expected) {
    // assert.equal on multi-kilobyte strings prints a useful line diff.
    assert.equal(actual, expected, `snapshot ${name} differs: if the change is intended, re-run with UPDATE_SNAPSHOTS=1`);
  }
}
