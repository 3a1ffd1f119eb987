/** Pure parts of the servers: request paths to files, and the registry of what was started (no sockets, no children). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileOf } from "../harness/servers/file-server.ts";
import { StartedRegistry, withStarted } from "../harness/servers/lifecycle.ts";

describe("file server paths", () => {
  test("a request path names a file under the root, decoded, and never outside it", () => {
    assert.equal(fileOf("/srv/data", "/a/b.bin"), "/srv/data/a/b.bin");
    assert.equal(fileOf("/srv/data", "/with%20space.bin?x=1"), "/srv/data/with space.bin");
    // Dot segments are resolved as URLs resolve them, which cannot climb above the root…
    assert.equal(fileOf("/srv/data", "/../etc/passwd"), "/srv/data/etc/passwd");
    assert.equal(fileOf("/srv/data", "/a/%2e%2e/%2e%2e/x"), "/srv/data/x");
    // …and encoded slashes that would climb after decoding are refused.
    assert.equal(fileOf("/srv/data", "/a%2F..%2F..%2Fx"), undefined);
    assert.equal(fileOf("/srv/data", "/..%2f..%2fetc"), undefined);
    assert.equal(fileOf("/srv/data", "/"), undefined);
    assert.equal(fileOf("/srv/data", "/%E0%A4%A"), undefined);
  });
});

describe("started registry", () => {
  const fake = (name: string, events: string[], fail = false) => ({
    name,
    stop: async () => {
      events.push(`stop ${name}`);
      if (fail) throw new Error(`${name} would not stop`);
    },
    kill: () => events.push(`kill ${name}`),
  });

  test("stops newest first, tries every stop, rethrows the first failure", async () => {
    const events: string[] = [];
    const registry = new StartedRegistry();
    registry.add(fake("server", events));
    registry.add(fake("proxy", events, true));
    registry.add(fake("second proxy", events));
    assert.deepEqual(registry.names, ["server", "proxy", "second proxy"]);
    await assert.rejects(registry.stopAll(), { message: "proxy would not stop" });
    assert.deepEqual(events, ["stop second proxy", "stop proxy", "stop server"]);
    assert.equal(registry.size, 0);
  });

  test("signal and exit hooks exist only while something is registered", async () => {
    const before = ["exit", "SIGINT", "SIGTERM"].map((e) => process.listenerCount(e));
    const registry = new StartedRegistry();
    const events: string[] = [];
    const one = registry.add(fake("one", events));
    assert.deepEqual(
      ["exit", "SIGINT", "SIGTERM"].map((e) => process.listenerCount(e)),
      before.map((n) => n + 1),
    );
    await registry.stop(one);
    assert.deepEqual(
      ["exit", "SIGINT", "SIGTERM"].map((e) => process.listenerCount(e)),
      before,
    );
  });

  test("killAll kills synchronously and forgets", () => {
    const events: string[] = [];
    const registry = new StartedRegistry();
    registry.add(fake("moto", events));
    registry.killAll();
    assert.deepEqual(events, ["kill moto"]);
    assert.equal(registry.size, 0);
  });

  test("withStarted stops what it started when the work throws", async () => {
    const events: string[] = [];
    await assert.rejects(
      withStarted(async (registry) => {
        registry.add(fake("server", events));
        throw new Error("case failed");
      }),
      { message: "case failed" },
    );
    assert.deepEqual(events, ["stop server"]);
  });
});
