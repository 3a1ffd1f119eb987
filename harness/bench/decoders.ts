/**
 * `tsx harness/bench/decoders.ts [--reps N]`: decoding speed alone, in MiB/s of decoded bytes, of
 * every decoder that could serve the Zarr read path, on the 64 chunks (512² int32 smooth, 1 MiB
 * each) of the bench:read-paths array stored with each codec: Blosc with LZ4 (byte and bit shuffle),
 * zstd and BloscLZ inside; numcodecs `lz4` (unshuffled int32 barely compresses: mostly literals) and
 * `lz4` frames of the same chunks byte-shuffled (made by numcodecs at run time: LZ4 on compressible
 * input); numcodecs `zstd` at levels 1 and 9.
 *
 * Each pass decodes every chunk, from memory, into one reused chunk-sized buffer where the decoder
 * allows it; the table shows the fastest pass: decoding from memory has no slow path of its own, so
 * slower passes are other processes' doing (on a shared machine medians can come out several times
 * the fastest pass, in whichever order the decoders ran). `--only <substring>` keeps the codecs named so. Decoders: ours (the addon's C ones, on one thread and
 * on every core for Blosc; the plain-JS fallbacks in lz4-blosc.ts), the maintained bindings a JS
 * user would reach for (numcodecs.js, WASM; zstd-napi's DCtx, libzstd through N-API, decoding into
 * the same buffer; lz4-napi, lz4_flex through N-API, which allocates its result), and Python's
 * numcodecs (c-blosc, liblz4, libzstd) with 1 and 2 threads, timed by the same loop in
 * /usr/bin/python3. Bit-shuffled Blosc is also decoded with each bit unshuffle kernel of the CPU
 * (portable C, SSE2, AVX2) on one thread. The closing lines compare our decoder with the fastest
 * other one JS can call.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import Blosc from "numcodecs/blosc";
import LZ4 from "numcodecs/lz4";
import Zstd from "numcodecs/zstd";
import { decodeBlosc, decodeNumcodecsLz4 } from "../backends/zarr/lz4-blosc.ts";
import { ARRAY_DIR } from "../backends/zarr.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { bitUnshuffleKernels, type NativeDecoders, nativeDecoders } from "../native/index.ts";
import type { CodecSpec, DatasetSpec } from "../scenario/types.ts";
import { ensureMaterialized } from "../store/materialize.ts";

const PYTHON = "/usr/bin/python3";
// usage: npm run bench:decoders -- [--reps N] [--only <codec substring>]...
const CHUNK_BYTES = 512 * 512 * 4;
// The dataset of bench:read-paths, so the chunks are the ones it reads.
const DATASET: DatasetSpec = { name: "read-paths", shape: [4096, 4096], dtype: "int32", generator: "smooth", seed: 7 };

type Family = "blosc" | "lz4" | "zstd";
interface Kind {
  readonly name: string;
  readonly family: Family;
  /** The layout whose chunks are decoded; "lz4-planes" makes its frames from the blosc-lz4 one. */
  readonly codec: CodecSpec;
  readonly planes?: boolean;
}
const KINDS: readonly Kind[] = [
  { name: "blosc-lz4 byte", family: "blosc", codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" } },
  { name: "blosc-lz4 bit", family: "blosc", codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "bit" } },
  { name: "blosc-zstd byte", family: "blosc", codec: { name: "blosc", cname: "zstd", level: 5, shuffle: "byte" } },
  { name: "blosc-blosclz byte", family: "blosc", codec: { name: "blosc", cname: "blosclz", level: 5, shuffle: "byte" } },
  { name: "lz4 (barely compressed)", family: "lz4", codec: { name: "lz4", level: 1 } },
  { name: "lz4 of byte-shuffled chunks", family: "lz4", codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }, planes: true },
  { name: "zstd 1", family: "zstd", codec: { name: "zstd", level: 1 } },
  { name: "zstd 9", family: "zstd", codec: { name: "zstd", level: 9 } },
];

/**
 * Times `reps` passes of numcodecs over the files, printing JSON {decoder: fastest ms}. With
 * "planes", the files are Blosc chunks, first made into LZ4 frames of their byte-shuffled bytes,
 * written to OUT/N.enc for the JS side.
 */
const PY_TIMER = `
import json, os, sys, time
import numpy as np
from numcodecs import blosc, LZ4, Zstd
family, planes, out_dir, reps, files = sys.argv[1], sys.argv[2] == "1", sys.argv[3], int(sys.argv[4]), sys.argv[5:]
srcs = [open(f, "rb").read() for f in files]
out = np.empty(${CHUNK_BYTES}, np.uint8)
lz4 = LZ4()
if planes:
    srcs = [bytes(lz4.encode(np.frombuffer(blosc.decompress(s), np.uint8).reshape(-1, 4).T.copy())) for s in srcs]
    for i, s in enumerate(srcs):
        open(os.path.join(out_dir, f"{i}.enc"), "wb").write(s)
def fastest_ms(decode):
    decode()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        decode()
        times.append((time.perf_counter() - t0) * 1e3)
    return min(times)
result = {}
if family == "blosc":
    for n in (1, 2):
        blosc.set_nthreads(n)
        result[f"numcodecs (Python), {n} thread(s)"] = fastest_ms(lambda: [blosc.decompress(s, out) for s in srcs])
else:
    codec = lz4 if family == "lz4" else Zstd()
    result["numcodecs (Python), 1 thread"] = fastest_ms(lambda: [codec.decode(s, out) for s in srcs])
print(json.dumps(result))
`;

async function fastestMs(reps: number, pass: () => unknown): Promise<number> {
  await pass();
  let fastest = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await pass();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

async function chunkFiles(codec: CodecSpec): Promise<string[]> {
  const name = `zarr v2 512² ${JSON.stringify(codec)}`;
  const { stored } = await ensureMaterialized(defaultCacheRoot(), DATASET, { name, backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec }, {});
  const dir = join(stored.dir, ARRAY_DIR);
  return readdirSync(dir)
    .filter((f) => /^\d+\.\d+$/.test(f))
    .map((f) => join(dir, f));
}

type WasmCodec = { decode(b: Uint8Array): Promise<Uint8Array> };
const require = createRequire(import.meta.url);

/** zstd-napi's low-level binding (a libzstd DCtx), or why not. */
function zstdNapi(): { decompress(dst: Uint8Array, src: Uint8Array): number } | string {
  try {
    const binding = require("zstd-napi/binding") as { DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number } };
    return new binding.DCtx();
  } catch (e) {
    return `zstd-napi does not load: ${(e as Error).message}`;
  }
}

/** lz4-napi's size-prefixed block decoder (numcodecs' lz4 framing), or why not. */
function lz4Napi(): ((src: Uint8Array) => Uint8Array) | string {
  try {
    return (require("lz4-napi") as { uncompressSync(src: Uint8Array): Uint8Array }).uncompressSync;
  } catch (e) {
    return `lz4-napi does not load (a devDependency): ${(e as Error).message}`;
  }
}

/**
 * Bit shuffle: one-thread passes with each bit unshuffle kernel of the CPU, interleaved (portable,
 * sse2, avx2, portable, …) so load from elsewhere falls on all of them alike; per kernel the fastest
 * pass and the median over repeats of its pass time ÷ the portable kernel's in the same repeat.
 */
function compareKernels(kind: string, srcs: readonly Uint8Array[], out: Uint8Array, reps: number, native: NativeDecoders): string[] {
  const kernels = bitUnshuffleKernels();
  if (!kernels) return [`| ${kind} | the addon predates the bit unshuffle kernels: npm run build | | | |`];
  const ms = new Map(kernels.available.map((k) => [k, [] as number[]]));
  try {
    for (let r = 0; r <= reps; r++) {
      for (const kernel of kernels.available) {
        kernels.use(kernel);
        const t0 = performance.now();
        for (const s of srcs) native.blosc(s, out, 1);
        if (r > 0) ms.get(kernel)!.push(performance.now() - t0);
      }
    }
  } finally {
    kernels.use(null);
  }
  // The kernel alone: a 64 KiB block of the last chunk's bytes (typesize 4), 200 calls per pass.
  const block = out.subarray(0, 64 * 1024);
  const dst = new Uint8Array(block.length);
  const work = new Uint8Array(block.length);
  const alone = new Map(kernels.available.map((k) => [k, [] as number[]]));
  for (let r = 0; r <= reps; r++) {
    for (const kernel of kernels.available) {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) kernels.run(block, dst, 4, kernel, work);
      if (r > 0) alone.get(kernel)!.push(performance.now() - t0);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = (what: string, times: Map<string, number[]>, bytes: number) => {
    const portable = times.get("portable")!;
    return kernels.available.map((k) => {
      const ts = times.get(k)!;
      const ratio = median(ts.map((t, i) => t / portable[i]));
      return `| ${kind} | ${what} | ${k} | ${(bytes / 2 ** 20 / (Math.min(...ts) / 1000)).toFixed(0)} | ${ratio.toFixed(2)} |`;
    });
  };
  return [...rows("whole chunks", ms, srcs.length * CHUNK_BYTES), ...rows("kernel alone, 64 KiB blocks", alone, 200 * block.length)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repsAt = args.indexOf("--reps");
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15;
  const only = args.flatMap((a, i) => (args[i - 1] === "--only" ? [a] : []));
  const kinds = KINDS.filter((k) => only.length === 0 || only.some((o) => k.name.includes(o)));
  const native = nativeDecoders();
  const cores = availableParallelism();
  const zdctx = zstdNapi();
  const lz4n = lz4Napi();
  for (const missing of [zdctx, lz4n]) if (typeof missing === "string") console.error(missing);
  const rows = new Map<string, Map<string, number>>();
  const put = (decoder: string, kind: string, ms: number, bytes: number) => {
    if (!rows.has(decoder)) rows.set(decoder, new Map());
    rows.get(decoder)!.set(kind, bytes / 2 ** 20 / (ms / 1000));
  };
  const ours = new Map<string, string>();
  const kernelRows: string[] = [];
  const planesDir = mkdtempSync(join(tmpdir(), "layoutbench-decoders-"));
  for (const kind of kinds) {
    let files = await chunkFiles(kind.codec);
    // Python first: for planes it writes the frames the JS side then reads.
    const py = spawnSync(PYTHON, ["-c", PY_TIMER, kind.family, kind.planes ? "1" : "0", planesDir, String(reps), ...files], { encoding: "utf8" });
    if (py.status !== 0) console.error(`numcodecs not timed: ${py.error?.message ?? py.stderr}`);
    else for (const [name, ms] of Object.entries(JSON.parse(py.stdout) as Record<string, number>)) put(name, kind.name, ms, files.length * CHUNK_BYTES);
    if (kind.planes) {
      if (py.status !== 0) continue;
      files = files.map((_, i) => join(planesDir, `${i}.enc`));
    }
    const srcs = files.map((f) => new Uint8Array(readFileSync(f)));
    const bytes = srcs.length * CHUNK_BYTES;
    const out = new Uint8Array(CHUNK_BYTES);
    const tmp = new Uint8Array(CHUNK_BYTES);
    const time = async (decoder: string, pass: () => unknown) => put(decoder, kind.name, await fastestMs(reps, pass), bytes);
    const wasm = (kind.family === "blosc"
      ? Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 })
      : kind.family === "lz4"
        ? LZ4.fromConfig({ id: "lz4", acceleration: 1 })
        : Zstd.fromConfig({ id: "zstd", level: 1 })) as unknown as WasmCodec;
    await time("numcodecs.js (WASM)", async () => {
      for (const s of srcs) await wasm.decode(s);
    });
    if (kind.family === "blosc") {
      if (kind.codec.name === "blosc" && kind.codec.cname === "lz4" && kind.codec.shuffle === "byte")
        await time("ours: JS (lz4-blosc.ts)", () =>
          srcs.forEach((s) => {
            decodeBlosc(s, out, tmp);
          }),
        );
      if (native) {
        await time("ours: C, 1 thread", () =>
          srcs.forEach((s) => {
            native.blosc(s, out, 1);
          }),
        );
        await time(`ours: C, ${cores} threads (Blosc blocks)`, () =>
          srcs.forEach((s) => {
            native.blosc(s, out, cores);
          }),
        );
        ours.set(kind.name, `ours: C, ${cores} threads (Blosc blocks)`);
        if (kind.codec.name === "blosc" && kind.codec.shuffle === "bit") kernelRows.push(...compareKernels(kind.name, srcs, out, reps, native));
      }
    } else if (kind.family === "lz4") {
      await time("ours: JS (lz4-blosc.ts)", () =>
        srcs.forEach((s) => {
          decodeNumcodecsLz4(s, out);
        }),
      );
      if (native) {
        await time("ours: C, 1 thread", () =>
          srcs.forEach((s) => {
            native.lz4(s, out);
          }),
        );
        ours.set(kind.name, "ours: C, 1 thread");
      }
      if (typeof lz4n !== "string")
        await time("lz4-napi (allocates)", () =>
          srcs.forEach((s) => {
            lz4n(s);
          }),
        );
    } else {
      if (native) {
        await time("ours: C, 1 thread (libzstd)", () =>
          srcs.forEach((s) => {
            native.zstd(s, out);
          }),
        );
        ours.set(kind.name, "ours: C, 1 thread (libzstd)");
      }
      if (typeof zdctx !== "string")
        await time("zstd-napi DCtx, 1 thread", () =>
          srcs.forEach((s) => {
            zdctx.decompress(out, s);
          }),
        );
    }
  }
  rmSync(planesDir, { recursive: true, force: true });
  if (!native) console.error("the addon has no decoders (rebuild it with `npm install`): C rows left out");
  console.log(`Decoding 64 chunks of 1 MiB (512² int32, smooth) from memory, fastest of ${reps} passes, MiB/s of decoded bytes.\n`);
  console.log(`| decoder | ${kinds.map((k) => k.name).join(" | ")} |`);
  console.log(`|---|${kinds.map(() => "---:").join("|")}|`);
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(0));
  for (const [name, r] of rows) console.log(`| ${name} | ${kinds.map((k) => cell(r.get(k.name))).join(" | ")} |`);
  console.log("");
  for (const kind of kinds) {
    const mine = ours.get(kind.name);
    if (!mine) continue;
    const speed = rows.get(mine)!.get(kind.name)!;
    const others = [...rows].filter(([n, r]) => !n.startsWith("ours") && !n.includes("Python") && r.has(kind.name));
    const best = others.sort((a, b) => b[1].get(kind.name)! - a[1].get(kind.name)!)[0];
    const python = Math.max(...[...rows].filter(([n, r]) => n.includes("Python") && r.has(kind.name)).map(([, r]) => r.get(kind.name)!));
    const vsBest = best ? `${(speed / best[1].get(kind.name)!).toFixed(2)}× ${best[0]}` : "no other JS decoder";
    console.log(`- ${kind.name}: ${mine} at ${(speed / python).toFixed(2)}× numcodecs (Python)'s best, ${vsBest}`);
  }
  if (kernelRows.length === 0) return;
  console.log(`\nBit unshuffle kernels, ours: C, 1 thread, passes interleaved; ${reps} repeats.\n`);
  console.log("| codec | decoding | kernel | fastest MiB/s | median pass time ÷ portable's |");
  console.log("|---|---|---|---:|---:|");
  for (const row of kernelRows) console.log(row);
}

await main();
