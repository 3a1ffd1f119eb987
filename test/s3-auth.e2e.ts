/**
 * Our SigV4 signatures checked for real: moto started in its signature-checking mode (an IAM user
 * and access key made through its IAM API), and every request we sign also signed by botocore's
 * S3SigV4Auth (an independent implementation) for the same instant and headers. Ranged, suffix and
 * whole GETs, ListObjectsV2 and PUT, with keys that are a classic source of canonical-URI bugs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { RemoteError, S3ObjectStore } from "../harness/remote/index.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { StartedRegistry } from "../harness/servers/index.ts";
import { type MotoProcess, motoPython, startMoto } from "../harness/servers/moto.ts";
import { cliAsync, hasStack } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const HELPER = fileURLToPath(new URL("./support/s3-auth.py", import.meta.url));
const BUCKET = "auth-bench";
const content = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 251);
/** Keys whose canonical URI differs from a naive one: space, `+` (form-decoded as space by some), `=`, non-ASCII, RFC 3986 sub-delims. */
const SPECIAL_KEYS = ["dir/with space.bin", "a+b.bin", "x=1.bin", "ünï/日本.bin", "t~(1)!*'.bin", "semi;colon,at@.bin"];
/** The keys moto 5.2.1 can verify (it rebuilds the canonical URI from werkzeug's re-quoted URL, which differs from the sent path for the rest). */
const MOTO_VERIFIABLE = ["dir/with space.bin"];

const registry = new StartedRegistry();
let moto: MotoProcess;
let key: { accessKeyId: string; secretAccessKey: string };
let dir: string;

function helper(args: string[], input?: string): unknown {
  const r = spawnSync(motoPython(), [HELPER, ...args], { encoding: "utf8", input, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function store(options: { secret?: string; env?: Record<string, string> } = {}): S3ObjectStore {
  if (options.env) return new S3ObjectStore({ bucket: BUCKET, env: { ...options.env, AWS_ENDPOINT_URL: moto.endpoint, HOME: dir }, retries: 0 });
  return new S3ObjectStore({
    bucket: BUCKET,
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: options.secret ?? key.secretAccessKey },
    retries: 0,
  });
}

async function refusal(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => assert.fail("expected 403"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RemoteError, String(error));
  assert.equal(error.kind, "forbidden", error.message);
  assert.equal(error.status, 403);
  assert.ok(!error.message.includes("\n"));
  return error;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "layoutbench-s3-auth-"));
  moto = registry.add(Object.assign(await startMoto({ unauthenticatedRequests: 3 }), { name: "moto (signatures checked)" }));
  key = helper(["user", moto.endpoint]) as typeof key;
  const s = store();
  try {
    await s.createBucket();
    await s.put("data.bin", content);
  } finally {
    await s.close();
  }
});

after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("moto checks our signatures", () => {
  test("moto refuses unsigned requests once the user exists (the check is on)", async () => {
    const anonymous = new S3ObjectStore({ bucket: BUCKET, endpoint: moto.endpoint, anonymous: true, retries: 0 });
    try {
      // Without an Authorization header moto answers 403 AccessDenied (no user to authorize).
      await refusal(anonymous.get("data.bin"));
    } finally {
      await anonymous.close();
    }
  });

  test("the right key: ranged GET, suffix range, whole GET, ListObjectsV2 and PUT succeed", async () => {
    const s = store();
    try {
      assert.deepEqual(await s.get("data.bin", { offset: 100, length: 50 }), content.subarray(100, 150));
      assert.deepEqual(await s.get("data.bin", { suffix: 10 }), content.subarray(content.length - 10));
      assert.deepEqual(await s.get("data.bin", { offset: 4000 }), content.subarray(4000));
      assert.deepEqual(await s.get("data.bin"), content);
      await s.put("put/new.bin", content.subarray(0, 7));
      assert.deepEqual(await s.get("put/new.bin"), content.subarray(0, 7));
      assert.deepEqual(await s.list(""), ["data.bin", "put/new.bin"]);
      // A prefix with `/`: moto 5.2.1 signs the query werkzeug re-quoted (`put/`, not the `put%2F`
      // sent and signed), so it refuses botocore's signature too; botocore's check below covers it.
      assert.deepEqual(await s.list("put"), ["put/new.bin"]);
      assert.deepEqual(await s.head("data.bin"), { size: content.length });
      assert.ok(s.requests.records.every((r) => r.status >= 200 && r.status < 300));
    } finally {
      await s.close();
    }
  });

  test("a wrong secret: 403 SignatureDoesNotMatch, one line naming AWS_SECRET_ACCESS_KEY and where the key came from", async () => {
    const secret = "wrong-secret-never-print-7f3a";
    const s = store({ env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: secret } });
    try {
      for (const request of [
        () => s.get("data.bin", { offset: 0, length: 10 }),
        () => s.get("data.bin", { suffix: 5 }),
        () => s.list(""),
        () => s.put("x.bin", content),
      ]) {
        const error = await refusal(request());
        assert.match(
          error.message,
          /: 403 Forbidden \(SignatureDoesNotMatch\); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*credentials from environment/,
        );
        assert.ok(!error.message.includes(secret) && !error.message.includes(key.secretAccessKey));
      }
    } finally {
      await s.close();
    }
  });

  test("an unknown key id: 403 InvalidAccessKeyId naming AWS_ACCESS_KEY_ID", async () => {
    const s = store({ env: { AWS_ACCESS_KEY_ID: "AKIANOTAKEYMOTOKNOWS", AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    try {
      const error = await refusal(s.get("data.bin"));
      assert.match(error.message, /403 Forbidden \(InvalidAccessKeyId\); set AWS_ACCESS_KEY_ID/);
    } finally {
      await s.close();
    }
  });

  test("a wrong secret from a profile: the error names AWS_PROFILE and the profile it used", async () => {
    const file = join(dir, "credentials");
    writeFileSync(file, `[bench]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = not-the-secret\n`);
    const s = store({ env: { AWS_PROFILE: "bench", AWS_SHARED_CREDENTIALS_FILE: file } });
    try {
      const error = await refusal(s.get("data.bin", { suffix: 3 }));
      assert.match(error.message, /\(SignatureDoesNotMatch\); .*AWS_PROFILE.*credentials from profile bench \(/);
    } finally {
      await s.close();
    }
  });

  test("keys with a space sign correctly; for the others moto's verdict on our signature is the one it gives botocore's", async () => {
    const s = store();
    try {
      const botocore = helper(
        ["put", moto.endpoint, key.accessKeyId, key.secretAccessKey, BUCKET],
        JSON.stringify(SPECIAL_KEYS.map((name) => `${name}.boto`)),
      ) as (number | string)[];
      for (const [i, name] of SPECIAL_KEYS.entries()) {
        const ours = await s.put(name, content.subarray(0, 10)).then(
          () => 200,
          (e: RemoteError) => /\((\w+)\)/.exec(e.message)?.[1] ?? e.message,
        );
        assert.equal(ours, botocore[i], `${name}: moto answered our PUT ${ours}, botocore's ${botocore[i]}`);
        if (MOTO_VERIFIABLE.includes(name)) {
          assert.equal(ours, 200, name);
          assert.deepEqual(await s.get(name, { suffix: 4 }), content.subarray(6, 10));
          assert.deepEqual(await s.get(name, { offset: 2, length: 3 }), content.subarray(2, 5));
        }
      }
      assert.deepEqual(await s.list("dir"), ["dir/with space.bin", "dir/with space.bin.boto"]);
    } finally {
      await s.close();
    }
  });
});

test("a run against your bucket: the right key reads and verifies, a wrong secret fails the case with one line and no secret", async () => {
  const cacheRoot = join(ROOT, "datasets", "cache", "test-tmp", `s3-auth-${process.pid}`);
  const wrong = "wrong-secret-for-the-run-5d2c";
  const run = async (name: string, secret: string) => {
    const cache = join(cacheRoot, name);
    mkdirSync(cache, { recursive: true });
    const scenario = join(cache, "scenario.yaml");
    const storage = `{kind: s3, bucket: ${BUCKET}, prefix: ${name}, endpoint: "${moto.endpoint}", region: us-east-1}`;
    writeFileSync(
      scenario,
      readFileSync(join(ROOT, "test/fixtures/scenarios/runs/storage-faults.yaml"), "utf8").replace(`{kind: http, url: "http://127.0.0.1:PORT/"}`, storage),
    );
    const out = join(cache, "results.json");
    const env = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: secret, HOME: dir };
    const r = await cliAsync(["run", scenario, "--out", out, "--cache", cache, "--no-report"], { env });
    return { r, text: readFileSync(out, "utf8") };
  };
  try {
    const [good, bad] = await Promise.all([run("good", key.secretAccessKey), run("bad", wrong)]);
    assert.equal(good.r.code, 0, good.r.stdout + good.r.stderr);
    const goodCases = (JSON.parse(good.text) as ResultsFile).cases;
    assert.deepEqual(
      goodCases.map((c) => c.status),
      ["ok", "ok"],
    );
    assert.equal(bad.r.code, 2, bad.r.stderr);
    const [local, remote] = (JSON.parse(bad.text) as ResultsFile).cases;
    assert.equal(local.status, "ok");
    assert.equal(remote.status, "failed");
    assert.match(
      remote.error ?? "",
      // The run's first request is a HEAD (is the object there already?): its answer has no body, so no error code.
      /^HEAD http:\/\/127\.0\.0\.1:\d+\/auth-bench\/bad\/\S+: 403 Forbidden; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*\(credentials from environment\)$/,
    );
    assert.ok(!remote.error!.includes("\n"));
    assert.ok(!hasStack(bad.r.stdout + bad.r.stderr), bad.r.stderr);
    for (const text of [good.text, bad.text, good.r.stdout, good.r.stderr, bad.r.stdout, bad.r.stderr]) {
      assert.ok(!text.includes(key.secretAccessKey) && !text.includes(wrong), "no secret in results or output");
    }
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
});

/** Every request our client sends, recorded by a loopback server that answers like S3 would on success. */
async function captureRequests(run: (s: S3ObjectStore) => Promise<void>): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on("end", () => {
      if (req.url?.includes("list-type=2")) res.end('<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>');
      else res.end(Buffer.from(content.subarray(0, 10)));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const s = new S3ObjectStore({
    bucket: BUCKET,
    prefix: "pre fix/",
    endpoint,
    region: "eu-west-3",
    credentials: { ...key, sessionToken: "tok/en+=" },
    retries: 0,
  });
  try {
    await run(s);
  } finally {
    await s.close();
    await new Promise((done) => server.close(done));
  }
  return seen;
}

test("botocore's S3SigV4Auth signs each request exactly as we did (canonical request, signed headers, signature)", async () => {
  const requests = await captureRequests(async (s) => {
    await s.get("data.bin", { offset: 0, length: 10 });
    await s.get("data.bin", { suffix: 10 });
    for (const name of SPECIAL_KEYS) await s.get(name, { offset: 1, length: 10 });
    await s.list("dir with space/a+b=");
    await s.put("ünï/x y+z.bin", content.subarray(0, 10));
  });
  assert.equal(requests.length, 2 + SPECIAL_KEYS.length + 2);
  // botocore gets the headers our signature covers (a server verifies those; Content-Length is added after signing).
  const signed = (r: IncomingMessage) => /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))?.[1].split(";") ?? [];
  const asSent = requests.map((r) => ({
    method: r.method,
    url: `http://${r.headers.host}${r.url}`,
    headers: Object.fromEntries(
      Object.entries(r.headers)
        .filter(([name]) => name === "authorization" || signed(r).includes(name))
        .map(([name, value]) => [name, String(value)]),
    ),
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    region: "eu-west-3",
  }));
  const botocore = helper(["sign"], JSON.stringify(asSent)) as { canonicalRequest: string; signedHeaders: string; signature: string }[];
  for (const [i, r] of asSent.entries()) {
    const authorization = r.headers.authorization;
    const ours = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    assert.ok(ours, authorization);
    assert.equal(ours[1], botocore[i].signedHeaders, `${r.method} ${r.url}: signed headers`);
    assert.equal(ours[2], botocore[i].signature, `${r.method} ${r.url}: botocore's canonical request was\n${botocore[i].canonicalRequest}`);
  }
  // The range is signed, so a proxy cannot change what is read.
  assert.ok(asSent.filter((r) => r.headers.range).every((r) => r.headers.authorization.includes("range")));
});
