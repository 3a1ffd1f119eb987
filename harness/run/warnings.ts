/**
 * Every warning a results file or report can carry, in one place: its cause (filled from the
 * variant's numbers) and the remedy, which names the option or flag that fixes it. Code raises
 * variants; the text is made here only. Codes are stable: results files, `compare` and CI gates
 * match on them.
 */
import { MIN_SAMPLES } from "../stats/summary.ts";

export type WarningVariant =
  | { readonly code: "few-samples"; readonly samples: number }
  | { readonly code: "noisy" /** Widest side of the median's CI as a share of the median. */; readonly halfWidth: number }
  | { readonly code: "eviction-unverified"; readonly method?: string; readonly detail?: string }
  | {
      readonly code: "residency";
      readonly resident: number;
      readonly samples: number;
      /** Largest resident share, 0..1, of the pages the sample reads ("ranges") or of the layout's files. */
      readonly worst: number;
      readonly of: "ranges" | "files";
      /** What the sample was about to do with those bytes. */
      readonly op: "read" | "write";
    }
  | { readonly code: "no-storage-reads" }
  | { readonly code: "self-verified"; readonly format: string }
  | {
      readonly code: "read-path-fallback";
      readonly engine: string;
      /** What fell back, to what, and why (the read path's own words, e.g. "turned off by LAYOUTBENCH_DISABLE_NATIVE=decoders"). */
      readonly fallback: string;
    }
  | {
      readonly code: "blosc-encoder-fallback";
      readonly encoder: string;
      /** Why the system's c-blosc could not be used. */
      readonly reason: string;
    }
  | { readonly code: "incomplete"; readonly taken: number; readonly planned: number; readonly unit: "rounds" | "blocks" }
  | { readonly code: "preempted"; readonly samples: number; readonly total: number; readonly worstShare: number }
  | { readonly code: "failed"; readonly error: string }
  /** A reader's anonymous memory grew past the scenario's memoryBudget (bytes). */
  | { readonly code: "memory-budget"; readonly budget: number; readonly anonBytes: number }
  | {
      readonly code: "interrupted" /** Cases completed and cases missing rounds; null: the file holds no cases. */;
      readonly completed: number | null;
      readonly incomplete: number;
    };

export type WarningCode = WarningVariant["code"];
type VariantOf<C extends WarningCode> = Extract<WarningVariant, { code: C }>;

interface Entry<C extends WarningCode> {
  /** What the warning means, for docs and `--help`. */
  readonly summary: string;
  cause(v: VariantOf<C>): string;
  /** What to change: names the scenario key or command-line flag. */
  readonly remedy: string;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const pct = (share: number) => (share > 0 && share < 0.005 ? "under 1%" : `${Math.round(share * 100)}%`);

export const WARNINGS: { readonly [C in WarningCode]: Entry<C> } = {
  "few-samples": {
    summary: "too few samples for a trustworthy median and interval",
    cause: (v) => `only ${plural(v.samples, "sample")} (fewer than ${MIN_SAMPLES}): the median and its interval are unreliable`,
    remedy: "raise sampling.samples or sampling.timeBudget (or drop --samples)",
  },
  noisy: {
    summary: "the median's confidence interval is wide",
    cause: (v) => `the median's confidence interval reaches ±${pct(v.halfWidth)} of it: the machine was busy or the case is too short`,
    remedy: "raise sampling.samples, spread them with sampling.rounds (or --rounds), or lengthen warm samples with sampling.minSampleMs",
  },
  "eviction-unverified": {
    summary: "the harness could not confirm that eviction empties the page cache",
    cause: (v) =>
      `page-cache eviction${v.method ? ` (${v.method})` : ""} could not be verified${v.detail ? `: ${v.detail}` : " on this filesystem"}; cold numbers may be warm`,
    remedy: "put the dataset cache (--cache) on a local disk filesystem, or set eviction: drop_caches and run as root",
  },
  residency: {
    summary: "a cold sample found bytes it was about to read already in the page cache",
    cause: (v) =>
      `${v.resident} of ${v.samples} cold samples found up to ${pct(v.worst)} of ${v.of === "ranges" ? "the pages they read" : "the layout's files"} resident before the ${v.op}: eviction not effective`,
    remedy: "stop other processes reading these files, or set eviction: drop_caches and run as root",
  },
  "no-storage-reads": {
    summary: "cold samples read nothing from storage",
    cause: () => "cold samples read no bytes from storage: the data came from a cache the harness could not evict",
    remedy: "put the dataset cache (--cache) on a disk-backed filesystem (not tmpfs), or set eviction: drop_caches and run as root",
  },
  "self-verified": {
    summary: "data read from the user's files is checked only against the same library",
    cause: (v) => `data read from ${v.format} files is checked against a second read through the same library, not an independent reader`,
    remedy: "add engines: [layoutbench, python] to read the same files through the Python stack as well",
  },
  "read-path-fallback": {
    summary:
      "the reads took a slower path than the planned one (an addon feature missing or turned off, decode workers that did not start, Blosc chunks the C decoder declined)",
    cause: (v) => `${v.engine} read path fell back: ${v.fallback}`,
    remedy:
      "unset LAYOUTBENCH_DISABLE_NATIVE and rebuild the addon with npm install for the addon's paths; Blosc chunks the addon declines need codec: {name: blosc} with cname lz4, zstd or blosclz",
  },
  "blosc-encoder-fallback": {
    summary: "Zarr Blosc chunks were written by numcodecs.js, not the system's c-blosc",
    cause: (v) => `Blosc chunks written by ${v.encoder}, not the system's c-blosc 1 (${v.reason}): readable everywhere, but not the frames zarr-python writes`,
    remedy: "apt-get install libblosc1 (or point LAYOUTBENCH_BLOSC_LIBRARY at c-blosc 1), then run with --rematerialize",
  },
  incomplete: {
    summary: "the case is missing rounds (or blocks) of samples",
    cause: (v) =>
      v.unit === "rounds"
        ? `${v.taken} of ${v.planned} rounds taken: the run stopped before this case finished`
        : `${v.taken} of ${v.planned} blocks taken: the alternation stopped before this case finished`,
    remedy: "finish it with layoutbench run --resume FILE (an alternation: run layoutbench ab again)",
  },
  preempted: {
    summary: "samples during which the reader spent most of its time waiting for a CPU",
    cause: (v) =>
      `${v.samples} of ${v.total} samples lost up to ${pct(v.worstShare)} of their time waiting for a CPU (run-queue wait, or steal by the hypervisor): the machine, not the layout, set those times`,
    remedy: "run on a quieter machine, or spread the samples with sampling.rounds (or --rounds) so a burst touches every layout alike",
  },
  "memory-budget": {
    summary: "a reader's anonymous memory grew past the scenario's memoryBudget",
    cause: (v) =>
      `a reader's anonymous memory grew by ${(v.anonBytes / 2 ** 20).toFixed(1)} MiB while reading, more than the memoryBudget of ${(v.budget / 2 ** 20).toFixed(1)} MiB`,
    remedy: "read in smaller pieces (a smaller pattern.bandBytes for full scans, smaller layout.chunks), or raise memoryBudget: in the scenario",
  },
  failed: {
    summary: "the case failed and has no samples",
    cause: (v) => v.error,
    remedy: "fix the cause named, then layoutbench run --resume FILE samples the case again",
  },
  interrupted: {
    summary: "the run did not finish",
    cause: (v) =>
      v.completed === null
        ? "the results file holds no cases"
        : `the run did not finish: this report shows the ${v.completed} cases it completed${v.incomplete ? ` and ${v.incomplete} with rounds missing` : ""}`,
    remedy: "finish it with layoutbench run --resume FILE",
  },
};

/** The one-line text of a warning: its cause, then what to do about it. */
export function warningMessage(v: WarningVariant): string {
  const entry = WARNINGS[v.code] as Entry<WarningCode>;
  return `${entry.cause(v as never)}; ${entry.remedy}`;
}

/** A warning as results files and reports hold it. */
export function warning<V extends WarningVariant>(v: V): { readonly code: V["code"]; readonly message: string } {
  return { code: v.code, message: warningMessage(v) };
}
