/**
 * The Zarr chunk decoders on real Blosc and LZ4 frames made by Python's numcodecs in a child
 * process (the rest of the Zarr backend: zarr.test.ts).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, describe, test } from "node:test";
import { type CompressorSpec, chunkDecoder } from "../harness/backends/zarr/chunk-decoders.ts";
import { decodeBlosc, decodeNumcodecsLz4 } from "../harness/backends/zarr/lz4-blosc.ts";
import { withNativeDecode } from "../harness/backends/zarr/registered-decoders.ts";
import { nativeDecoders } from "../harness/native/index.ts";
import { makeTestDir } from "./support/contract.ts";
import { corruptions, covered, coveredByJs, type Frame, guarded, numcodecsFrames } from "./support/numcodecs-frames.ts";

describe("zarr chunk decoders on frames made by numcodecs", () => {
  const dir = makeTestDir("zarr-frames");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const made = numcodecsFrames(dir);
  if ("skip" in made) {
    console.log(`# skipped: ${made.skip}`);
    test("frames from numcodecs", { skip: made.skip }, () => {});
    return;
  }
  const spec = (f: Frame): CompressorSpec => ({ id: f.codec, config: {} });
  /** The JS fallback decoders (lz4-blosc.ts); -1: not covered. */
  const decodeJs = (f: Frame, src: Uint8Array, out: Uint8Array) =>
    f.codec === "lz4" ? decodeNumcodecsLz4(src, out) : f.codec === "zstd" ? -1 : decodeBlosc(src, out, new Uint8Array(Math.max(1, f.raw.length)));

  for (const frame of made.frames) {
    test(`${frame.codec}: ${frame.name}`, async () => {
      const { out, intact } = guarded(frame.raw.length);
      const n = decodeJs(frame, frame.encoded, out);
      if (coveredByJs(frame)) {
        assert.equal(n, frame.raw.length);
        assert.ok(Buffer.from(out).equals(frame.raw), "JS decoder: bytes differ");
      } else {
        assert.equal(n, -1, "JS decoder: a frame it does not cover says so");
      }
      assert.ok(intact(), "JS decoder wrote outside the output");
      // What readers use: with the addon's decoders and without; numcodecs.js for what neither covers.
      for (const native of [nativeDecoders() ?? null, null]) {
        const decoder = chunkDecoder(spec(frame), native)!;
        assert.equal(decoder.concurrency, native ? "inline" : "workers");
        const decoded = await decoder.decode(frame.encoded, new Uint8Array(frame.raw.length));
        assert.ok(Buffer.from(decoded).equals(frame.raw), `chunk decoder (${native ? "C" : "JS"}): bytes differ`);
      }
    });
  }

  test("the decoders registered in zarrita: the addon for every frame it covers (size from the frame's header), numcodecs.js for the rest", async () => {
    assert.ok(nativeDecoders(), "the addon's decoders are built");
    for (const frame of made.frames) {
      let fellBack = 0;
      const decode = withNativeDecode(frame.codec, async () => {
        fellBack++;
        return frame.raw;
      });
      const decoded = await decode(frame.encoded);
      assert.ok(Buffer.from(decoded).equals(frame.raw), `${frame.name}: bytes differ`);
      assert.equal(decoded.byteLength, decoded.buffer.byteLength, `${frame.name}: the result must span its buffer (zarrita views .buffer)`);
      assert.equal(
        fellBack,
        covered(frame) ? 0 : 1,
        `${frame.name}: ${covered(frame) ? "covered by the addon, yet fell back" : "not covered, yet not passed on"}`,
      );
    }
  });

  test("JS decoders: truncated or corrupted frames give the right size or an error, never a write outside the output", () => {
    let errors = 0;
    for (const [i, frame] of made.frames.filter((f) => coveredByJs(f) && f.raw.length > 0).entries()) {
      const cuts = [0, 1, 15, 16, 17, frame.encoded.length >> 1, frame.encoded.length - 1].filter((c) => c < frame.encoded.length);
      const cases = [
        ...cuts.map((c) => frame.encoded.subarray(0, c)),
        ...(frame.raw.length > 1000 ? corruptions(frame.encoded, 30, i, frame.codec === "lz4" ? 4 : 16) : []),
      ];
      for (const [k, bad] of cases.entries()) {
        const { out, intact } = guarded(frame.raw.length);
        try {
          const n = decodeJs(frame, bad, out);
          assert.ok(k >= cuts.length, `${frame.name}: truncated to ${bad.length} bytes yet decoded`);
          assert.ok(n === frame.raw.length || n === -1, `${frame.name}: decoded ${n} bytes`);
        } catch (e) {
          assert.match(String(e), /^Error: corrupt chunk: /);
          errors++;
        }
        assert.ok(intact(), `${frame.name}: wrote outside the output`);
      }
    }
    assert.ok(errors > 100, `only ${errors} corruptions were detected`);
  });
});
