/**
 * The zstd chunks we write are the frames Python's numcodecs writes: each declares its content
 * size in the frame header (so a reader can size its output and decode in one call, as numcodecs'
 * `Zstd.decode` requires), and for the same bytes and level they are byte-identical to numcodecs'
 * own. Checked on incompressible, near-incompressible (random mantissas) and compressible chunks.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createByteCodec } from "../harness/backends/zarr/codecs.ts";

const PYTHON = "/usr/bin/python3";

/** The Frame_Content_Size of a zstd frame's header, or null when the header does not declare it. */
function declaredContentSize(frame: Uint8Array): number | null {
  assert.equal(Buffer.from(frame.subarray(0, 4)).toString("hex"), "28b52ffd", "zstd magic number");
  const fhd = frame[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return null;
  const at = 5 + (single ? 0 : 1) + dictBytes;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + frame[at + i];
  return fcsBytes === 2 ? size + 256 : size;
}

/** 1 MiB chunks: random bytes; float32-like with random low bytes; a slow ramp. */
function chunks(): Record<string, Uint8Array> {
  let x = 12345;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  };
  const n = 1 << 20;
  const random = Uint8Array.from({ length: n }, next);
  const near = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 3 ? (i >> 16) & 0xff : next()));
  const ramp = Uint8Array.from({ length: n }, (_, i) => (i >> 12) & 0xff);
  return { random, near, ramp };
}

const LEVELS = [1, 3, 9];

describe("zstd frames we write", () => {
  const inputs = chunks();
  const encoded = new Map<string, Uint8Array>();
  before(async () => {
    for (const level of LEVELS) {
      const codec = createByteCodec({ name: "zstd", level }, "float32");
      for (const [name, raw] of Object.entries(inputs)) encoded.set(`${name}-${level}`, await codec.encode(raw));
    }
  });
  test("every frame declares its content size", () => {
    for (const [key, frame] of encoded) assert.equal(declaredContentSize(frame), 1 << 20, key);
  });

  const dir = mkdtempSync(join(tmpdir(), "layoutbench-zstd-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const numcodecs = spawnSync(PYTHON, ["-c", "import numcodecs"], { encoding: "utf8" });
  const skip = numcodecs.status !== 0 ? `no numcodecs in ${PYTHON}: ${numcodecs.stderr || numcodecs.error?.message}` : false;
  if (skip) console.log(`# skipped: ${skip}`);
  test("they are numcodecs' own frames, byte for byte, and numcodecs decodes them", { skip }, () => {
    for (const [name, raw] of Object.entries(inputs)) writeFileSync(join(dir, `${name}.raw`), raw);
    for (const [key, frame] of encoded) writeFileSync(join(dir, `${key}.ours`), frame);
    const script = `
import sys, os, numpy as np
from numcodecs import Zstd
d = sys.argv[1]
for name in ("random", "near", "ramp"):
    raw = open(os.path.join(d, name + ".raw"), "rb").read()
    for level in (${LEVELS.join(", ")}):
        z = Zstd(level=level)
        open(os.path.join(d, f"{name}-{level}.numcodecs"), "wb").write(bytes(z.encode(np.frombuffer(raw, np.uint8))))
        ours = open(os.path.join(d, f"{name}-{level}.ours"), "rb").read()
        assert bytes(z.decode(ours)) == raw, (name, level)
`;
    const py = spawnSync(PYTHON, ["-c", script, dir], { encoding: "utf8" });
    assert.equal(py.status, 0, py.stderr);
    for (const [key, frame] of encoded) {
      assert.ok(Buffer.from(frame).equals(readFileSync(join(dir, `${key}.numcodecs`))), `${key}: our frame differs from numcodecs'`);
    }
  });
});
