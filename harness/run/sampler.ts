/**
 * Runs one case: the sample loop with cold preparation, timing, I/O accounting and verification.
 * Effects come in through `CaseEnv` (clock, I/O counters, eviction, residency), so the loop can be
 * tested with a fake backend and a scripted clock.
 *
 * Cold sample: close the reader → evict every file of the layout → measure residency → open a
 * fresh reader (timed apart as openMs) → time the reads. Warm case: one reader, untimed warm-up
 * passes, then timed passes. Every selection read is verified against the generator outside the
 * timed region.
 */
import { expandPattern, requestedBytes } from "../access/patterns.ts";
import type { Selection } from "../access/selection.ts";
import { formatSelection } from "../access/selection.ts";
import type { Backend, Reader, Stored } from "../backends/types.ts";
import { itemSize, type TypedArray } from "../data/dtype.ts";
import { generateRegion, verifyRegion } from "../data/generate.ts";
import { VerificationError } from "../errors.ts";
import type { CaseSpec } from "../scenario/types.ts";
import type { Sample } from "./results-types.ts";

export interface IoSnapshot {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly majorFaults: number;
}

export interface CaseEnv {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  io(): IoSnapshot;
  evict(files: readonly string[]): Promise<void>;
  /** Fraction of the files' pages resident in the page cache, 0..1. */
  residency(files: readonly string[]): number;
}

export interface CaseRun {
  readonly samples: Sample[];
  readonly bytesRequested: number;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Throws VerificationError naming the selection when `data` is not what the dataset holds. */
function verify(spec: CaseSpec, sel: Selection, data: TypedArray, what: string): void {
  const problem = verifyRegion(spec.dataset, sel, data);
  if (problem) throw new VerificationError(`${what} ${formatSelection(sel)} returned wrong data: ${problem}`);
}

async function timedPass(
  spec: CaseSpec, reader: Reader, selections: readonly Selection[], writeData: readonly TypedArray[] | null, env: CaseEnv,
): Promise<number> {
  let ms = 0;
  for (let i = 0; i < selections.length; i++) {
    const sel = selections[i];
    if (writeData) {
      if (!reader.write) throw new Error(`the ${spec.layout.backend} backend cannot write`);
      const t0 = env.now();
      await reader.write(sel, writeData[i]);
      ms += env.now() - t0;
    } else {
      const t0 = env.now();
      const data = await reader.read(sel);
      ms += env.now() - t0;
      verify(spec, sel, data, "read");
    }
  }
  if (writeData && spec.pattern.flush && reader.flush) {
    const t0 = env.now();
    await reader.flush();
    ms += env.now() - t0;
  }
  return ms;
}

/**
 * Samples one case on a stored layout. `onSample` sees each sample as it is taken (progress).
 * `shouldStop` lets an interrupt end sampling early; what was taken is kept.
 */
export async function sampleCase(
  spec: CaseSpec, backend: Backend, stored: Stored, env: CaseEnv,
  hooks: { onSample?: (s: Sample) => void; shouldStop?: () => boolean } = {},
): Promise<CaseRun> {
  const { sampling } = spec.scenario;
  const bytesPerItem = itemSize(spec.dataset.dtype);
  const selections = expandPattern(spec.pattern, spec.dataset.shape, bytesPerItem);
  const bytesRequested = requestedBytes(selections, bytesPerItem);
  const writing = spec.pattern.op === "write";
  // Writes store the dataset's own values, so the layout stays valid and can be verified after.
  const writeData = writing ? selections.map((sel) => generateRegion(spec.dataset, sel)) : null;
  const files = await backend.files(stored);
  const cold = spec.cache === "cold";
  const samples: Sample[] = [];
  let reader: Reader | null = null;
  const open = async () => backend.open(stored, { writable: writing });

  try {
    if (!cold) {
      reader = await open();
      for (let i = 0; i < sampling.warmup; i++) await timedPass(spec, reader, selections, writeData, env);
    }
    const started = env.now();
    while (samples.length < sampling.samples) {
      // Memory-mapped reads never wait on real async I/O, so without this the event loop would
      // not run between samples and a Ctrl-C would only be seen at the end of the run.
      await yieldToEventLoop();
      const elapsedSeconds = (env.now() - started) / 1000;
      if (samples.length >= sampling.minSamples && (elapsedSeconds > sampling.timeBudget || hooks.shouldStop?.())) break;
      let residency: number | null = null;
      let openMs = 0;
      if (cold) {
        if (reader) await reader.close();
        reader = null;
        await env.evict(files);
        residency = env.residency(files);
        const t0 = env.now();
        reader = await open();
        openMs = env.now() - t0;
      }
      const before = env.io();
      const ms = await timedPass(spec, reader!, selections, writeData, env);
      const after = env.io();
      const sample: Sample = {
        ms,
        bytesRead: after.readBytes - before.readBytes,
        bytesWritten: after.writeBytes - before.writeBytes,
        majorFaults: after.majorFaults - before.majorFaults,
        residency,
        openMs,
      };
      samples.push(sample);
      hooks.onSample?.(sample);
    }
    if (writing && reader) {
      if (reader.flush) await reader.flush();
      for (const sel of selections) verify(spec, sel, await reader.read(sel), "read-back after write of");
    }
  } finally {
    if (reader) await reader.close();
  }
  return { samples, bytesRequested };
}
