/**
 * `tsx harness/bench/decoders.ts [--reps N]`: decoding speed alone, in MiB/s of decoded bytes, of
 * every decoder of the Zarr read path on the 64 chunks (512² int32, 1 MiB each) of the
 * bench:read-paths arrays: Blosc (LZ4 inside, byte shuffle, clevel 5) and numcodecs' `lz4` (whose
 * chunks of unshuffled int32 barely compress: mostly literals); and, to time LZ4 on compressible
 * input, numcodecs `lz4` frames of the same chunks byte-shuffled (made by numcodecs at run time).
 * Each pass decodes every chunk, from memory, into one reused chunk-sized buffer; the table shows
 * the median pass. Decoders: the plain-JS ones (lz4-blosc.ts), the addon's C ones on one thread and
 * on every core (Blosc blocks spread over threads), and Python's numcodecs (native c-blosc / lz4)
 * with 1 and 2 threads, timed by the same loop in /usr/bin/python3.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ARRAY_DIR } from "../backends/zarr.ts";
import { decodeBlosc, decodeNumcodecsLz4 } from "../backends/zarr/lz4-blosc.ts";
import { ensureMaterialized } from "../store/materialize.ts";
import { nativeDecoders } from "../native/index.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";

const PYTHON = "/usr/bin/python3";
const KINDS = ["blosc", "lz4", "lz4-planes"] as const;
type Kind = (typeof KINDS)[number];
const CHUNK_BYTES = 512 * 512 * 4;
// The dataset and layouts of bench:read-paths, so the chunks are the ones it reads.
const DATASET: DatasetSpec = { name: "read-paths", shape: [4096, 4096], dtype: "int32", generator: "smooth", seed: 7 };
const LAYOUTS: Record<"blosc" | "lz4", LayoutSpec> = {
  blosc: {
    name: "zarr v2 512² blosc-lz4 shuffle", backend: "zarr", format: 2, chunks: [512, 512], shards: null,
    codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" },
  },
  lz4: { name: "zarr v2 512² lz4", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "lz4", level: 1 } },
};

/**
 * Times `reps` passes of numcodecs over the files, printing JSON {name: median ms}. For
 * "lz4-planes" the files are Blosc chunks, first made into LZ4 frames of their byte-shuffled bytes,
 * written to OUT/N.enc for the JS side.
 */
const PY_TIMER = `
import json, os, sys, time
import numpy as np
from numcodecs import blosc, LZ4
kind, out_dir, reps, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
srcs = [open(f, "rb").read() for f in files]
out = np.empty(${CHUNK_BYTES}, np.uint8)
lz4 = LZ4()
if kind == "lz4-planes":
    planes = [np.frombuffer(blosc.decompress(s), np.uint8).reshape(-1, 4).T.copy() for s in srcs]
    srcs = [bytes(lz4.encode(p)) for p in planes]
    for i, s in enumerate(srcs):
        open(os.path.join(out_dir, f"{i}.enc"), "wb").write(s)
def median_ms(decode):
    decode()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        decode()
        times.append((time.perf_counter() - t0) * 1e3)
    return sorted(times)[len(times) // 2]
result = {}
if kind == "blosc":
    for n in (1, 2):
        blosc.set_nthreads(n)
        result[f"numcodecs, {n} thread(s)"] = median_ms(lambda: [blosc.decompress(s, out) for s in srcs])
else:
    result["numcodecs, 1 thread"] = median_ms(lambda: [lz4.decode(s, out) for s in srcs])
print(json.dumps(result))
`;

function medianMs(reps: number, pass: () => void): number {
  pass();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    pass();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

async function chunkFiles(layout: LayoutSpec): Promise<string[]> {
  const { stored } = await ensureMaterialized(defaultCacheRoot(), DATASET, layout, {});
  const dir = join(stored.dir, ARRAY_DIR);
  return readdirSync(dir).filter((f) => /^\d+\.\d+$/.test(f)).map((f) => join(dir, f));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repsAt = args.indexOf("--reps");
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15;
  const native = nativeDecoders();
  const cores = availableParallelism();
  const rows = new Map<string, Partial<Record<Kind, number>>>();
  const put = (name: string, kind: Kind, ms: number, bytes: number) =>
    rows.set(name, { ...rows.get(name), [kind]: bytes / 2 ** 20 / (ms / 1000) });
  const planesDir = mkdtempSync(join(tmpdir(), "layoutbench-decoders-"));
  for (const kind of KINDS) {
    let files = await chunkFiles(LAYOUTS[kind === "lz4" ? "lz4" : "blosc"]);
    // Python first: for lz4-planes it writes the frames the JS side then reads.
    const py = spawnSync(PYTHON, ["-c", PY_TIMER, kind, planesDir, String(reps), ...files], { encoding: "utf8" });
    if (py.status !== 0) console.error(`numcodecs not timed: ${py.error?.message ?? py.stderr}`);
    else for (const [name, ms] of Object.entries(JSON.parse(py.stdout) as Record<string, number>)) put(name, kind, ms, files.length * CHUNK_BYTES);
    if (kind === "lz4-planes") {
      if (py.status !== 0) continue;
      files = files.map((_, i) => join(planesDir, `${i}.enc`));
    }
    const srcs = files.map((f) => new Uint8Array(readFileSync(f)));
    const bytes = srcs.length * CHUNK_BYTES;
    const out = new Uint8Array(CHUNK_BYTES);
    const tmp = new Uint8Array(CHUNK_BYTES);
    if (kind === "blosc") {
      put("JS (lz4-blosc.ts)", kind, medianMs(reps, () => srcs.forEach((s) => decodeBlosc(s, out, tmp))), bytes);
      if (native) {
        put("C, 1 thread", kind, medianMs(reps, () => srcs.forEach((s) => native.blosc(s, out, 1))), bytes);
        put(`C, ${cores} threads (Blosc blocks)`, kind, medianMs(reps, () => srcs.forEach((s) => native.blosc(s, out, cores))), bytes);
      }
    } else {
      put("JS (lz4-blosc.ts)", kind, medianMs(reps, () => srcs.forEach((s) => decodeNumcodecsLz4(s, out))), bytes);
      if (native) put("C, 1 thread", kind, medianMs(reps, () => srcs.forEach((s) => native.lz4(s, out))), bytes);
    }
  }
  rmSync(planesDir, { recursive: true, force: true });
  if (!native) console.error("the addon has no decoders (rebuild it with `npm install`): C rows left out");
  console.log(`Decoding 64 chunks of 1 MiB (512² int32, smooth) from memory, median of ${reps} passes, MiB/s of decoded bytes.\n`);
  console.log("| decoder | blosc-lz4 byte shuffle | lz4 (barely compressed) | lz4 of byte-shuffled chunks |");
  console.log("|---|---:|---:|---:|");
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(0));
  for (const [name, r] of rows) console.log(`| ${name} | ${cell(r.blosc)} | ${cell(r.lz4)} | ${cell(r["lz4-planes"])} |`);
}

await main();
