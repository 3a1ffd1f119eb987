/**
 * The N-API addon on real files: mapping, unmapping (the buffer is detached, so stale views read
 * nothing instead of crashing), madvise/msync, mincore counts and posix_fadvise eviction, and guarded
 * buffers. Its chunk decoders are tested in decoders.e2e.ts and decoders-fuzz.e2e.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fadvise, guardedBytes, madvise, map, mincore, msync, pageSize, unmap } from "../harness/native/index.ts";
import { makeTestDir } from "./support/contract.ts";

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
  assert.throws(
    () => map(1 << 20, page, false),
    (e: NodeJS.ErrnoException) => e.code === "EBADF" && /mmap failed: Bad file descriptor/.test(e.message),
  );
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

test("guarded buffers: as long as asked, every byte readable and writable (the pages past them are not)", () => {
  for (const length of [0, 1, 4095, 4096, 5000]) {
    const bytes = guardedBytes(length);
    assert.equal(bytes.length, length);
    bytes.fill(7);
    assert.ok(bytes.every((b) => b === 7));
  }
});
