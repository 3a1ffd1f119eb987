/**
 * The N-API addon on real files: mapping, unmapping (the buffer is detached, so stale views read
 * nothing instead of crashing), madvise/msync, mincore counts and posix_fadvise eviction; and its
 * LZ4 decoder on crafted blocks (on frames made by numcodecs: native-numcodecs.e2e.ts).
 */
import assert from "node:assert/strict";
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fadvise, madvise, map, mincore, msync, nativeDecoders, pageSize, unmap } from "../harness/native/index.ts";
import { makeTestDir } from "./support/contract.ts";
import { guarded } from "./support/numcodecs-frames.ts";

const dir = makeTestDir("native");
after(() => rmSync(dir, { recursive: true, force: true }));
const page = pageSize();

function withFd<T>(path: string, flags: string, body: (fd: number) => T): T {
  const fd = openSync(path, flags);
  try {
    return body(fd);
  } finally {
    closeSync(fd);
  }
}

test("pageSize is a power of two of at least 4 KiB", () => {
  assert.ok(page >= 4096 && (page & (page - 1)) === 0);
});

test("map shows the file's bytes; unmap detaches the buffer so stale views are empty", () => {
  const path = join(dir, "map.bin");
  const content = randomBytes(3 * page + 5);
  writeFileSync(path, content);
  withFd(path, "r", (fd) => {
    const buffer = map(fd, content.length, false);
    const bytes = new Uint8Array(buffer);
    assert.equal(buffer.byteLength, content.length);
    assert.ok(Buffer.from(bytes).equals(content));
    madvise(buffer, "random");
    unmap(buffer);
    assert.equal(buffer.byteLength, 0);
    assert.equal(bytes.length, 0);
    assert.equal(bytes[0], undefined); // would be a SIGSEGV if the view still pointed at the mapping
    unmap(buffer); // idempotent
    assert.throws(() => madvise(buffer, "normal"), /live mapping/);
    assert.throws(() => msync(buffer), /live mapping/);
  });
});

test("a writable mapping writes through to the file after msync; empty files map to empty buffers", () => {
  const path = join(dir, "write.bin");
  writeFileSync(path, Buffer.alloc(page));
  withFd(path, "r+", (fd) => {
    const buffer = map(fd, page, true);
    new Uint8Array(buffer).fill(7, 100, 200);
    msync(buffer);
    unmap(buffer);
  });
  const after = readFileSync(path);
  assert.equal(after[99], 0);
  assert.equal(after[100], 7);
  assert.equal(after[199], 7);
  writeFileSync(path, "");
  withFd(path, "r", (fd) => {
    const empty = map(fd, 0, false);
    assert.equal(empty.byteLength, 0);
    unmap(empty);
    assert.equal(mincore(fd, 0), 0);
  });
});

test("errors carry errno text", () => {
  assert.throws(() => map(1 << 20, page, false), (e: NodeJS.ErrnoException) => e.code === "EBADF" && /mmap failed: Bad file descriptor/.test(e.message));
  withFd(join(dir, "write.bin"), "r", (fd) => {
    assert.throws(() => fadvise(fd, 0, -1, "dontneed"), /posix_fadvise failed: Invalid argument/);
  });
});

test("fadvise(dontneed) evicts a fdatasync'ed file; a full read brings every page back", () => {
  const path = join(dir, "evict.bin");
  const size = 4 * 1024 * 1024 + 123;
  const pages = Math.ceil(size / page);
  writeFileSync(path, randomBytes(size));
  withFd(path, "r", (fd) => {
    fdatasyncSync(fd);
    fadvise(fd, 0, 0, "dontneed");
    assert.equal(mincore(fd, size), 0);
    readFileSync(path);
    assert.equal(mincore(fd, size), pages);
    fadvise(fd, 0, 0, "dontneed");
    assert.equal(mincore(fd, size), 0);
    // Touching one page of a MADV_RANDOM mapping faults in that page only (no readahead).
    const buffer = map(fd, size, false);
    madvise(buffer, "random");
    assert.equal(new Uint8Array(buffer)[5 * page + 1] >= 0, true);
    assert.equal(mincore(fd, size), 1);
    unmap(buffer);
  });
});

describe("C LZ4 block decoder on crafted blocks", () => {
  const decoders = nativeDecoders();
  if (!decoders) {
    test("the addon has the decoders", () => assert.fail("nativeDecoders() is undefined: rebuild the addon (npm install)"));
    return;
  }
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
