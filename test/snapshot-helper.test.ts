import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { matchSnapshot, SNAPSHOT_DIR } from "./support/snapshot.ts";

test("a missing snapshot fails and is not written, CI or not, unless UPDATE_SNAPSHOTS=1", () => {
  const name = "never-written-by-any-test.txt";
  const saved = { ci: process.env.CI, update: process.env.UPDATE_SNAPSHOTS };
  try {
    delete process.env.UPDATE_SNAPSHOTS;
    for (const ci of [undefined, "true"]) {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
      assert.throws(() => matchSnapshot(name, "anything"), /snapshot never-written-by-any-test\.txt is missing: run the tests with UPDATE_SNAPSHOTS=1/);
      assert.equal(existsSync(join(SNAPSHOT_DIR, name)), false);
    }
  } finally {
    for (const [k, v] of [
      ["CI", saved.ci],
      ["UPDATE_SNAPSHOTS", saved.update],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
