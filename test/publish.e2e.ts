/**
 * `publish` and `report --history` with real files and real git: concurrent publishers to one
 * folder and to one git branch (local, and through a remote from two clones) lose no entry, the
 * working tree is never touched, and the history's charts are drawn.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { type RunningS3Server, StartedRegistry, startS3Server } from "../harness/servers/index.ts";
import type { HistoryIndex } from "../harness/shard/history.ts";
import { cli, cliAsync } from "./support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "layoutbench-publish-"));
after(() => rmSync(work, { recursive: true, force: true }));

const base = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "results-small.json"), "utf8")) as ResultsFile;
const COMMITS = [
  "1111111111111111111111111111111111111111",
  "2222222222222222222222222222222222222222",
  "3333333333333333333333333333333333333333",
  "4444444444444444444444444444444444444444",
];

/** Four runs of four commits, a day apart, each a bit slower than the last. */
const runFiles = COMMITS.map((commit, i) => {
  const path = join(work, `run-${i + 1}.json`);
  const day = `2024-06-0${i + 1}`;
  const cases = base.cases.map((c) => ({ ...c, samples: c.samples.map((s) => ({ ...s, ms: s.ms * (1 + i / 10) })) }));
  writeFileSync(
    path,
    JSON.stringify({ ...base, startedAt: `${day}T10:00:00.000Z`, finishedAt: `${day}T10:01:00.000Z`, harness: { version: "0.1.0", commit }, cases }),
  );
  return path;
});

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8" }).trim();

function newRepo(dir: string): string {
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "user.name", "test");
  writeFileSync(join(dir, "README"), "code\n");
  git(dir, "add", "README");
  git(dir, "commit", "-q", "-m", "code");
  return dir;
}

describe("publish to a folder", () => {
  const dir = join(work, "history");
  test("four publishers at once: four runs, one index, in start order", async () => {
    const results = await Promise.all(runFiles.map((f) => cliAsync(["publish", f, "--to", dir])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as HistoryIndex;
    assert.deepEqual(
      index.runs.map((r) => r.file),
      COMMITS.map((c, i) => `runs/2024060${i + 1}T100000Z-${c.slice(0, 12)}.json`),
    );
    assert.deepEqual(readdirSync(join(dir, "runs")).sort(), index.runs.map((r) => r.file.slice(5)).sort());
    assert.ok(!existsSync(join(dir, ".publish.lock")));
    const again = cli(["publish", runFiles[0], "--to", dir]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr.trim(),
      `layoutbench publish: this run (started 2024-06-01T10:00:00.000Z, commit ${COMMITS[0]}) is already published as runs/20240601T100000Z-111111111111.json`,
    );
  });
  test("report --history draws one chart per scenario and pattern", () => {
    const out = join(work, "charts");
    const r = cli(["report", "--history", dir, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const patterns = [...new Set(base.cases.map((c) => c.pattern.name))];
    assert.deepEqual(readdirSync(out).sort(), patterns.flatMap((p) => [`history-tiles-${p}.png`, `history-tiles-${p}.svg`]).sort());
    const svg = readFileSync(join(out, "history-tiles-rows.svg"), "utf8");
    assert.match(svg, /Median time over runs: tiles\/rows/);
    assert.match(svg, /2024-06-04 10:00 4444444/);
  });
  test("an unfinished run is not published", () => {
    const path = join(work, "unfinished.json");
    writeFileSync(path, JSON.stringify({ ...base, finishedAt: null, missingShards: ["2/3"] }));
    const r = cli(["publish", path, "--to", join(work, "other")]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `layoutbench publish: ${path}: the run is not finished (missing shards: 2/3); finish it with run --resume, or merge every shard, then publish`,
    );
    assert.ok(!existsSync(join(work, "other")));
  });
});

describe("publish to a git branch", () => {
  test("local branch: concurrent publishers all land, the working tree is untouched", async () => {
    const repo = newRepo(join(work, "repo"));
    const head = git(repo, "rev-parse", "HEAD");
    const results = await Promise.all(runFiles.map((f) => cliAsync(["publish", f, "--to", "git:bench-history:runs", "--repo", repo])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(git(repo, "show", "bench-history:runs/index.json")) as HistoryIndex;
    assert.equal(index.runs.length, 4);
    assert.deepEqual(
      index.runs.map((r) => r.commit),
      COMMITS,
    );
    // One commit per publish, in a line: none was lost or overwritten.
    assert.equal(git(repo, "rev-list", "--count", "bench-history"), "4");
    assert.equal(git(repo, "ls-tree", "-r", "--name-only", "bench-history").split("\n").length, 5);
    assert.equal(git(repo, "rev-parse", "HEAD"), head);
    assert.equal(git(repo, "status", "--porcelain"), "");
  });
  test("through a remote, from two clones at once", async () => {
    const origin = join(work, "origin.git");
    execFileSync("git", ["init", "-q", "--bare", origin]);
    const clones = [join(work, "clone-a"), join(work, "clone-b")].map((dir) => {
      execFileSync("git", ["clone", "-q", origin, dir]);
      return dir;
    });
    const results = await Promise.all(
      runFiles.map((f, i) => cliAsync(["publish", f, "--to", "git:bench-history", "--remote", "origin", "--repo", clones[i % 2]])),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(git(origin, "show", "bench-history:index.json")) as HistoryIndex;
    assert.deepEqual(
      index.runs.map((r) => r.commit),
      COMMITS,
    );
    assert.equal(git(origin, "rev-list", "--count", "bench-history"), "4");
  });
});

describe("publish to S3 (moto)", () => {
  const registry = new StartedRegistry();
  let server: RunningS3Server | undefined;
  let skip: string | undefined;
  after(() => registry.stopAll());
  const env = () => ({
    AWS_ENDPOINT_URL: server!.directEndpoint,
    AWS_ACCESS_KEY_ID: server!.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server!.credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_PROFILE: "",
  });
  test("concurrent publishers to s3://BUCKET/PREFIX lose no run; report --history reads it back", async (t) => {
    try {
      mkdirSync(join(work, "s3-root"));
      server = await startS3Server({ root: join(work, "s3-root"), registry, bucket: "bench-history" });
    } catch (err) {
      skip = `moto S3 server could not start: ${(err as Error).message.split("\n")[0]}`;
    }
    if (skip) return t.skip(skip);
    const results = await Promise.all(runFiles.map((f) => cliAsync(["publish", f, "--to", "s3://bench-history/layoutbench/ci"], { env: env() })));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.match(results[0].stdout, /in s3:\/\/bench-history\/layoutbench\/ci\//);
    const store = server!.store();
    try {
      const keys = await store.list("layoutbench/ci/");
      const runs = COMMITS.map((c, i) => `layoutbench/ci/runs/2024060${i + 1}T100000Z-${c.slice(0, 12)}.json`);
      for (const key of runs) assert.ok(keys.includes(key), `${key} in ${keys}`);
      assert.equal(keys.filter((k) => k.startsWith("layoutbench/ci/entries/")).length, 4);
    } finally {
      await store.close();
    }
    // A publish after the concurrent ones rebuilds the index from every entry.
    const late = join(work, "run-late.json");
    writeFileSync(late, JSON.stringify({ ...JSON.parse(readFileSync(runFiles[0], "utf8")), startedAt: "2024-06-09T10:00:00.000Z" }));
    assert.equal(cli(["publish", late, "--to", "s3://bench-history/layoutbench/ci"], { env: env() }).code, 0);
    const check = server!.store();
    try {
      const index = JSON.parse(new TextDecoder().decode(await check.get("layoutbench/ci/index.json"))) as HistoryIndex;
      assert.deepEqual(
        index.runs.map((r) => r.startedAt.slice(0, 10)),
        ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04", "2024-06-09"],
      );
    } finally {
      await check.close();
    }
    const out = join(work, "s3-charts");
    const r = cli(["report", "--history", "s3://bench-history/layoutbench/ci", "--out", out, "--format", "svg"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(out, "history-tiles-rows.svg"), "utf8"), /2024-06-09 10:00 1111111/);
  });
});
