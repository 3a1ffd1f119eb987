/**
 * The servers the harness starts and the clients that read them, for real on loopback: exact bytes
 * for every range form from our HTTP server and from moto, ListObjectsV2 paging, zarrita's
 * FetchStore through our request layer, and every fault with its one-line error.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FetchStore } from "@zarrita/storage";
import { RemoteError, S3ObjectStore, summarizeRequests } from "../harness/remote/index.ts";
import { type RunningS3Server, type RunningServer, StartedRegistry, startHttpServer, startS3Server, startServerHost } from "../harness/servers/index.ts";

const SIZE = 1000;
const content = Uint8Array.from({ length: SIZE }, (_, i) => (i * 7 + 3) % 251);
const registry = new StartedRegistry();
let root: string;
let httpServer: RunningServer;
let s3Server: RunningS3Server;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "layoutbench-remote-"));
  await writeFile(join(root, "obj.bin"), content);
  await mkdir(join(root, "list"));
  for (let i = 0; i < 5; i++) await writeFile(join(root, "list", `k${i}`), `${i}`);
  await writeFile(join(root, "with space.bin"), "spaced");
  [httpServer, s3Server] = await Promise.all([startHttpServer({ root, registry }), startS3Server({ root, registry, bucket: "bench" })]);
});

after(async () => {
  await registry.stopAll();
  await rm(root, { recursive: true, force: true });
});

function oneLine(error: unknown, kind: string): RemoteError {
  assert.ok(error instanceof RemoteError, String(error));
  assert.equal(error.kind, kind, error.message);
  assert.ok(!error.message.includes("\n"), error.message);
  return error;
}

for (const kind of ["http", "s3"] as const) {
  describe(`${kind} server`, () => {
    const server = () => (kind === "http" ? httpServer : s3Server);

    test("every range form returns exactly the requested bytes", async () => {
      const store = server().store();
      try {
        assert.deepEqual(await store.get("obj.bin"), content);
        assert.deepEqual(await store.get("obj.bin", { offset: 10, length: 20 }), content.subarray(10, 30));
        assert.deepEqual(await store.get("obj.bin", { offset: 990 }), content.subarray(990));
        assert.deepEqual(await store.get("obj.bin", { suffix: 16 }), content.subarray(SIZE - 16));
        assert.deepEqual(await store.get("obj.bin", { suffix: 5000 }), content);
        assert.deepEqual(await store.get("obj.bin", { offset: 995, length: 100 }), content.subarray(995));
        assert.deepEqual(await store.get("obj.bin", { offset: 0, length: 1 }), content.subarray(0, 1));
        assert.equal(Buffer.from(await store.get("with space.bin")).toString(), "spaced");
        assert.deepEqual(await store.head("obj.bin"), { size: SIZE });
        assert.equal(await store.head("absent.bin"), undefined);
        const summary = summarizeRequests(store.requests.records);
        assert.equal(summary.requests, 10);
        assert.equal(summary.bytes, SIZE + 20 + 10 + 16 + SIZE + 5 + 1 + 6);
        assert.equal(summary.failed, 0);
        assert.equal(summary.peakInFlight, 1);
        assert.deepEqual(
          store.requests.records.slice(1, 4).map((r) => [r.method, r.range, r.status]),
          [
            ["GET", "bytes=10-29", 206],
            ["GET", "bytes=990-", 206],
            ["GET", "bytes=-16", 206],
          ],
        );
      } finally {
        await store.close();
      }
    });

    test("a missing key and an unsatisfiable range are one-line errors", async () => {
      const store = server().store();
      try {
        const missing = oneLine(await store.get("absent.bin").catch((e) => e), "missing");
        assert.equal(missing.status, 404);
        assert.match(missing.message, /^GET http:\/\/127\.0\.0\.1:\d+\/(bench\/)?absent\.bin: 404 Not Found/);
        const past = oneLine(await store.get("obj.bin", { offset: SIZE }).catch((e) => e), "bad-response");
        assert.equal(past.status, 416);
        assert.match(past.message, /\(bytes=1000-\): 416 Range Not Satisfiable/);
      } finally {
        await store.close();
      }
    });

    test("zarrita's FetchStore reads through the store's request layer and log", async () => {
      const store = server().store();
      try {
        const fetchStore = new FetchStore(store.baseUrl, { fetch: store.fetch, useSuffixRequest: true });
        assert.deepEqual(await fetchStore.get("/obj.bin"), content);
        assert.deepEqual(await fetchStore.getRange("/obj.bin", { suffixLength: 8 }), content.subarray(SIZE - 8));
        assert.deepEqual(await fetchStore.getRange("/obj.bin", { offset: 100, length: 50 }), content.subarray(100, 150));
        assert.equal(await fetchStore.get("/absent.bin"), undefined);
        assert.deepEqual(
          store.requests.records.map((r) => [r.key, r.range ?? null, r.status]),
          [
            ["obj.bin", null, 200],
            ["obj.bin", "bytes=-8", 206],
            ["obj.bin", "bytes=100-149", 206],
            ["absent.bin", null, 404],
          ],
        );
      } finally {
        await store.close();
      }
    });
  });
}

test("HTTP server: multi-range gets the whole object (200), 416 states the size, PUT is refused", async () => {
  const raw = (method: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; length: number }>((resolve, reject) => {
      const req = http.request(`${httpServer.url}obj.bin`, { method, headers }, (res) => {
        let length = 0;
        res.on("data", (chunk: Buffer) => {
          length += chunk.byteLength;
        });
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, length }));
      });
      req.on("error", reject);
      req.end();
    });
  assert.deepEqual((({ status, length }) => ({ status, length }))(await raw("GET", { Range: "bytes=0-1,5-6" })), { status: 200, length: SIZE });
  const unsatisfiable = await raw("GET", { Range: "bytes=2000-" });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers["content-range"], "bytes */1000");
  const partial = await raw("GET", { Range: "bytes=-10" });
  assert.equal(partial.status, 206);
  assert.equal(partial.headers["content-range"], "bytes 990-999/1000");
  assert.equal(partial.length, 10);
  assert.equal((await raw("HEAD")).headers["content-length"], "1000");
  assert.equal((await raw("PUT")).status, 405);
  // Kept-alive connections are reused and recorded.
  const store = httpServer.store();
  for (let i = 0; i < 3; i++) await store.head("obj.bin");
  assert.deepEqual(
    store.requests.records.map((r) => r.connectionReused),
    [false, true, true],
  );
  await store.close();
});

test("S3: ListObjectsV2 follows continuation tokens", async () => {
  const store = new S3ObjectStore({ bucket: "bench", endpoint: s3Server.url, credentials: s3Server.credentials, region: "us-east-1", listPageSize: 2 });
  try {
    assert.deepEqual(await store.list("list/"), ["list/k0", "list/k1", "list/k2", "list/k3", "list/k4"]);
    assert.equal(store.requests.records.length, 3); // 2 + 2 + 1 keys
    assert.deepEqual(await store.list("nothing/"), []);
    const prefixed = new S3ObjectStore({ bucket: "bench", prefix: "list", endpoint: s3Server.url, credentials: s3Server.credentials, region: "us-east-1" });
    assert.deepEqual(await prefixed.list(""), ["k0", "k1", "k2", "k3", "k4"]);
    assert.equal(Buffer.from(await prefixed.get("k3")).toString(), "3");
    await prefixed.close();
  } finally {
    await store.close();
  }
});

test("HTTP storage cannot list: an unsupported-operation error, not an empty list", async () => {
  const store = httpServer.store();
  await assert.rejects(store.list(""), {
    name: "UnsupportedError",
    message: `${httpServer.url}: plain HTTP storage cannot list keys; name the objects, or use S3 storage`,
  });
  await store.close();
});

test("S3 behind the shaping proxy: the same bytes, kept-alive connections, answers held for the latency", async () => {
  const host = registry.add(await startServerHost());
  const proxy = await host.startProxy(s3Server.directEndpoint, { latencyMs: 50, bandwidth: 1e6 });
  const store = new S3ObjectStore({ bucket: "bench", endpoint: proxy.url, credentials: s3Server.credentials, region: "us-east-1" });
  try {
    assert.deepEqual(await store.get("obj.bin", { suffix: 100 }), content.subarray(SIZE - 100));
    assert.deepEqual(await store.get("obj.bin", { offset: 0, length: 10 }), content.subarray(0, 10));
    assert.deepEqual(await store.list("list/"), ["list/k0", "list/k1", "list/k2", "list/k3", "list/k4"]);
    assert.deepEqual(
      store.requests.records.map((r) => r.connectionReused),
      [false, true, true],
    );
    for (const r of store.requests.records) assert.ok(r.ttfbMs! >= 50, `TTFB ${r.ttfbMs} ms`);
    assert.deepEqual(proxy.shaping, {
      method: "userspace token bucket proxy",
      settings: { latencyMs: 50, bandwidth: 1e6 },
      burstBytes: 32768,
      pieceBytes: 16384,
    });
    // The proxy's own records, from its process: three requests, the last two on the kept-alive connection.
    const served = await proxy.served(0);
    assert.equal(served.next, 3);
    assert.deepEqual(
      served.records.map((r) => r.connectionReused),
      [false, true, true],
    );
    assert.deepEqual((await proxy.served(2)).records.length, 1);
  } finally {
    await store.close();
    await registry.stop(host);
  }
});
