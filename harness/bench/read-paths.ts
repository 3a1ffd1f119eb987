/**
 * `npm run bench:read-paths -- [--cold] [--fresh] [--reps N] [--only SUBSTRING] [--bit-unshuffle KERNEL]`: our Zarr and HDF5 read
 * paths side by side with NumPy / zarr-python 2.13 / h5py on the same files (the issue "Backend
 * speed"). A 4096×4096 int32 `smooth` dataset is materialized as ten layouts; for each layout and
 * pattern (full, one row, one column, 16 random 256² tiles, 200 random points) both engines read the
 * same selections, interleaved sample by sample (one Python subprocess per layout,
 * harness/bench/read-paths.py). Warm (default): one reader per engine and case, one untimed warm-up
 * pass, then `reps` timed passes. Cold (`--cold`): before every pass the files are evicted and each
 * engine opens afresh (open untimed, as in the runner). Prints a Markdown table of medians.
 *
 * Outputs: by default both engines read into buffers reused per selection size (ours through
 * `read(sel, out)`, as the layoutbench engine does; Python through `out=` / `read_direct`), so the table
 * compares read paths, not allocators. `--fresh` makes both allocate every result: that adds a page
 * fault per fresh page in Node, and NumPy avoids most of them with huge pages for large arrays
 * (h5py's `ds[...]` does not). The last line prints both first-touch costs.
 *
 * `--bit-unshuffle portable|sse2|avx2` makes our Blosc decoder use that bit unshuffle kernel (default:
 * the widest the CPU has), to set a kernel's effect on bit-shuffled reads against zarr-python.
 *
 * Our results are verified against the generator on the first pass, and both engines' checksums must
 * agree, all outside the timed region.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { HDF5_FILE } from "../backends/hdf5.ts";
import { backendFor } from "../backends/registry.ts";
import type { Reader } from "../backends/types.ts";
import { ARRAY_DIR } from "../backends/zarr.ts";
import { evictFilesSync } from "../cache/evict.ts";
import { allocate, type TypedArray } from "../core/dtype.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { formatSelection, type Selection, slice } from "../core/selection.ts";
import { verifyRegion } from "../data/generate.ts";
import { bitUnshuffleKernels } from "../native/index.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";
import { createRng } from "../stats/prng.ts";
import { ensureMaterialized } from "../store/materialize.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./read-paths.py", import.meta.url));
const N = 4096;
const DATASET: DatasetSpec = { name: "read-paths", shape: [N, N], dtype: "int32", generator: "smooth", seed: 7 };

const LAYOUTS: LayoutSpec[] = [
  { name: "zarr v2 512² none", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "none" } },
  {
    name: "zarr v2 512² blosc-lz4 shuffle",
    backend: "zarr",
    format: 2,
    chunks: [512, 512],
    shards: null,
    codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" },
  },
  { name: "zarr v2 512² lz4", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "lz4", level: 1 } },
  {
    name: "zarr v2 512² blosc-lz4 bitshuffle",
    backend: "zarr",
    format: 2,
    chunks: [512, 512],
    shards: null,
    codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "bit" },
  },
  {
    name: "zarr v2 512² blosc-zstd shuffle",
    backend: "zarr",
    format: 2,
    chunks: [512, 512],
    shards: null,
    codec: { name: "blosc", cname: "zstd", level: 5, shuffle: "byte" },
  },
  {
    name: "zarr v2 512² blosc-blosclz shuffle",
    backend: "zarr",
    format: 2,
    chunks: [512, 512],
    shards: null,
    codec: { name: "blosc", cname: "blosclz", level: 5, shuffle: "byte" },
  },
  { name: "zarr v2 512² zstd-1", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "zstd", level: 1 } },
  { name: "zarr v3 512² none", backend: "zarr", format: 3, chunks: [512, 512], shards: null, codec: { name: "none" } },
  { name: "hdf5 contiguous", backend: "hdf5", chunks: null, codec: { name: "none" }, shuffle: false },
  { name: "hdf5 512² gzip-1", backend: "hdf5", chunks: [512, 512], codec: { name: "gzip", level: 1 }, shuffle: false },
];

function patterns(): [string, Selection[]][] {
  const r = createRng(42);
  const at = (n: number) => Math.floor(r() * n);
  const tile = 256;
  return [
    ["full", [[slice(0, N), slice(0, N)]]],
    ["row", [[slice(1234, 1235), slice(0, N)]]],
    ["column", [[slice(0, N), slice(2345, 2346)]]],
    [
      "16 tiles 256²",
      Array.from({ length: 16 }, () => {
        const i = at(N - tile),
          j = at(N - tile);
        return [slice(i, i + tile), slice(j, j + tile)];
      }),
    ],
    [
      "200 points",
      Array.from({ length: 200 }, () => {
        const i = at(N),
          j = at(N);
        return [slice(i, i + 1), slice(j, j + 1)];
      }),
    ],
  ];
}

/** One JSON-lines request/response channel to read-paths.py. */
class PythonEngine {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];

  #exited: Error | undefined;

  constructor(backend: string, path: string) {
    this.#child = spawn(PYTHON, [SCRIPT, backend, path], { stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr.on("data", (d: Buffer) => process.stderr.write(`[python] ${d.toString()}`));
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on("line", (line) => this.#waiting.shift()?.resolve(line));
    this.#child.once("exit", (code) => {
      this.#exited = new Error(`${PYTHON} ${SCRIPT} exited with ${code}`);
      for (const w of this.#waiting.splice(0)) w.reject(this.#exited);
    });
  }

  async request<T>(req: object): Promise<T> {
    if (this.#exited) throw this.#exited;
    const reply = new Promise<string>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    this.#child.stdin.write(JSON.stringify(req) + "\n");
    const parsed = JSON.parse(await reply) as T & { error?: string };
    if (parsed.error) throw new Error(`python: ${parsed.error}`);
    return parsed;
  }

  async quit(): Promise<void> {
    this.#child.stdin.end();
    if (!this.#exited) await new Promise((resolve) => this.#child.once("close", resolve));
  }
}

function sumOf(data: TypedArray): bigint {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += Number(data[i]);
  return BigInt(s);
}

/**
 * Output buffers reused across reads, one per selection size, as the runner's layoutbench engine does
 * (harness/engines/js.ts); null with `--fresh`: every read allocates its result.
 */
let outputs: Map<number, TypedArray> | null = new Map();

function outputFor(sel: Selection): TypedArray | undefined {
  if (!outputs) return undefined;
  const n = sel.reduce((acc, s) => acc * Math.ceil((s.stop - s.start) / s.step), 1);
  let out = outputs.get(n);
  if (!out) {
    out = allocate(DATASET.dtype, n);
    outputs.set(n, out);
  }
  return out;
}

/** One timed pass of our reader over `selections`; with `check`, verifies and sums outside the timing. */
async function ourPass(reader: Reader, selections: readonly Selection[], check: boolean): Promise<{ ms: number; sum: bigint | null }> {
  let ms = 0;
  let sum = check ? 0n : null;
  for (const sel of selections) {
    const into = outputFor(sel);
    const t0 = performance.now();
    const data = await reader.read(sel, into);
    ms += performance.now() - t0;
    if (check) {
      const problem = verifyRegion(DATASET, sel, data);
      if (problem) throw new Error(`our read of ${formatSelection(sel)} returned wrong data: ${problem}`);
      sum! += sumOf(data);
    }
  }
  return { ms, sum };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Row {
  layout: string;
  pattern: string;
  ours: number;
  python: number | null;
  oursRead: number;
  pythonRead: number | null;
}

/** Bytes this process has read through read syscalls so far (page-cache hits included): /proc/self/io rchar. */
function rchar(): number {
  const line = readFileSync("/proc/self/io", "utf8")
    .split("\n")
    .find((l) => l.startsWith("rchar:"));
  return Number(line?.split(":")[1] ?? 0);
}

async function benchLayout(layout: LayoutSpec, reps: number, cold: boolean): Promise<Row[]> {
  const { stored } = await ensureMaterialized(defaultCacheRoot(), DATASET, layout, {
    progress: (done, total) => process.stderr.write(`\rmaterializing ${layout.name}: ${((100 * done) / total).toFixed(0)}%`),
  });
  process.stderr.write("\n");
  const backend = backendFor(layout);
  const files = await backend.files(stored);
  const pyPath = layout.backend === "zarr" ? `${stored.dir}/${ARRAY_DIR}` : `${stored.dir}/${HDF5_FILE}`;
  const python = layout.backend === "zarr" && layout.format === 3 ? null : new PythonEngine(layout.backend, pyPath);
  const rows: Row[] = [];
  try {
    for (const [pattern, selections] of patterns()) {
      const pySel = selections.map((sel) => sel.map((s) => [s.start, s.stop, s.step]));
      const pyPass = async (check: boolean) =>
        python!.request<{ ms: number; sum: number | null; rchar?: number }>({ op: "pass", selections: pySel, sum: check, reuse: outputs !== null });
      const ours: number[] = [],
        theirs: number[] = [],
        oursRead: number[] = [],
        theirsRead: number[] = [];
      let reader: Reader | null = null;
      let ourSum: bigint | null = null,
        theirSum: bigint | null = null;
      if (!cold) {
        reader = await backend.open(stored, { writable: false });
        ourSum = (await ourPass(reader, selections, true)).sum;
        if (python) {
          await python.request({ op: "open" });
          theirSum = BigInt((await pyPass(true)).sum!);
        }
      }
      for (let rep = 0; rep < reps; rep++) {
        // Alternate which engine goes first, so neither always reads right after the other.
        const engines = [
          async () => {
            if (cold) {
              evictFilesSync(files, "fadvise");
              const r = await backend.open(stored, { writable: false });
              const pass = await ourPass(r, selections, rep === 0);
              await r.close();
              if (rep === 0) ourSum = pass.sum;
              ours.push(pass.ms);
            } else {
              const before = rchar();
              ours.push((await ourPass(reader!, selections, false)).ms);
              oursRead.push(rchar() - before);
            }
          },
          async () => {
            if (!python) return;
            if (cold) {
              evictFilesSync(files, "fadvise");
              await python.request({ op: "open" });
              const pass = await pyPass(rep === 0);
              await python.request({ op: "close" });
              if (rep === 0) theirSum = BigInt(pass.sum!);
              theirs.push(pass.ms);
            } else {
              const pass = await pyPass(false);
              theirs.push(pass.ms);
              theirsRead.push(pass.rchar ?? 0);
            }
          },
        ];
        if (rep % 2) engines.reverse();
        for (const run of engines) await run();
      }
      if (reader) await reader.close();
      if (python && !cold) await python.request({ op: "close" });
      if (python && ourSum !== theirSum) throw new Error(`${layout.name} ${pattern}: checksums differ: ours ${ourSum}, python ${theirSum}`);
      const row = {
        layout: layout.name,
        pattern,
        ours: median(ours),
        python: python ? median(theirs) : null,
        oursRead: cold ? NaN : median(oursRead),
        pythonRead: python && !cold ? median(theirsRead) : null,
      };
      process.stderr.write(`${row.layout} | ${row.pattern}: ours ${row.ours.toFixed(2)} ms, python ${row.python?.toFixed(2) ?? "-"} ms\n`);
      rows.push(row);
    }
  } finally {
    await python?.quit();
  }
  return rows;
}

/** First-touch cost of a fresh output as big as a full read, in each runtime (not a read at all). */
async function touchCost(reps: number): Promise<{ node: number; numpy: number }> {
  const bytes = N * N * 4;
  const python = new PythonEngine("zarr", "-");
  const node: number[] = [],
    numpy: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      new Int32Array(bytes / 4).fill(1);
      node.push(performance.now() - t0);
      numpy.push((await python.request<{ ms: number }>({ op: "touch", bytes })).ms);
    }
  } finally {
    await python.quit();
  }
  return { node: median(node), numpy: median(numpy) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cold = args.includes("--cold");
  const repsAt = args.indexOf("--reps");
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 7;
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? args[onlyAt + 1] : "";
  if (args.includes("--fresh")) outputs = null;
  const kernelAt = args.indexOf("--bit-unshuffle");
  if (kernelAt >= 0) bitUnshuffleKernels()?.use(args[kernelAt + 1]);
  const kernel = bitUnshuffleKernels()?.inUse ?? "unknown";
  const rows: Row[] = [];
  for (const layout of LAYOUTS.filter((l) => l.name.includes(only))) rows.push(...(await benchLayout(layout, reps, cold)));
  const touch = await touchCost(reps);

  console.log(
    `\n${cold ? "Cold" : "Warm"} reads, ${N}×${N} int32 (${DATASET.generator}), median of ${reps} passes; ` +
      `ratio = ours / python (≤ 1.2 is the goal). Outputs of both engines: ${outputs ? "reused per selection size, as the layoutbench engine does (python: out= / read_direct)" : "fresh per read (--fresh)"}. ` +
      `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? "(unset)"}. Bit unshuffle kernel: ${kernel}.\n`,
  );
  // "read/pass": bytes each engine read by syscalls per warm pass: every pass reads (and decodes)
  // the chunks again; nothing is served from a library cache.
  console.log("| layout | pattern | ours ms | python ms | ratio | ours read/pass | python read/pass |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const ratio = r.python === null ? "–" : `${(r.ours / r.python).toFixed(2)}×`;
    const mib = (n: number | null) => (n === null || Number.isNaN(n) ? "–" : `${(n / 2 ** 20).toFixed(2)} MiB`);
    console.log(
      `| ${r.layout} | ${r.pattern} | ${r.ours.toFixed(2)} | ${r.python?.toFixed(2) ?? "– (zarr-python 2 reads v2 only)"} | ${ratio} | ` +
        `${mib(r.oursRead)} | ${mib(r.pythonRead)} |`,
    );
  }
  console.log(
    `\nFirst touch of a fresh 64 MiB output (allocate + fill, no I/O): Node ${touch.node.toFixed(1)} ms, ` +
      `NumPy ${touch.numpy.toFixed(1)} ms (NumPy asks for transparent huge pages on big arrays; Node's ArrayBuffers do not get them).`,
  );
}

await main();
