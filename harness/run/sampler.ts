/**
 * Runs one case's sample loop with cold preparation and I/O accounting. Effects come in through
 * `CaseEnv` (clock, I/O counters, eviction, residency) and the engine session, so the loop can be
 * tested with a scripted clock and a fake session.
 *
 * Cold sample: close the session → evict every file of the layout → open afresh (timed apart as
 * openMs) → evict again, since opening reads headers and readahead may pull in data pages with
 * them → measure residency → one timed pass. The library keeps what it parsed at open (metadata);
 * the page cache holds none of the layout's files when the timed pass starts. Warm case: one open, untimed warm-up passes,
 * then timed passes. The session verifies every selection outside the timed region.
 */
import type { CaseSpec } from "../scenario/types.ts";
import type { EngineSession, IoSnapshot } from "../engines/types.ts";
import type { Sample } from "./results-types.ts";

export type { IoSnapshot };

export interface CaseEnv {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  io(): IoSnapshot;
  evict(files: readonly string[]): Promise<void>;
  /** Fraction of the files' pages resident in the page cache, 0..1. */
  residency(files: readonly string[]): number;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Samples one case. `files` are every file the layout owns (what cold samples evict and check).
 * `onSample` sees each sample as it is taken; `shouldStop` ends sampling early once minSamples
 * are taken. Throws (VerificationError or the engine's error) on the first failed pass.
 */
export async function sampleCase(
  spec: CaseSpec, session: EngineSession, files: readonly string[], env: CaseEnv,
  hooks: { onSample?: (s: Sample) => void; shouldStop?: () => boolean } = {},
): Promise<Sample[]> {
  const { sampling } = spec.scenario;
  const cold = spec.cache === "cold";
  const samples: Sample[] = [];
  let open = false;
  try {
    if (!cold) {
      await session.open();
      open = true;
      for (let i = 0; i < sampling.warmup; i++) await session.pass();
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
        if (open) await session.close();
        open = false;
        await env.evict(files);
        openMs = await session.open();
        open = true;
        await env.evict(files);
        residency = env.residency(files);
      }
      const before = env.io();
      const pass = await session.pass();
      const after = env.io();
      const io = pass.io ?? {
        readBytes: after.readBytes - before.readBytes,
        writeBytes: after.writeBytes - before.writeBytes,
        majorFaults: after.majorFaults - before.majorFaults,
      };
      const sample: Sample = {
        ms: pass.ms, bytesRead: io.readBytes, bytesWritten: io.writeBytes, majorFaults: io.majorFaults, residency, openMs,
      };
      samples.push(sample);
      hooks.onSample?.(sample);
    }
    if (open) await session.finish();
  } finally {
    if (open) await session.close();
  }
  return samples;
}
