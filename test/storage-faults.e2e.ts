/**
 * Remote storage that fails: 404, 403, 5xx (retried, then failed), connection refused, a server
 * that dies mid-body and one that never answers (bounded by the timeout). Each time the remote case
 * fails with one line, the run goes on and the local case finishes. The user's endpoint here is
 * our HTTP server behind the fault proxy, serving the run's dataset cache (keys = cache folders).
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { type Fault, type RunningServer, StartedRegistry, startHttpServer } from "../harness/servers/index.ts";
import { cliAsync, hasStack } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-faults-${process.pid}`);
const registry = new StartedRegistry();

/** One run per fault, each with its own cache and server, all at once: the run's one remote case fails. */
const FAULTS: Record<string, { fault?: Fault; url?: (server: string) => string }> = {
  missing: { url: (s) => `${s}nothing-here/` },
  forbidden: { fault: { kind: "status", status: 403 } },
  server: { fault: { kind: "status", status: 503 } },
  refused: { url: () => "http://127.0.0.1:9/" },
  dies: { fault: { kind: "die-mid-body", afterBytes: 10 } },
  hang: { fault: { kind: "hang" } },
};
const errors = new Map<string, string>();

async function runWith(name: string): Promise<void> {
  const cache = join(dir, name, "cache");
  mkdirSync(cache, { recursive: true });
  const { fault, url } = FAULTS[name];
  const server = await startHttpServer({ root: cache, ...(fault ? { fault } : {}), proxy: true, registry });
  const scenario = join(dir, name, "scenario.yaml");
  const endpoint = url ? url(server.url) : server.url;
  writeFileSync(scenario, readFileSync(join(ROOT, "test/fixtures/scenarios/runs/storage-faults.yaml"), "utf8").replace("http://127.0.0.1:PORT/", endpoint));
  const out = join(dir, name, "results.json");
  const r = await cliAsync(["run", scenario, "--out", out, "--cache", cache, "--no-report"], { env: { LAYOUTBENCH_REMOTE_TIMEOUT_MS: "1500" } });
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const local = results.cases.find((c) => !c.id.includes("storage="));
  const remote = results.cases.find((c) => c.id.includes("storage="));
  assert.equal(local?.status, "ok", `${name}: the local case finishes`);
  assert.equal(remote?.status, "failed", `${name}: ${JSON.stringify(remote?.samples[0]?.remote)}`);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(!hasStack(r.stdout + r.stderr), r.stderr);
  assert.ok(!remote!.error!.includes("\n"));
  errors.set(name, remote!.error!);
}

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(Object.keys(FAULTS).map(runWith));
});
after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("remote faults fail the case, not the run", () => {
  test("404: the object is missing", () => assert.match(errors.get("missing")!, /404/));
  test("403: forbidden, said as such", () => assert.match(errors.get("forbidden")!, /403/));
  test("5xx: retried, then failed, retries said", () => {
    assert.match(errors.get("server")!, /503/);
    assert.match(errors.get("server")!, /retr/i);
  });
  test("connection refused", () => assert.match(errors.get("refused")!, /connection refused/));
  test("a server that dies mid-body", () => assert.ok(errors.get("dies")!.length > 0));
  test("a request that never answers ends at the timeout", () => {
    // Bounded: each attempt ends after LAYOUTBENCH_REMOTE_TIMEOUT_MS of silence, and the retries are counted.
    assert.match(errors.get("hang")!, /no answer within 1500 ms \(timeout\) after 2 retries/);
  });
});
