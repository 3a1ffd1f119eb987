/**
 * The addon's chunk decoders (harness/native/decode.c) against frames made by numcodecs, the C
 * libraries zarr-python decodes with: byte for byte for every compressor (LZ4, BloscLZ, zstd inside
 * Blosc; numcodecs lz4 and zstd at several levels), shuffle (none, byte, bit) and typesize (1, 2, 3,
 * 4, 8, 16, 20), on 1, 2 and 4 threads, writing nothing outside the output. Crafted LZ4 blocks and
 * BloscLZ streams pin each error message. Random damage is in decoders-fuzz.e2e.ts.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, describe, test } from "node:test";
import { type NativeDecoders, nativeDecoders } from "../harness/native/index.ts";
import { makeTestDir } from "./support/contract.ts";
import { bloscFlags, covered, type Frame, guarded, numcodecsFrames } from "./support/numcodecs-frames.ts";

const dir = makeTestDir("decoders");
after(() => rmSync(dir, { recursive: true, force: true }));
const decoders = nativeDecoders();

test("the addon has the decoders", () => assert.ok(decoders, "nativeDecoders() is undefined: rebuild the addon (npm install)"));

/** Decodes a frame with the decoder for its codec. */
export function decodeFrame(d: NativeDecoders, f: Frame, src: Uint8Array, out: Uint8Array, threads = 1): number {
  switch (f.codec) {
    case "lz4":
      return d.lz4(src, out);
    case "zstd":
      return d.zstd(src, out);
    case "blosc":
      return d.blosc(src, out, threads);
  }
}

describe("C decoders on frames made by numcodecs", () => {
  const made = numcodecsFrames(dir);
  if ("skip" in made) {
    console.log(`# skipped: ${made.skip}`);
    test("frames from numcodecs", { skip: made.skip }, () => {});
    return;
  }
  if (!decoders) return;

  for (const frame of made.frames) {
    test(`${frame.codec}: ${frame.name}`, () => {
      for (const threads of [1, 2, 4]) {
        const { out, intact } = guarded(frame.raw.length);
        const n = decodeFrame(decoders, frame, frame.encoded, out, threads);
        if (!covered(frame)) {
          assert.equal(n, -1, "a frame the C decoder does not cover says so");
          assert.ok(
            out.every((b) => b === 0xa5),
            "and leaves the output alone",
          );
          return;
        }
        assert.equal(n, frame.raw.length);
        assert.ok(Buffer.from(out).equals(frame.raw), `decoded bytes differ (${threads} threads)`);
        assert.ok(intact(), "wrote outside the output");
      }
    });
  }

  test("the frames cover every compressor x shuffle x typesize, split and unsplit, raw streams, memcpyed", () => {
    const blosc = made.frames.filter((f) => f.codec === "blosc" && !bloscFlags(f.encoded).memcpyed);
    const u32 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
    // Bit shuffle counts only where a block holds whole groups of 8 elements (Blosc leaves others as they are).
    const seen = new Set(
      blosc
        .filter((f) => !bloscFlags(f.encoded).bitShuffle || (u32(f.encoded, 8) / f.encoded[3]) % 8 === 0)
        .map((f) => {
          const flags = bloscFlags(f.encoded);
          return `${flags.compressor}/${flags.bitShuffle ? "bit" : flags.shuffle ? "byte" : "none"}/${f.encoded[3]}`;
        }),
    );
    for (const compressor of [0, 1, 4]) {
      for (const shuffle of ["none", "byte", "bit"]) {
        for (const typesize of [1, 2, 3, 4, 8, 16, 20]) {
          // numcodecs writes a typesize-1 byte shuffle as no shuffle.
          if (shuffle === "byte" && typesize === 1) continue;
          assert.ok(seen.has(`${compressor}/${shuffle}/${typesize}`), `no frame with compressor ${compressor}, ${shuffle} shuffle, typesize ${typesize}`);
        }
      }
    }
    assert.ok(made.frames.some((f) => f.codec === "blosc" && bloscFlags(f.encoded).memcpyed));
    assert.ok(blosc.some((f) => !covered(f)));
    assert.ok(
      blosc.some((f) => (f.encoded[2] & 0x10) === 0),
      "a frame with split blocks",
    );
    assert.ok(
      blosc.some((f) => (f.encoded[2] & 0x10) !== 0 && covered(f)),
      "a frame with unsplit blocks",
    );
    assert.ok(made.frames.filter((f) => f.codec === "zstd").length >= 5);
  });

  test("header checks: output too small, Blosc 2 version, zero block or type size, zstd output too small", () => {
    const frame = made.frames.find((f) => f.name.startsWith("benchmark chunk"))!;
    assert.throws(
      () => decoders.blosc(frame.encoded, new Uint8Array(frame.raw.length - 1), 2),
      /corrupt chunk: blosc frame decodes to 1048576 bytes, expected at most 1048575/,
    );
    const v3 = frame.encoded.slice();
    v3[0] = 3;
    assert.equal(decoders.blosc(v3, new Uint8Array(frame.raw.length), 2), -1);
    const zero = frame.encoded.slice();
    zero.fill(0, 8, 12);
    assert.throws(() => decoders.blosc(zero, new Uint8Array(frame.raw.length), 2), /corrupt chunk: blosc frame with a zero block size/);
    assert.throws(() => decoders.blosc(new Uint8Array(8), new Uint8Array(8), 1), /corrupt chunk: blosc frame shorter than its header/);
    // Every element count divides by the type size: zero would be a division fault, not an error.
    for (const f of made.frames.filter((f) => f.codec === "blosc" && covered(f) && !bloscFlags(f.encoded).memcpyed && f.raw.length > 0)) {
      const untyped = f.encoded.slice();
      untyped[3] = 0;
      assert.throws(() => decoders.blosc(untyped, new Uint8Array(f.raw.length), 2), /^Error: corrupt chunk: blosc frame with a zero type size$/, f.name);
    }
    const zstd = made.frames.find((f) => f.codec === "zstd" && f.raw.length > 0)!;
    const { out, intact } = guarded(zstd.raw.length - 1);
    assert.throws(() => decoders.zstd(zstd.encoded, out), /^Error: corrupt chunk: zstd: Destination buffer is too small$/);
    assert.ok(intact());
  });
});

describe("C LZ4 block decoder on crafted blocks", () => {
  if (!decoders) return;
  /** numcodecs' lz4 framing: uint32 size, then the block. */
  const lz4 = (size: number, ...block: number[]) => new Uint8Array([size & 255, (size >> 8) & 255, (size >> 16) & 255, size >>> 24, ...block]);
  const cases: [string, Uint8Array, number, RegExp | number[]][] = [
    ["an empty block", lz4(0, 0x00), 0, []],
    ["literals and an overlapping match (offset 1)", lz4(10, 0x15, 7, 1, 0, 0x00), 10, new Array<number>(10).fill(7)],
    ["offset 3 repeats a pattern", lz4(12, 0x35, 1, 2, 3, 3, 0, 0x00), 12, [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]],
    ["offset 0", lz4(5, 0x10, 9, 0, 0), 5, /match offset points before the output/],
    ["offset before the output", lz4(5, 0x10, 9, 2, 0), 5, /match offset points before the output/],
    ["match past the output", lz4(4, 0x10, 9, 1, 0), 4, /match runs past the output/],
    ["literals past the output", lz4(2, 0x30, 1, 2, 3), 2, /literals run past the input or the output/],
    ["literals past the input", lz4(9, 0x50, 1, 2), 9, /literals run past the input or the output/],
    ["literal length bytes past the input", lz4(300, 0xf0, 255), 300, /literal length runs past the input/],
    ["match length bytes past the input", lz4(300, 0x1f, 9, 1, 0, 255), 300, /match length runs past the input/],
    ["a lone offset byte", lz4(1, 0x10, 9, 1), 1, /match offset runs past the input/],
    ["fewer bytes than the header says", lz4(5, 0x30, 1, 2, 3), 5, /decoded to 3 bytes, its header says 5/],
    ["a header larger than the output", lz4(10, 0x30, 1, 2, 3), 9, /decodes to 10 bytes, expected at most 9/],
  ];
  for (const [name, block, outSize, expected] of cases) {
    test(name, () => {
      const { out, intact } = guarded(outSize);
      if (expected instanceof RegExp) assert.throws(() => decoders.lz4(block, out), expected);
      else {
        assert.equal(decoders.lz4(block, out), expected.length);
        assert.deepEqual([...out.subarray(0, expected.length)], expected);
      }
      assert.ok(intact());
    });
  }
});

describe("C BloscLZ decoder on crafted streams", () => {
  if (!decoders) return;
  /**
   * A Blosc frame of one unsplit block (typesize 1, no shuffle, BloscLZ) holding `stream`, which
   * decodes to `nbytes` bytes.
   */
  const frame = (nbytes: number, ...stream: number[]) => {
    const u32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24];
    const body = [...u32(20), ...u32(stream.length), ...stream];
    return new Uint8Array([2, 1, 0x10, 1, ...u32(nbytes), ...u32(nbytes), ...u32(16 + body.length), ...body]);
  };
  // 257 literal runs of 32 bytes, then a far match of 3 bytes from 8192 back (a uint16 of 0 after 0x3f, 255).
  const literals = Array.from({ length: 257 * 32 }, (_, i) => (i * 7) % 251);
  const farStream = [...literals.flatMap((b, i) => (i % 32 === 0 ? [31, b] : [b])), 0x3f, 255, 0, 0];
  const farExpected = [...literals, ...literals.slice(32, 35)];
  const cases: [string, Uint8Array, number, RegExp | number[]][] = [
    // The first byte's high bits mark the codec; its low 5 bits are a literal run's length - 1.
    ["literals only", frame(3, 0x22, 1, 2, 3), 3, [1, 2, 3]],
    ["a run (distance 1)", frame(8, 0x20, 5, 0xa0, 0), 8, [5, 5, 5, 5, 5, 5, 5, 5]],
    ["a repeated pattern (distance 3, overlapping)", frame(9, 0x22, 1, 2, 3, 0x80, 2), 9, [1, 2, 3, 1, 2, 3, 1, 2, 3]],
    [
      "a long match (length bytes)",
      frame(2 + 9 + 264, 0x21, 4, 9, 0xe0, 255, 9, 1),
      2 + 9 + 264,
      [4, 9, ...new Array<number>(273).fill(0).map((_, i) => (i % 2 ? 9 : 4))],
    ],
    ["a far match (distance 8192 + 0)", frame(8227, ...farStream), 8227, farExpected],
    ["a match before the output", frame(5, 0x22, 1, 2, 3, 0x20, 3), 5, /blosclz match distance points before the output/],
    ["a far match before the output", frame(6, 0x22, 1, 2, 3, 0x3f, 255, 0, 0), 6, /blosclz match distance points before the output/],
    ["a far distance cut short", frame(6, 0x22, 1, 2, 3, 0x3f, 255, 0), 6, /blosclz far distance runs past the input/],
    ["a match past the output", frame(5, 0x22, 1, 2, 3, 0x20, 0), 5, /blosclz match runs past the output/],
    ["literals past the input", frame(5, 0x24, 1, 2), 5, /blosclz literals run past the input or the output/],
    ["length bytes past the input", frame(300, 0x20, 1, 0xe0, 255), 300, /blosclz match length runs past the input/],
    ["a distance byte missing", frame(5, 0x20, 1, 0x40), 5, /blosclz match distance runs past the input/],
    ["fewer bytes than the frame says", frame(5, 0x22, 1, 2, 3), 5, /blosc stream decoded to the wrong size/],
  ];
  for (const [name, bytes, outSize, expected] of cases) {
    test(name, () => {
      const { out, intact } = guarded(outSize);
      if (expected instanceof RegExp) assert.throws(() => decoders.blosc(bytes, out, 1), expected);
      else {
        assert.equal(decoders.blosc(bytes, out, 1), expected.length);
        assert.deepEqual([...out], expected);
      }
      assert.ok(intact());
    });
  }
});
