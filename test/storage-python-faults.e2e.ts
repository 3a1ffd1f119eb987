/**
 * The python engine (zarr-python on fsspec/aiohttp over HTTP, on boto3 over S3) reading a remote
 * endpoint that fails: 404, 403, 5xx, connection refused, a server that dies mid-body and one that
 * never answers. Each time the remote case fails with one line naming the storage and what
 * happened (no Python traceback), the local case finishes, the run goes on, the hang ends at the
 * configured timeout and no worker process is left behind. The endpoint is our HTTP server or moto
 * behind the fault proxy, serving the run's dataset cache (keys = cache folders). A fault that
 * starts after the open (the chunk GETs of a pass) fails the pass the same way, never reading as
 * missing chunks (fill values), and the worker reads again once the storage recovers.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stored } from "../harness/backends/types.ts";
import { zarrBackend } from "../harness/backends/zarr.ts";
import { fullSelection } from "../harness/core/selection.ts";
import { type PythonRemote, startPythonWorker, verifyDigests } from "../harness/engines/python.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import type { DatasetSpec, ZarrLayout } from "../harness/scenario/types.ts";
import { type Fault, type RunningS3Server, type RunningServer, StartedRegistry, startHttpServer, startS3Server } from "../harness/servers/index.ts";
import { BIN, hasStack } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-python-faults-${process.pid}`);
const registry = new StartedRegistry();
const TIMEOUT_MS = 1500;

interface FaultRun {
  readonly kind: "http" | "s3";
  readonly fault?: Fault;
  /** The endpoint the scenario names, when not the server's. */
  readonly url?: (server: string) => string;
}

const RUNS: Record<string, FaultRun> = {
  "http-missing": { kind: "http", url: (s) => `${s}nothing-here/` },
  "http-forbidden": { kind: "http", fault: { kind: "status", status: 403 } },
  "http-server": { kind: "http", fault: { kind: "status", status: 503 } },
  "http-refused": { kind: "http", url: () => "http://127.0.0.1:9/" },
  "http-dies": { kind: "http", fault: { kind: "die-mid-body", afterBytes: 10 } },
  "http-hang": { kind: "http", fault: { kind: "hang" } },
  "s3-missing": { kind: "s3", fault: { kind: "status", status: 404 } },
  "s3-forbidden": { kind: "s3", fault: { kind: "status", status: 403 } },
  "s3-server": { kind: "s3", fault: { kind: "status", status: 503 } },
  "s3-dies": { kind: "s3", fault: { kind: "die-mid-body", afterBytes: 10 } },
  "s3-hang": { kind: "s3", fault: { kind: "hang" } },
};
let s3: RunningS3Server;
const outcomes = new Map<string, { error: string; faults: number; ms: number; left: number[] }>();

/** Faults the proxy injected so far: a count on an in-process proxy, a query on one in a server host. */
async function faultsInjected(proxy: { readonly faultsInjected: number | (() => Promise<number>) }): Promise<number> {
  const count = proxy.faultsInjected;
  return typeof count === "function" ? count.call(proxy) : count;
}

/** Processes that carry `mark` in their environment (the CLI's children inherit it). */
function processesMarked(mark: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(`LAYOUTBENCH_TEST_MARK=${mark}\0`)) pids.push(Number(pid));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/**
 * Runs the CLI; over S3 the fault is set once the run says the storage is ready, since the run
 * first uploads the layouts through the same endpoint (the local case runs before the remote one).
 */
function runCli(args: string[], env: NodeJS.ProcessEnv, onReady: () => void): Promise<{ code: number | null; out: string; caseEndMs: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = "";
    let ready = false;
    const caseEndMs: number[] = [];
    const watch = (d: Buffer) => {
      for (const _ of String(d).matchAll(/^\[\d+\/\d+\] /gm)) caseEndMs.push(performance.now());
      out += d;
      if (!ready && /storage \S+: ready/.test(out)) {
        ready = true;
        onReady();
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, caseEndMs }));
  });
}

async function runWith(name: string): Promise<void> {
  const { kind, fault, url } = RUNS[name];
  const cache = join(dir, name, "cache");
  mkdirSync(cache, { recursive: true });
  let server: RunningServer;
  let remote: string;
  const env: NodeJS.ProcessEnv = { LAYOUTBENCH_REMOTE_TIMEOUT_MS: String(TIMEOUT_MS), LAYOUTBENCH_TEST_MARK: `${process.pid}-${name}` };
  if (kind === "http") {
    server = await startHttpServer({ root: cache, ...(fault ? { fault } : {}), proxy: true, registry });
    remote = `{kind: http, url: "${url ? url(server.url) : server.url}"}`;
  } else {
    server = s3;
    await s3.proxy!.setFault(undefined);
    remote = `{kind: s3, bucket: faults, prefix: ${name}, endpoint: "${s3.url}", region: us-east-1}`;
    Object.assign(env, { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, HOME: dir });
  }
  const scenario = join(dir, name, "scenario.yaml");
  writeFileSync(
    scenario,
    readFileSync(join(ROOT, "test/fixtures/scenarios/runs/storage-python-faults.yaml"), "utf8").replace(`{kind: http, url: "http://127.0.0.1:PORT/"}`, remote),
  );
  const out = join(dir, name, "results.json");
  const r = await runCli(["run", scenario, "--out", out, "--cache", cache, "--no-report"], env, () => {
    // (An in-process proxy sets it at once; a hosted one within an IPC round trip, long before the local case ends.)
    if (kind === "s3" && fault) void server.proxy!.setFault(fault);
  });
  // The remote case runs after the local one: its time is between their progress lines.
  const ms = r.caseEndMs.length === 2 ? r.caseEndMs[1] - r.caseEndMs[0] : Number.NaN;
  const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
  const local = results.cases.find((c) => !c.id.includes("storage="));
  const remoteCase = results.cases.find((c) => c.id.includes("storage="));
  assert.equal(local?.status, "ok", `${name}: the local case finishes\n${r.out}`);
  assert.equal(remoteCase?.status, "failed", `${name}: ${r.out}`);
  assert.equal(r.code, 2, r.out);
  assert.ok(!hasStack(r.out), r.out);
  outcomes.set(name, { error: remoteCase!.error!, faults: await faultsInjected(server.proxy!), ms, left: processesMarked(env.LAYOUTBENCH_TEST_MARK!) });
}

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "empty"), { recursive: true });
  // One moto for the S3 runs, one after another (each sets the proxy's fault); the HTTP runs, each with its own server, meanwhile.
  s3 = await startS3Server({ root: join(dir, "empty"), proxy: true, registry, bucket: "faults" });
  const names = Object.keys(RUNS);
  const s3Runs = async () => {
    for (const name of names.filter((n) => RUNS[n].kind === "s3")) await runWith(name);
  };
  await Promise.all([s3Runs(), ...names.filter((n) => RUNS[n].kind === "http").map(runWith)]);
});
after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** What each run's error says, after the storage it names. */
const EXPECTED: Record<string, RegExp> = {
  "http-missing":
    /^python engine: open zarr over http http:\/\/127\.0\.0\.1:\d+\/nothing-here\/zarr-\w+: no Zarr array there \(its \.zarray is missing: 404\)$/,
  "http-forbidden": /^python engine: open zarr over http http:\/\/127\.0\.0\.1:\d+\/zarr-\w+: GET http:\/\/\S+\/\.zarray: 403 Forbidden \(no retries\)$/,
  "http-server": /: GET http:\/\/\S+\/\.zarray: 503 Service Unavailable \(no retries\)$/,
  "http-refused": /^python engine: open zarr over http http:\/\/127\.0\.0\.1:9\/zarr-\w+: cannot connect to 127\.0\.0\.1:9: connection refused$/,
  "http-dies": /: connection closed mid-answer \(ClientPayloadError/,
  "http-hang": /: no answer within 1500 ms \(timeout, no retries\)$/,
  "s3-missing":
    /^python engine: open zarr over s3 s3:\/\/faults\/s3-missing\/zarr-\w+ at http:\/\/127\.0\.0\.1:\d+\/: no Zarr array there \(its \.zarray is missing: 404\)$/,
  "s3-forbidden": /: S3 answered 403 \(AccessDenied\): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(or AWS_PROFILE\)/,
  "s3-server": /: S3 answered 503 \(InjectedFault\) to GetObject \(one attempt, no retries\)$/,
  "s3-dies": /: connection closed mid-answer \(ResponseStreamingError\)$/,
  "s3-hang": /\.zarray: no answer within 1500 ms \(timeout, no retries\)$/,
};

describe("python engine: remote faults fail the case, not the run", () => {
  for (const name of Object.keys(RUNS)) {
    test(`${name}: says what happened`, () => {
      const o = outcomes.get(name)!;
      assert.match(o.error, EXPECTED[name]);
      // The fault met the worker's requests (a fault-free endpoint is missing or refused by design).
      if (RUNS[name].fault) assert.ok(o.faults >= 1, `${name}: ${o.faults} faults injected`);
    });
  }
  test("a request that never answers ends at the timeout: the case takes seconds, not the libraries' minutes", () => {
    // aiohttp's default is 5 minutes in all and botocore's 60 s per read; the worker is told 1.5 s.
    for (const name of ["http-hang", "s3-hang"]) assert.ok(outcomes.get(name)!.ms < 30_000, `${name}: ${Math.round(outcomes.get(name)!.ms)} ms`);
  });
  test("every error is one line naming the storage, without a Python traceback", () => {
    for (const [name, o] of outcomes) {
      assert.ok(!o.error.includes("\n"), `${name}: ${o.error}`);
      assert.doesNotMatch(o.error, /Traceback|File ".*", line \d+/, name);
    }
  });
  test("no worker process outlives its run", () => {
    for (const [name, o] of outcomes) assert.deepEqual(o.left, [], name);
  });
});

describe("python engine: a fault during a pass (after a good open)", () => {
  const dataset: DatasetSpec = { name: "a", shape: [32, 32], dtype: "int16", generator: "random", seed: 7 };
  const layout: ZarrLayout = { name: "raw", backend: "zarr", format: 2, chunks: [16, 16], shards: null, codec: { name: "none" } };
  const selections = [fullSelection(dataset.shape)];
  const mark = `${process.pid}-worker`;

  for (const kind of ["http", "s3"] as const) {
    test(`${kind}: 503 and a hang fail the pass with one line; after them the worker reads correctly again`, async () => {
      const served = join(dir, `served-${kind}`);
      const stored: Stored = { dir: join(served, "zarr-raw"), dataset, layout };
      mkdirSync(stored.dir, { recursive: true });
      await zarrBackend.materialize({ dataset, layout, dir: stored.dir, progress: () => {} });
      const server = kind === "http" ? await startHttpServer({ root: served, proxy: true, registry }) : s3;
      const remote: PythonRemote =
        kind === "http"
          ? { kind, url: `${server.url}zarr-raw`, concurrency: 4, timeoutMs: TIMEOUT_MS }
          : { kind, endpoint: s3.url, bucket: "faults", prefix: "worker/zarr-raw", region: "us-east-1", managed: true, concurrency: 4, timeoutMs: TIMEOUT_MS };
      if (kind === "s3") {
        await s3.proxy!.setFault(undefined);
        const uploader = s3.store();
        for (const name of readdirSync(stored.dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()))
          await uploader.put(
            `worker/zarr-raw/${join(name.parentPath, name.name).slice(stored.dir.length + 1)}`,
            readFileSync(join(name.parentPath, name.name)),
          );
        await uploader.close();
      }
      const worker = await startPythonWorker({
        env: {
          LAYOUTBENCH_TEST_MARK: mark,
          LAYOUTBENCH_MANAGED_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          LAYOUTBENCH_MANAGED_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        },
      });
      try {
        for (const [fault, expected] of [
          [
            { kind: "status", status: 503 },
            kind === "http" ? /: GET http:\/\/\S+\/0\.\d: 503 Service Unavailable \(no retries\)$/ : /: S3 answered 503 \(InjectedFault\) to GetObject/,
          ],
          [{ kind: "hang" }, /: no answer within 1500 ms \(timeout, no retries\)$/],
        ] as const) {
          await worker.open(stored, { writable: false, remote });
          await server.proxy!.setFault(fault);
          const started = performance.now();
          // Without the fix zarr read the failed chunks as missing: fill values, and a digest mismatch at best.
          const error = await worker.pass(selections).then(
            () => assert.fail(`${kind} ${fault.kind}: the pass succeeded`),
            (e: Error) => e,
          );
          assert.match(error.message, /^python engine: pass of 1 selections \(zarr \S+\): /);
          assert.match(error.message, expected);
          assert.ok(!error.message.includes("\n") && !/Traceback/.test(error.message), error.message);
          assert.ok(performance.now() - started < 30_000, "bounded by the timeout");
          assert.ok((await faultsInjected(server.proxy!)) >= 1);
          await server.proxy!.setFault(undefined);
          await worker.close();
        }
        await worker.open(stored, { writable: false, remote });
        const pass = await worker.pass(selections);
        assert.equal(verifyDigests(dataset, selections, pass.digests), undefined);
        await worker.close();
      } finally {
        await worker.quit();
        if (kind === "http") await server.stop();
      }
      assert.deepEqual(processesMarked(mark), [], "the worker is gone after quit");
    });
  }
});
