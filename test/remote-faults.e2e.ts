/**
 * Faults a remote read can meet, each injected by the shaping proxy or by stopping a server: the
 * request fails with a one-line RemoteError of the right kind, retries are bounded and recorded,
 * and credentials appear in no error, label or log record.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { HttpObjectStore, RemoteError, S3ObjectStore, summarizeRequests } from "../harness/remote/index.ts";
import { type RunningS3Server, type RunningServer, StartedRegistry, startHttpServer, startS3Server } from "../harness/servers/index.ts";

const SIZE = 256 * 1024;
const content = Uint8Array.from({ length: SIZE }, (_, i) => (i * 13) % 256);
const registry = new StartedRegistry();
let root: string;
let http: RunningServer;
let s3: RunningS3Server;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "layoutbench-faults-"));
  await writeFile(join(root, "obj.bin"), content);
  [http, s3] = await Promise.all([startHttpServer({ root, registry, proxy: true }), startS3Server({ root, registry, proxy: true, bucket: "faults" })]);
});

after(async () => {
  await registry.stopAll();
  await rm(root, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>, kind: string): Promise<RemoteError> {
  const error = await promise.then(
    () => assert.fail("expected the request to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RemoteError, String(error));
  assert.equal(error.kind, kind, error.message);
  assert.ok(!error.message.includes("\n"), error.message);
  return error;
}

test("403 with credentials from the environment: the error names the variables and no secret appears anywhere", async () => {
  const secret = "wJalrXUtnFEMI-never-print-this-8c1d";
  const token = "session-token-never-print-4b2e";
  await s3.proxy!.setFault({ kind: "status", status: 403 });
  const store = new S3ObjectStore({
    bucket: "faults",
    env: { AWS_ACCESS_KEY_ID: "AKIDFAULTTEST", AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token, AWS_ENDPOINT_URL: s3.url, HOME: root },
  });
  try {
    const error = await failure(store.get("obj.bin", { offset: 0, length: 10 }), "forbidden");
    assert.equal(error.status, 403);
    assert.equal(error.retries, 0);
    assert.match(error.message, /: 403 Forbidden \(AccessDenied\); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(and AWS_SESSION_TOKEN/);
    const everything = [
      error.message,
      String(error),
      store.label,
      JSON.stringify(store.requests.records),
      JSON.stringify(summarizeRequests(store.requests.records)),
    ].join("\n");
    for (const leaked of [secret, token]) assert.ok(!everything.includes(leaked), `${leaked} leaked into: ${everything}`);
  } finally {
    await s3.proxy!.setFault(undefined);
    await store.close();
  }
});

test("500: retried a bounded number of times, recorded, then a one-line server error", async () => {
  await http.proxy!.setFault({ kind: "status", status: 500 });
  const store = http.store({ retries: 2, retryDelayMs: 10 });
  try {
    const error = await failure(store.get("obj.bin"), "server");
    assert.equal(error.retries, 2);
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/obj\.bin: 500 Internal Server Error \(InjectedFault\) after 2 retries$/);
    assert.equal(await http.proxy!.faultsInjected(), 3);
    assert.deepEqual(
      store.requests.records.map((r) => [r.status, r.retries]),
      [[500, 2]],
    );
  } finally {
    await http.proxy!.setFault(undefined);
    await store.close();
  }
});

test("a 500 that clears: the retry succeeds and is counted", async () => {
  await http.proxy!.setFault({ kind: "status", status: 503, times: 1 });
  const store = http.store({ retries: 2, retryDelayMs: 10 });
  try {
    assert.deepEqual(await store.get("obj.bin", { offset: 100, length: 50 }), content.subarray(100, 150));
    assert.deepEqual(
      store.requests.records.map((r) => [r.status, r.retries, r.bytes]),
      [[206, 1, 50]],
    );
  } finally {
    await http.proxy!.setFault(undefined);
    await store.close();
  }
});

test("a server that dies mid-body: detected by the byte count, retried", async () => {
  await http.proxy!.setFault({ kind: "die-mid-body", afterBytes: 1000, times: 1 });
  const store = http.store({ retries: 1, retryDelayMs: 10 });
  try {
    assert.deepEqual(await store.get("obj.bin"), content);
    assert.equal(store.requests.records[0].retries, 1);
    await http.proxy!.setFault({ kind: "die-mid-body", afterBytes: 1000 });
    const error = await failure(store.get("obj.bin"), "server");
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/obj\.bin: connection closed mid-body after \d+ of 262144 bytes after 1 retry$/);
  } finally {
    await http.proxy!.setFault(undefined);
    await store.close();
  }
});

test("a request that never answers: bounded timeout per attempt, retries recorded", async () => {
  await http.proxy!.setFault({ kind: "hang" });
  const store = http.store({ timeoutMs: 300, retries: 1, retryDelayMs: 10 });
  try {
    const start = performance.now();
    const error = await failure(store.get("obj.bin"), "timeout");
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 600 && elapsed < 5000, `two 300 ms attempts took ${elapsed} ms`);
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/obj\.bin: no answer within 300 ms \(timeout\) after 1 retry$/);
    assert.equal(store.requests.records[0].status, 0);
  } finally {
    await http.proxy!.setFault(undefined);
    await store.close();
  }
});

test("connection refused (a stopped server): unreachable at once, not retried", async () => {
  const stopped = await startHttpServer({ root, registry });
  const url = stopped.url;
  await stopped.stop();
  const store = new HttpObjectStore({ url: `${url}data/`, retries: 3 });
  try {
    const error = await failure(store.get("obj.bin"), "unreachable");
    assert.equal(error.message, `GET ${url}data/obj.bin: connection refused (is the server running?)`);
    assert.equal(error.retries, 0);
  } finally {
    await store.close();
  }
});

test("moto killed mid-run: the next request fails as unreachable", async () => {
  const own = new StartedRegistry();
  try {
    const server = await startS3Server({ root, registry: own, bucket: "dies" });
    const store = server.store({ retries: 1, retryDelayMs: 10 });
    assert.deepEqual(await store.get("obj.bin", { suffix: 4 }), content.subarray(SIZE - 4));
    process.kill(server.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const error = await failure(store.get("obj.bin", { suffix: 4 }), "unreachable");
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/dies\/obj\.bin \(bytes=-4\): connection refused/);
    await store.close();
  } finally {
    await own.stopAll();
  }
});

test("the server host killed mid-run: the next request fails as unreachable, the proxy's records with one line", async () => {
  const own = new StartedRegistry();
  try {
    const server = await startHttpServer({ root, registry: own, shaping: { latencyMs: 1 } });
    const store = server.store({ retries: 1, retryDelayMs: 10 });
    assert.deepEqual(await store.get("obj.bin", { suffix: 4 }), content.subarray(SIZE - 4));
    assert.equal((await server.proxy!.served(0)).next, 1);
    process.kill(server.hostPid!, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const error = await failure(store.get("obj.bin", { suffix: 4 }), "unreachable");
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/obj\.bin \(bytes=-4\): connection refused/);
    await assert.rejects(server.proxy!.served(0), { message: `server host (pid ${server.hostPid}) was killed by SIGKILL` });
    await store.close();
  } finally {
    await own.stopAll();
  }
});

test("moto missing: the error names what to install", async (t) => {
  const { startMoto } = await import("../harness/servers/moto.ts");
  await assert.rejects(startMoto({ python: "/nonexistent/python3" }), {
    message:
      "S3 server: cannot run /nonexistent/python3 (ENOENT); install it with `pip install 'moto[server]'` for that python3, or set LAYOUTBENCH_MOTO_PYTHON to a python3 that has it",
  });
  const debian = "/usr/bin/python3";
  const probe = await import("node:child_process").then(({ spawnSync }) => spawnSync(debian, ["-c", "import moto"]));
  if (probe.status === 0 || probe.error) {
    t.diagnostic(`${debian} has moto (or is absent): the missing-module message is checked with the missing interpreter only`);
    return;
  }
  await assert.rejects(startMoto({ python: debian }), (error: Error) => {
    assert.match(
      error.message,
      /^S3 server: \/usr\/bin\/python3: cannot import moto\.server \(No module named 'moto'\); install it with `pip install 'moto\[server\]'`/,
    );
    return true;
  });
});
