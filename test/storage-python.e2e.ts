/**
 * The python engine over remote storage in a real run: zarr-python reads a small Zarr (raw and
 * Blosc-LZ4) over HTTP through fsspec and over S3 through boto3 (or s3fs where it imports), and h5py
 * an HDF5 file over HTTP through an fsspec file object, every read verified. Behind the shaping proxy the request numbers are the proxy's: a full read of 4×4
 * chunks is 16 GETs carrying exactly the 16 chunk objects' bytes; without a proxy they are unknown
 * (no `remote` on the samples), never 0. An interpreter that cannot import fsspec or boto3 skips
 * the remote cases with the reason and still runs the local one.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { cli } from "./support/cli.ts";

const ROOT = join(import.meta.dirname, "..");
const dir = join(ROOT, "datasets", "cache", "test-tmp", `storage-python-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether Debian's python3 has s3fs (Debian 12 packages none: S3 then goes through boto3, and h5py cannot read S3). */
const HAS_S3FS = spawnSync("/usr/bin/python3", ["-c", "import s3fs"]).status === 0;

/** moto servers started from this tree. */
function leftovers(): string[] {
  const script = join(ROOT, "harness", "servers", "moto-server.py");
  return execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(script));
}

/** Sizes of a cached Zarr layout's chunk objects (the files not starting with a dot). */
function chunkSizes(cache: string, codec: "none" | "blosc"): number[] {
  for (const layout of readdirSync(cache).filter((d) => d.startsWith("zarr-"))) {
    const array = join(cache, layout, "array.zarr");
    const meta = JSON.parse(readFileSync(join(array, ".zarray"), "utf8")) as { compressor: { id: string } | null };
    if ((meta.compressor?.id ?? "none") !== codec) continue;
    return readdirSync(array)
      .filter((f) => !f.startsWith("."))
      .map((f) => statSync(join(array, f)).size);
  }
  throw new Error(`no ${codec} zarr layout in ${cache}`);
}

describe("the python engine over HTTP and S3", () => {
  const before = leftovers();
  const out = join(dir, "results.json");
  const cache = join(dir, "cache");
  const r = cli(["run", "test/fixtures/scenarios/runs/storage-python.yaml", "--out", out, "--cache", cache, "--no-report"], { timeoutMs: 180_000 });
  const text = readFileSync(out, "utf8");
  const results = JSON.parse(text) as ResultsFile;
  const get = (id: string): CaseResult => {
    const c = results.cases.find((x) => x.id === `storage-python/a/${id}@python`);
    assert.ok(c, `no case ${id}\n${r.stdout}${r.stderr}`);
    assert.equal(c.status, "ok", c.error);
    return c;
  };

  test("every case runs and is verified against the generator", () => {
    assert.equal(r.code, 0, r.stderr);
    // Zarr raw and LZ4 on 3 storages × 2 patterns; HDF5 on the 2 HTTP storages, and S3 only with s3fs.
    assert.equal(results.cases.length, HAS_S3FS ? 18 : 16);
    for (const c of results.cases) assert.equal(c.status, "ok", `${c.id}: ${c.error}`);
  });

  test("behind the proxy: a full read is 16 GETs of exactly the 16 chunk objects", () => {
    for (const [layout, codec] of [
      ["raw", "none"],
      ["lz4", "blosc"],
    ] as const) {
      const sizes = chunkSizes(cache, codec);
      assert.equal(sizes.length, 16);
      const total = sizes.reduce((a, b) => a + b, 0);
      if (codec === "none") assert.equal(total, 16 * 1024);
      else assert.ok(total < 16 * 1024, `lz4 chunks ${total} bytes`);
      for (const storage of ["http-1ms", "s3-1ms"]) {
        for (const s of get(`${layout}/full/cold/storage=${storage}`).samples) {
          assert.equal(s.remote?.requests, 16, `${layout} ${storage}`);
          assert.equal(s.remote?.bytesTransferred, total, `${layout} ${storage}`);
          assert.ok((s.remote?.peakInFlight ?? 0) >= 1 && (s.remote?.peakInFlight ?? 0) <= 16);
          assert.ok(s.remote?.medianTtfbMs !== null && (s.remote?.medianTtfbMs ?? 0) >= 1, "the proxy holds headers 1 ms");
        }
        // An aligned tile is one chunk object, whole.
        for (const s of get(`${layout}/tile/cold/storage=${storage}`).samples) {
          assert.equal(s.remote?.requests, 1);
          assert.ok(sizes.includes(s.remote?.bytesTransferred ?? -1), `${s.remote?.bytesTransferred} is one chunk's size`);
        }
      }
    }
  });

  test("without a proxy the request numbers are unknown, not 0", () => {
    for (const id of ["raw/tile/cold/storage=http", "lz4/full/cold/storage=http"]) {
      const c = get(id);
      assert.ok(
        c.samples.every((s) => s.remote === undefined),
        id,
      );
      assert.equal(c.summary?.remote ?? null, null);
      assert.match(c.readPath?.library ?? "", /request counts unknown/);
    }
    assert.match(r.stdout, /GETs unknown/);
  });

  test("the read path names fsspec over HTTP and boto3 (or s3fs) over S3, with a fresh client per open", () => {
    const http = get("raw/full/cold/storage=http-1ms").readPath!;
    assert.match(http.implementation, /^zarr-python .* over fsspec \S+ HTTPFileSystem \(aiohttp /);
    assert.match(http.library, /skip_instance_cache=True, use_listings_cache=False/);
    assert.match(http.library, /as the shaping proxy served them/);
    assert.match(http.library, /each request fails after 10000 ms without an answer, one attempt \(no retries\)/);
    assert.deepEqual(http.storage, {
      kind: "http",
      label: "http-1ms",
      concurrency: 16,
      ranges: "one whole-object GET per chunk touched, 16 at once (fsspec batch_size)",
    });
    const s3 = get("lz4/full/cold/storage=s3-1ms").readPath!;
    assert.match(s3.implementation, /over (boto3 \S+ \(a MutableMapping store|fsspec \S+ s3fs)/);
    assert.equal(s3.decoder, "numcodecs Blosc (C-Blosc)");
  });

  test("HDF5 over HTTP: h5py on an fsspec file object, verified; over S3 without s3fs, skipped with the reason", () => {
    for (const id of ["h5/tile/cold/storage=http-1ms", "h5/full/cold/storage=http"]) {
      const path = get(id).readPath!;
      assert.match(path.implementation, /^h5py \S+ \(libhdf5 \S+\) over fsspec \S+ HTTPFileSystem/);
      assert.match(path.library, /^h5py on an fsspec file object/);
    }
    if (!HAS_S3FS)
      assert.match(r.stdout + r.stderr, /python engine skips h5 on storage s3-1ms: h5py over S3 needs an fsspec file object, and s3fs does not import/);
  });

  test("cold HTTP samples start with the served files evicted; no credentials in the results; nothing left running", () => {
    for (const c of results.cases.filter((x) => x.id.includes("storage=http"))) {
      for (const s of c.samples) assert.equal(s.residency, 0, c.id);
    }
    assert.ok(!text.includes("layoutbench-local-server"), "the local server's secret key is not in the results");
    assert.ok(!`${r.stdout}${r.stderr}`.includes("layoutbench-local-server"));
    assert.deepEqual(leftovers(), before);
  });
});

describe("an interpreter without fsspec and boto3", () => {
  // Debian's python3 on a copy of its site folder (links) without fsspec, aiohttp, s3fs and boto3:
  // -S leaves the real folder off the path, as on a machine where they are not installed.
  const site = join(dir, "site-without-remote");
  mkdirSync(site, { recursive: true });
  const DIST = "/usr/lib/python3/dist-packages";
  for (const name of readdirSync(DIST)) if (!/^(fsspec|aiohttp|s3fs|boto3)\b/.test(name)) symlinkSync(join(DIST, name), join(site, name));
  const python = join(dir, "python3-without-remote");
  writeFileSync(python, `#!/bin/sh\nPYTHONPATH=${site} exec /usr/bin/python3 -S "$@"\n`);
  chmodSync(python, 0o755);
  const out = join(dir, "skip.json");
  const r = cli(["run", "test/fixtures/scenarios/runs/storage-python-skip.yaml", "--out", out, "--cache", join(dir, "cache"), "--no-report"], {
    env: { LAYOUTBENCH_PYTHON: python },
    timeoutMs: 180_000,
  });

  test("skips the remote cases with the reason and runs the local one", () => {
    assert.equal(r.code, 0, r.stderr);
    const said = `${r.stdout}${r.stderr}`;
    assert.match(
      said,
      /python engine skips raw on storage http: \/usr\/bin\/python3 cannot import python3-fsspec and python3-aiohttp for HTTP reads: apt-get install python3-fsspec python3-aiohttp/,
    );
    assert.match(said, /python engine skips raw on storage s3: \/usr\/bin\/python3 cannot import s3fs or boto3 for S3 reads: apt-get install python3-boto3/);
    const results = JSON.parse(readFileSync(out, "utf8")) as ResultsFile;
    assert.deepEqual(
      results.cases.map((c) => [c.id, c.status]),
      [["storage-python-skip/a/raw/tile/cold@python", "ok"]],
    );
  });
});

describe("the worker's S3 store without credentials", () => {
  test("fails with one line naming the variables to set, before any request", () => {
    // The user's own endpoint (not the harness's server) and no credentials anywhere boto3 looks.
    const script = [
      "import reference_remote as r, zarr",
      "o = r.RemoteOpen({'kind': 's3', 'endpoint': 'http://127.0.0.1:9', 'bucket': 'b', 'prefix': 'p', 'path': 'array.zarr', 'managed': False, 'concurrency': 2}, 'zarr')",
      "try:\n    zarr.open_array(o.zarr_store(), mode='r')\nexcept r.RemoteError as e:\n    print(e)\nfinally:\n    o.close()",
    ].join("\n");
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"), AWS_CONFIG_FILE: join(dir, "none") };
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"])
      delete env[name];
    env.AWS_EC2_METADATA_DISABLED = "true";
    const out = execFileSync("/usr/bin/python3", ["-c", script], { cwd: join(ROOT, "harness", "engines"), env, encoding: "utf8", timeout: 30_000 });
    assert.equal(out.trim(), "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)");
  });
});
