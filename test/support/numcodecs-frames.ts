/**
 * Real Blosc 1, LZ4 and zstd frames made by Python's numcodecs (the C libraries zarr-python decodes
 * with), written at run time by numcodecs-frames.py, to check our decoders byte for byte.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng } from "../../harness/stats/prng.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./numcodecs-frames.py", import.meta.url));

export interface Frame {
  readonly name: string;
  readonly codec: "blosc" | "lz4" | "zstd";
  /** The bytes numcodecs encoded. */
  readonly raw: Uint8Array;
  /** The encoded frame. */
  readonly encoded: Uint8Array;
}

/** Blosc header flags (byte 2) of a frame. */
export const bloscFlags = (frame: Uint8Array) => ({
  shuffle: (frame[2] & 1) !== 0,
  memcpyed: (frame[2] & 2) !== 0,
  bitShuffle: (frame[2] & 4) !== 0,
  compressor: frame[2] >> 5,
});

/** Blosc compressor codes (flags bits 5-7) the C decoder covers: BloscLZ, LZ4 (and LZ4HC), zstd. */
const C_COMPRESSORS = [0, 1, 4];

/** True when the C decoders cover the frame (every one but Blosc with Snappy or zlib inside). */
export const covered = (f: Frame) => f.codec !== "blosc" || bloscFlags(f.encoded).memcpyed || C_COMPRESSORS.includes(bloscFlags(f.encoded).compressor);

/** True when the plain-JS decoders (lz4-blosc.ts) cover the frame (LZ4, byte or no shuffle; or memcpyed). */
export const coveredByJs = (f: Frame) =>
  f.codec === "lz4" ||
  (f.codec === "blosc" && (bloscFlags(f.encoded).memcpyed || (!bloscFlags(f.encoded).bitShuffle && bloscFlags(f.encoded).compressor === 1)));

/** The frames, written into `dir`; or why they cannot be made (python3 or numcodecs missing). */
export function numcodecsFrames(dir: string): { frames: Frame[] } | { skip: string } {
  const run = spawnSync(PYTHON, [SCRIPT, dir], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.error) return { skip: `${PYTHON} cannot run (${run.error.message}): frames from numcodecs not tested` };
  if (run.status !== 0) {
    if (/No module named '?(numcodecs|numpy)/.test(run.stderr))
      return { skip: `${PYTHON} has no numcodecs (apt install python3-zarr): frames from numcodecs not tested` };
    throw new Error(`${SCRIPT} failed (${run.status}): ${run.stderr}`);
  }
  const manifest = JSON.parse(run.stdout) as { name: string; codec: Frame["codec"]; file: string }[];
  return {
    frames: manifest.map((m) => ({
      name: m.name,
      codec: m.codec,
      raw: new Uint8Array(readFileSync(join(dir, `${m.file}.raw`))),
      encoded: new Uint8Array(readFileSync(join(dir, `${m.file}.enc`))),
    })),
  };
}

/** `count` copies of `frame`, each with 1–4 random bytes from `from` on set to random values. */
export function corruptions(frame: Uint8Array, count: number, seed: number, from = 0): Uint8Array[] {
  const r = createRng(seed);
  return Array.from({ length: count }, () => {
    const copy = frame.slice();
    for (let k = 1 + Math.floor(r() * 4); k > 0; k--) copy[from + Math.floor(r() * (frame.length - from))] = Math.floor(r() * 256);
    return copy;
  });
}

/** Guard bytes each side of {@link guarded} outputs. */
const GUARD = 64;

/** An output of `size` bytes inside a larger buffer whose guard bytes `intact()` checks. */
export function guarded(size: number): { out: Uint8Array; intact(): boolean } {
  const whole = new Uint8Array(size + 2 * GUARD).fill(0xa5);
  const out = whole.subarray(GUARD, GUARD + size);
  return { out, intact: () => whole.subarray(0, GUARD).every((b) => b === 0xa5) && whole.subarray(GUARD + size).every((b) => b === 0xa5) };
}
