/**
 * The messages between a case's coordinator (readers-round.ts) and its reader processes
 * (reader-child.ts), over the IPC channel. Every request gets exactly one reply; a reader that
 * fails replies `error` and exits.
 */
import type { Stored } from "../backends/types.ts";
import type { ReadPath } from "../engines/types.ts";
import type { VerificationKind } from "../engines/verify.ts";
import type { CaseSpec } from "../scenario/types.ts";

export type ReaderRequest =
  | {
      readonly type: "init";
      readonly spec: CaseSpec;
      /** The layout the coordinator's process wrote or found (never written by a reader). */
      readonly stored: Stored;
      /** A dataset with several sources: its first source's layout, which every read is checked against. */
      readonly firstSource?: Stored;
      /** Indices of the pattern's selections this reader reads (access/split.ts). */
      readonly share: readonly number[];
      readonly threads: number;
    }
  | { readonly type: "open" }
  | { readonly type: "close" }
  /** Untimed passes; `calibrate`: report the fastest of at least two. */
  | { readonly type: "warmup"; readonly count: number; readonly calibrate: boolean }
  /**
   * The barrier's go signal: `passes` timed passes, starting at wall-clock time `at` (ms since the
   * epoch). A start time rather than "now", so the readers start together however late the message
   * reaches each of them on a busy machine.
   */
  | { readonly type: "go"; readonly passes: number; readonly at: number }
  | { readonly type: "finish" };

export type ReaderReply =
  | { readonly type: "ready"; readonly baselineAnonBytes: number; readonly verifier: VerificationKind }
  | { readonly type: "opened"; readonly openMs: number }
  | { readonly type: "closed" }
  | { readonly type: "warmed"; readonly fastestMs: number }
  | {
      readonly type: "done";
      /** Timed milliseconds summed over the passes (the engine's own timing of its reads). */
      readonly ms: number;
      /** Wall clock (ms since the epoch, sub-millisecond) when the first pass started and the last ended. */
      readonly startedAt: number;
      readonly endedAt: number;
      /** /proc/self/io read_bytes and major faults over the passes. */
      readonly bytesRead: number;
      readonly majorFaults: number;
      /** Selections read per pass (its share). */
      readonly selections: number;
    }
  | { readonly type: "finished"; readonly readPath?: ReadPath }
  | { readonly type: "error"; readonly message: string };
