/**
 * The addon's C decoders on real Blosc and LZ4 frames made by Python's numcodecs in a child
 * process (the decoders on crafted blocks: native.test.ts).
 */
import assert from "node:assert/strict";
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fadvise, madvise, map, mincore, msync, nativeDecoders, pageSize, unmap } from "../harness/native/index.ts";
import { makeTestDir } from "./support/contract.ts";
import { bloscFlags, corruptions, covered, guarded, numcodecsFrames, type Frame } from "./support/numcodecs-frames.ts";

const dir = makeTestDir("native");
after(() => rmSync(dir, { recursive: true, force: true }));
const page = pageSize();

describe("C decoders (decode.c) on frames made by numcodecs", () => {
  const decoders = nativeDecoders();
  const framesDir = join(dir, "frames");
  mkdirSync(framesDir);
  const made = numcodecsFrames(framesDir);
  if ("skip" in made) {
    console.log(`# skipped: ${made.skip}`);
    test("frames from numcodecs", { skip: made.skip }, () => {});
    return;
  }
  test("the addon has the decoders", () => assert.ok(decoders, "nativeDecoders() is undefined: rebuild the addon (npm install)"));
  if (!decoders) return;
  const decode = (f: Frame, src: Uint8Array, out: Uint8Array, threads = 1) => f.codec === "lz4" ? decoders.lz4(src, out) : decoders.blosc(src, out, threads);

  for (const frame of made.frames) {
    test(`${frame.codec}: ${frame.name}`, () => {
      for (const threads of [1, 2, 4]) {
        const { out, intact } = guarded(frame.raw.length);
        const n = decode(frame, frame.encoded, out, threads);
        if (!covered(frame)) {
          assert.equal(n, -1, "a frame the C decoder does not cover says so");
          assert.ok(out.every((b) => b === 0xa5), "and leaves the output alone");
          return;
        }
        assert.equal(n, frame.raw.length);
        assert.ok(Buffer.from(out).equals(frame.raw), `decoded bytes differ (${threads} threads)`);
        assert.ok(intact(), "wrote outside the output");
      }
    });
  }

  test("frame coverage: split and unsplit, raw streams, several blocks, memcpyed, not covered", () => {
    const blosc = made.frames.filter((f) => f.codec === "blosc");
    assert.ok(blosc.some((f) => bloscFlags(f.encoded).memcpyed));
    assert.ok(blosc.some((f) => !covered(f)));
    assert.ok(blosc.some((f) => bloscFlags(f.encoded).shuffle && (f.encoded[2] & 0x10) === 0 && f.encoded[3] === 4));
    assert.ok(blosc.some((f) => (f.encoded[2] & 0x10) !== 0 && covered(f)));
  });

  test("every truncation of a frame is an error, never a read past its end", () => {
    for (const frame of made.frames.filter((f) => covered(f) && f.raw.length > 0)) {
      for (const cut of new Set([0, 1, 4, 15, 16, 17, frame.encoded.length >> 1, frame.encoded.length - 1])) {
        if (cut >= frame.encoded.length) continue;
        const { out, intact } = guarded(frame.raw.length);
        // A view of the whole frame: a decoder reading past `cut` would find valid bytes and succeed.
        assert.throws(() => decode(frame, frame.encoded.subarray(0, cut), out, 2), /^Error: corrupt chunk: /, `${frame.name} cut at ${cut}`);
        assert.ok(intact());
      }
    }
  });

  test("random corruption gives the right size or an error, and never writes outside the output", () => {
    let errors = 0;
    for (const [i, frame] of made.frames.filter((f) => covered(f) && f.raw.length > 1000).entries()) {
      for (const bad of corruptions(frame.encoded, 60, i, frame.codec === "lz4" ? 4 : 16)) {
        for (const threads of [1, 2]) {
          const { out, intact } = guarded(frame.raw.length);
          try {
            const n = decode(frame, bad, out, threads);
            assert.ok(n === frame.raw.length || n === -1, `${frame.name}: decoded ${n} bytes`);
          } catch (e) {
            assert.match(String(e), /^Error: corrupt chunk: /);
            errors++;
          }
          assert.ok(intact(), `${frame.name}: wrote outside the output`);
        }
      }
    }
    assert.ok(errors > 100, `only ${errors} corruptions were detected`);
  });

  test("header checks: output too small, Blosc 2 version, zero block size", () => {
    const frame = made.frames.find((f) => f.name.startsWith("benchmark chunk"))!;
    assert.throws(() => decoders.blosc(frame.encoded, new Uint8Array(frame.raw.length - 1), 2), /corrupt chunk: blosc frame decodes to 1048576 bytes, expected at most 1048575/);
    const v3 = frame.encoded.slice();
    v3[0] = 3;
    assert.equal(decoders.blosc(v3, new Uint8Array(frame.raw.length), 2), -1);
    const zero = frame.encoded.slice();
    zero.fill(0, 8, 12);
    assert.throws(() => decoders.blosc(zero, new Uint8Array(frame.raw.length), 2), /corrupt chunk: blosc frame with a zero block size/);
    assert.throws(() => decoders.blosc(new Uint8Array(8), new Uint8Array(8), 1), /corrupt chunk: blosc frame shorter than its header/);
  });
});
