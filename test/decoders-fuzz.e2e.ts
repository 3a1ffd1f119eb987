/**
 * Fuzzing the addon's chunk decoders with damaged real frames (made by numcodecs): a few thousand
 * seeded mutations (random bytes overwritten, header fields set to extreme values, truncation,
 * bytes appended, outputs too small). Each decode gets its input and its output in guarded buffers
 * that end at an inaccessible page, so a read or write past either end kills the test process; a
 * decode must give a size that fits its output, say it does not cover the frame (-1), or throw
 * `corrupt chunk: …`.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, test } from "node:test";
import { guardedBytes, nativeDecoders } from "../harness/native/index.ts";
import { createRng, type Rng } from "../harness/stats/prng.ts";
import { makeTestDir } from "./support/contract.ts";
import { covered, type Frame, numcodecsFrames } from "./support/numcodecs-frames.ts";

const dir = makeTestDir("decoders-fuzz");
after(() => rmSync(dir, { recursive: true, force: true }));
const decoders = nativeDecoders();
const made = numcodecsFrames(dir);
/** Mutations per frame; the frames picked below number ~90, so ~3600 decodes of damaged frames. */
const PER_FRAME = 40;

/** The last `length` bytes of `area`, which ends at an inaccessible page: so do they. */
const tail = (area: Uint8Array, length: number) => area.subarray(area.length - length);
/** Most bytes a mutation appends. */
const MAX_APPEND = 64;

/** Blosc header fields worth setting to extremes: nbytes, blocksize, cbytes, the first block offset (and the typesize byte). */
const FIELDS = [4, 8, 12, 16];
const EXTREMES = [0, 1, 15, 16, 0x7fffffff, 0xffffffff, 0xfffffff0];

function mutate(frame: Frame, r: Rng): { bytes: Uint8Array; outBytes: number; kind: string } {
  const src = frame.encoded;
  const pick = (n: number) => Math.floor(r() * n);
  const kind = ["bytes", "bytes", "header", "field", "truncate", "append", "small-output"][pick(7)];
  let bytes = src.slice();
  let outBytes = frame.raw.length;
  switch (kind) {
    case "bytes":
      for (let k = 1 + pick(8); k > 0; k--) bytes[pick(bytes.length)] = pick(256);
      break;
    case "header":
      for (let k = 1 + pick(3); k > 0; k--) bytes[pick(Math.min(bytes.length, 32))] = pick(256);
      break;
    case "field": {
      if (frame.codec === "blosc" && bytes.length >= 20) {
        const at = pick(FIELDS.length + 1);
        // The typesize byte: 0 divides nothing, 255 splits blocks into more streams than Blosc does.
        if (at === FIELDS.length) bytes[3] = [0, 1, 255][pick(3)];
        else new DataView(bytes.buffer).setUint32(FIELDS[at], EXTREMES[pick(EXTREMES.length)], true);
      } else {
        // LZ4's size header; zstd's frame header (content size and flags) sits in its first bytes.
        new DataView(bytes.buffer).setUint32(frame.codec === "zstd" ? pick(Math.max(1, bytes.length - 4)) : 0, EXTREMES[pick(EXTREMES.length)], true);
      }
      break;
    }
    case "truncate":
      bytes = bytes.slice(0, pick(bytes.length));
      break;
    case "append": {
      const longer = new Uint8Array(bytes.length + 1 + pick(MAX_APPEND));
      longer.set(bytes);
      for (let k = bytes.length; k < longer.length; k++) longer[k] = pick(256);
      bytes = longer;
      break;
    }
    case "small-output":
      outBytes = pick(frame.raw.length);
      break;
  }
  return { bytes, outBytes, kind };
}

function decode(frame: Frame, src: Uint8Array, out: Uint8Array, threads: number): number {
  const d = decoders!;
  return frame.codec === "lz4" ? d.lz4(src, out) : frame.codec === "zstd" ? d.zstd(src, out) : d.blosc(src, out, threads);
}

test("damaged frames: a size that fits the output, -1 or `corrupt chunk`, and never an access outside input or output", {
  skip: "skip" in made ? made.skip : !decoders && "the addon has no decoders (npm install)",
}, () => {
  if ("skip" in made || !decoders) return;
  // Frames up to 512 KiB keep the test within its time budget; every compressor and shuffle is among them.
  const frames = made.frames.filter((f) => covered(f) && f.raw.length > 0 && f.raw.length <= 512 * 1024);
  assert.ok(frames.length >= 80, `only ${frames.length} frames`);
  const started = performance.now();
  const outcomes = new Map<string, number>();
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  for (const [i, frame] of frames.entries()) {
    const r = createRng(1000 + i);
    // Fresh guarded pages per frame, not per mutation: first touches of fresh pages are slow here.
    const srcArea = guardedBytes(frame.encoded.length + MAX_APPEND + 1);
    const outArea = guardedBytes(frame.raw.length);
    for (let m = 0; m < PER_FRAME; m++) {
      const { bytes, outBytes, kind } = mutate(frame, r);
      const src = tail(srcArea, bytes.length);
      src.set(bytes);
      const out = tail(outArea, outBytes);
      const threads = 1 + (m % 2);
      let n: number;
      try {
        n = decode(frame, src, out, threads);
      } catch (e) {
        assert.match(String(e), /^Error: corrupt chunk: /, `${frame.name}, ${kind}`);
        count(`${kind}: error`);
        continue;
      }
      // A damaged frame may still decode (a flipped literal byte, or a header saying fewer bytes:
      // readers check the size against the chunk's), but never to more than its output.
      assert.ok(n === -1 || (Number.isInteger(n) && n >= 0 && n <= outBytes), `${frame.name}, ${kind}: decoded ${n} bytes into ${outBytes}`);
      count(`${kind}: ${n === -1 ? "not covered" : n === frame.raw.length ? "decoded" : "decoded to another size"}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  console.log(`# ${total} damaged frames in ${seconds.toFixed(1)} s: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  assert.equal(total, frames.length * PER_FRAME);
  // Most damage is detected: every truncation and too-small output, most header damage.
  const errors = [...outcomes].filter(([k]) => k.endsWith("error")).reduce((a, [, v]) => a + v, 0);
  assert.ok(errors > total / 3, `only ${errors} of ${total} damaged frames were refused`);
  for (const kind of ["truncate", "small-output"]) {
    assert.ok(!outcomes.has(`${kind}: decoded`) && !outcomes.has(`${kind}: decoded to another size`), `${kind}: a frame decoded`);
  }
});
