/**
 * Who reads a case: how many reader processes at once, how much I/O and decode concurrency each
 * one has, and how the pattern's selections are shared among them. Pure vocabulary: the schema
 * piece, defaults, labels for case ids, the memory budget's size syntax and the checks of
 * combinations that mean nothing. docs/readers.md explains each choice.
 */
import { z } from "zod";
import type { EngineName, LayoutSpec, PatternSpec, ReadersSpec } from "./types.ts";

/** One process, one thread: the case as it was before readers existed (its id gains nothing). */
export const DEFAULT_READERS: ReadersSpec = { processes: 1, threads: 1, split: "replicate" };

/**
 * Most reader processes per case. Each is a Node process of 40-80 MB before it reads anything, so
 * 64 of them already take 3-5 GB; past that the machine's memory, not the layout, is measured.
 */
export const MAX_READER_PROCESSES = 64;
/**
 * Most threads per reader: more than any core count this tool is run on, and past the chunks one
 * read of a realistic pattern has in flight; libuv's pool and Blosc take at most this many usefully.
 */
export const MAX_READER_THREADS = 64;

export const readersSchema = z
  .strictObject({
    processes: z.number().int().min(1).max(MAX_READER_PROCESSES).optional().describe(`Reader processes at once (1 to ${MAX_READER_PROCESSES}, default 1).`),
    threads: z
      .number()
      .int()
      .min(1)
      .max(MAX_READER_THREADS)
      .optional()
      .describe(`Each reader's I/O and decode concurrency within one read (1 to ${MAX_READER_THREADS}, default 1); see docs/readers.md.`),
    split: z
      .enum(["replicate", "partition"])
      .optional()
      .describe("replicate: every reader reads every selection (default); partition: the selections are divided among the readers."),
  })
  .describe("Who reads a case: processes at once, threads each, and how the selections are shared.");

/** The readers entry with its defaults filled in. */
export function resolveReaders(r: z.output<typeof readersSchema>): ReadersSpec {
  return { processes: r.processes ?? DEFAULT_READERS.processes, threads: r.threads ?? DEFAULT_READERS.threads, split: r.split ?? DEFAULT_READERS.split };
}

export function isDefaultReaders(r: ReadersSpec): boolean {
  return r.processes === DEFAULT_READERS.processes && r.threads === DEFAULT_READERS.threads && r.split === DEFAULT_READERS.split;
}

/** The label in case ids: `4p2t-replicate`. */
export function readersLabel(r: ReadersSpec): string {
  return `${r.processes}p${r.threads}t-${r.split}`;
}

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** Bytes from `67108864`, `"64MiB"`, `"64 MB"`; undefined when the text is not a size. */
export function parseBytes(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(value);
  if (!m) return undefined;
  const bytes = Math.round(Number(m[1]) * UNITS[(m[2] ?? "B").toUpperCase()]);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

export const memoryBudgetSchema = z
  .union([z.number(), z.string()])
  .refine((v) => parseBytes(v) !== undefined, {
    error: (issue) => `expected a size in bytes, e.g. 67108864 or "64MiB" (units B, KB, MB, GB, KiB, MiB, GiB), got ${JSON.stringify(issue.input)}`,
  })
  .describe("Flags a reader whose anonymous memory grew by more than this while reading (bytes, or e.g. 64MiB); see docs/readers.md.");

/**
 * What `threads` means for an engine reading a layout, or why more than one means nothing there.
 * `{ meaning }` is recorded in docs and read paths; `{ refused }` is the validation error.
 */
export function threadsMeaning(engine: EngineName, layout: LayoutSpec): { meaning: string } | { refused: string } {
  if (engine === "python" || engine === "tensorstore") {
    return { refused: `the ${engine} engine reads in the run's one Python worker, not in reader processes` };
  }
  if (engine !== "layoutbench") {
    return { refused: `the ${engine} engine reads through its library's own API, which layoutbench does not give more threads` };
  }
  switch (layout.backend) {
    case "zarr":
      if (layout.shards !== null) return { refused: "sharded Zarr arrays are read through zarrita's zarr.get, which takes no thread setting here" };
      return {
        meaning:
          "chunk decodes in flight: node:zlib chunks on a libuv pool of M threads, Blosc frames on M threads, JavaScript decoders on M-1 workers and the reading thread",
      };
    case "memmap":
      return { refused: "a memory-mapped read is one copy out of the mapping on the reading thread; layoutbench does not split it over threads" };
    case "hdf5":
      return { refused: "HDF5 reads go through h5wasm (libhdf5 in WebAssembly), which is single-threaded: they are serialized" };
  }
}

/** Problems of one readers entry against the scenario's engines, layouts and patterns (field relative to the entry). */
export function readersProblems(
  r: ReadersSpec,
  engines: readonly EngineName[],
  layouts: readonly LayoutSpec[],
  patterns: readonly PatternSpec[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  // Checked per entry so the line names it; the Python worker serves every python case of the run.
  for (const engine of engines) {
    if (engine === "python" || engine === "tensorstore") {
      problems.push({
        field: "",
        message: `the ${engine} engine reads in the run's one Python worker, not in reader processes: readers apply to the layoutbench, zarrita and h5wasm engines; put ${engine} in a scenario without readers`,
      });
    }
  }
  if (r.threads > 1) {
    for (const engine of engines.filter((e) => e !== "python" && e !== "tensorstore")) {
      for (const layout of layouts) {
        const m = threadsMeaning(engine, layout);
        if ("refused" in m) {
          problems.push({
            field: "threads",
            message: `${r.threads} threads mean nothing for layout "${layout.name}" read by ${engine}: ${m.refused}; use threads: 1 there`,
          });
        }
      }
    }
  }
  if (r.processes > 1 || r.threads > 1) {
    patterns.forEach((p) => {
      if (p.op === "write") {
        problems.push({
          field: "",
          message: `pattern "${p.name}" writes: readers of more than one process or thread apply to read patterns only; put write patterns in a scenario without them`,
        });
      }
    });
  }
  return problems;
}
