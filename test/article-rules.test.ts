/**
 * The article's verdict rules (harness/article/claims/): each fed numbers on both sides of each
 * threshold, and each prediction checked against the arithmetic it claims to do.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { judgePageCache, PAGE_CACHE_CAVEAT, PAGE_CACHE_HOLDS, WARM_READ_SHARE } from "../harness/article/claims/01-page-cache.ts";
import { FLUSH_CAVEAT, FLUSH_HOLDS, judgeWriteFlush, predictWriteFlush } from "../harness/article/claims/02-write-flush.ts";
import { COPY_SHARE, judgeNoExtraCopy, NO_COPY_SHARE } from "../harness/article/claims/03-no-extra-copy.ts";
import { judgeColumnOverRow, PAGES_TOLERANCE, predictColumnOverRow, predictWithReadahead } from "../harness/article/claims/04-column-vs-row.ts";
import { BYTES_TOLERANCE, judgeChunkShapes, predictChunkRatio, TIME_BALANCE } from "../harness/article/claims/05-chunk-shapes.ts";
import { CROSSOVER_TOLERANCE, judgeCompression, predictCrossover } from "../harness/article/claims/06-compression-bandwidth.ts";
import { DOWNLOAD_OVERHEAD, hdf5Evidence, judgeObjectStore, predictDownload } from "../harness/article/claims/07-object-store.ts";
import { judgeSharedPages, predictSharedPages, SHARED_HOLDS } from "../harness/article/claims/08-shared-pages.ts";
import { judgeThreading, predictThreading, SPEEDUP_MIN, THREADING_HOLDS } from "../harness/article/claims/09-threading.ts";
import { BOUND_TOLERANCE, judgeLargerThanMemory, predictPeakAnon } from "../harness/article/claims/10-larger-than-memory.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";

/** An interval of `value` spread `by` either way (multiplicatively). */
const around = (value: number, by = 1.05) => ({ value, low: value / by, high: value * by });
const tight = (value: number) => ({ value, low: value, high: value });
const eps = 1e-9;

test("claim 1: cold ÷ warm holds at one order of magnitude, a caveat at 2×, no hold below; a warm read from storage never holds", () => {
  const bytes = { coldBytesRead: 64 << 20, warmBytesRead: 0 };
  assert.equal(judgePageCache({ ...bytes, coldOverWarm: { value: 20, low: PAGE_CACHE_HOLDS, high: 30 } }).verdict, "holds");
  assert.equal(judgePageCache({ ...bytes, coldOverWarm: { value: 20, low: PAGE_CACHE_HOLDS - eps, high: 30 } }).verdict, "holds with a caveat");
  assert.equal(judgePageCache({ ...bytes, coldOverWarm: { value: 5, low: PAGE_CACHE_CAVEAT, high: 8 } }).verdict, "holds with a caveat");
  assert.equal(judgePageCache({ ...bytes, coldOverWarm: { value: 5, low: PAGE_CACHE_CAVEAT - eps, high: 8 } }).verdict, "does not hold here");
  const share = (s: number) => ({ coldBytesRead: 1000, warmBytesRead: 1000 * s, coldOverWarm: tight(100) });
  assert.equal(judgePageCache(share(WARM_READ_SHARE)).verdict, "holds");
  const leak = judgePageCache(share(WARM_READ_SHARE + 0.01));
  assert.equal(leak.verdict, "does not hold here");
  assert.match(leak.because, /still read 60 B from storage \(6% of the cold read\)/);
});

test("claim 2: durable ÷ return holds from 2×, a caveat from 1.2×; the prediction is 1 + memory rate ÷ storage rate", () => {
  assert.equal(judgeWriteFlush({ value: 3, low: FLUSH_HOLDS, high: 4 }).verdict, "holds");
  assert.equal(judgeWriteFlush({ value: 3, low: FLUSH_HOLDS - eps, high: 4 }).verdict, "holds with a caveat");
  assert.equal(judgeWriteFlush({ value: 1.5, low: FLUSH_CAVEAT, high: 1.8 }).verdict, "holds with a caveat");
  assert.equal(judgeWriteFlush({ value: 1.5, low: FLUSH_CAVEAT - eps, high: 1.8 }).verdict, "does not hold here");
  assert.equal(predictWriteFlush(8e9, 2e9).value, 5);
  assert.deepEqual([predictWriteFlush(null, 2e9).value, predictWriteFlush(null, 2e9).atLeast], [FLUSH_HOLDS, true]);
});

test("claim 3: mmap's anonymous share must stay under 5% and read()'s over 90%, whole intervals for 'holds'", () => {
  const read = { value: 1, low: COPY_SHARE, high: 1.01 };
  assert.equal(judgeNoExtraCopy({ mmapAnon: { value: 0.01, low: 0, high: NO_COPY_SHARE }, readAnon: read }).verdict, "holds");
  assert.equal(judgeNoExtraCopy({ mmapAnon: { value: 0.01, low: 0, high: NO_COPY_SHARE + eps }, readAnon: read }).verdict, "holds with a caveat");
  assert.equal(judgeNoExtraCopy({ mmapAnon: tight(0.01), readAnon: { value: 1, low: COPY_SHARE - eps, high: 1 } }).verdict, "holds with a caveat");
  assert.equal(judgeNoExtraCopy({ mmapAnon: { value: NO_COPY_SHARE + eps, low: 0, high: 0.1 }, readAnon: read }).verdict, "does not hold here");
});

test("claim 4: the page arithmetic: 4096 pages ÷ 4 = 1024× for a headerless file, 4096 ÷ 5 with a 128-byte .npy header", () => {
  const g = { rows: 4096, cols: 4096, itemBytes: 4, pageBytes: 4096 };
  assert.equal(predictColumnOverRow({ ...g, offset: 0 }).value, 1024);
  assert.equal(predictColumnOverRow({ ...g, offset: 128 }).value, 4096 / 5);
  assert.match(
    predictColumnOverRow({ ...g, offset: 128 }).working,
    /a row is 16384 bytes = 4 pages of 4096 bytes, a column 4096 elements 16384 bytes apart = 4096 pages: 1024×/,
  );
  // Rows shorter than a page: a column shares pages between rows (1024 rows of 1 KiB: 256 pages).
  assert.equal(predictColumnOverRow({ rows: 1024, cols: 256, itemBytes: 4, pageBytes: 4096, offset: 0 }).value, 256);
});

test("claim 4: with readahead a column ÷ row is the file ÷ the window: 64 MiB ÷ 8 MiB = 8×, 1× when the window holds the file", () => {
  assert.equal(predictWithReadahead(64 * 2 ** 20 + 128, 8 * 2 ** 20), (64 * 2 ** 20 + 128) / (8 * 2 ** 20));
  assert.equal(predictWithReadahead(4 * 2 ** 20, 8 * 2 ** 20), 1);
});

test("claim 4: within 2× of the prediction without readahead is needed; readahead decides between holds and a caveat", () => {
  const p = 819.2;
  assert.equal(judgeColumnOverRow(p, tight(p), tight(p * 0.9)).verdict, "holds");
  assert.equal(judgeColumnOverRow(p, tight(p * PAGES_TOLERANCE), tight(p / PAGES_TOLERANCE)).verdict, "holds");
  assert.equal(judgeColumnOverRow(p, tight(p), tight(8)).verdict, "holds with a caveat");
  assert.equal(judgeColumnOverRow(p, tight(p * PAGES_TOLERANCE * 1.01), tight(p)).verdict, "does not hold here");
  assert.equal(judgeColumnOverRow(p, tight(p / PAGES_TOLERANCE / 1.01), tight(p)).verdict, "does not hold here");
});

test("claim 5: chunk counts: a 3×3 grid reads alike along both axes, row bands 16× more for a column", () => {
  assert.equal(predictChunkRatio([4096, 4096], [1366, 1366]).value, 1);
  assert.equal(predictChunkRatio([4096, 4096], [256, 4096]).value, 16);
  assert.equal(predictChunkRatio([1024, 1024], [342, 342]).value, 1);
  assert.equal(judgeChunkShapes(1, tight(1), { value: 1, low: 1 / TIME_BALANCE, high: TIME_BALANCE }).verdict, "holds");
  assert.equal(judgeChunkShapes(1, tight(1), { value: 1, low: 0.8, high: TIME_BALANCE + eps }).verdict, "holds with a caveat");
  assert.equal(judgeChunkShapes(1, tight(1), { value: 1, low: 1 / TIME_BALANCE - eps, high: 1.2 }).verdict, "holds with a caveat");
  assert.equal(judgeChunkShapes(1, tight(BYTES_TOLERANCE), around(1)).verdict, "holds");
  assert.equal(judgeChunkShapes(1, tight(BYTES_TOLERANCE + eps), around(1)).verdict, "does not hold here");
});

test("claim 6: crossover at D·(1 − 1/r); holds within 2× of it, a caveat beyond, no hold when compression never wins", () => {
  assert.equal(predictCrossover(4, 400e6).value, 300e6);
  assert.equal(predictCrossover(1, 400e6).value, 0);
  const p = 300e6;
  assert.equal(judgeCompression(p, { measuredCrossover: p * CROSSOVER_TOLERANCE, slowestRatio: 0.5 }).verdict, "holds");
  assert.equal(judgeCompression(p, { measuredCrossover: p * CROSSOVER_TOLERANCE * 1.01, slowestRatio: 0.5 }).verdict, "holds with a caveat");
  assert.equal(judgeCompression(p, { measuredCrossover: p / CROSSOVER_TOLERANCE / 1.01, slowestRatio: 0.5 }).verdict, "holds with a caveat");
  assert.equal(judgeCompression(p, { measuredCrossover: p, slowestRatio: 1 }).verdict, "does not hold here");
  assert.equal(judgeCompression(p, { measuredCrossover: null, slowestRatio: 0.9 }).verdict, "does not hold here");
  // No crossover within the range measured: said in words, never "Infinity×".
  const beyond = judgeCompression(p, { measuredCrossover: Number.POSITIVE_INFINITY, slowestRatio: 0.5, highestBandwidth: p / 2 });
  assert.equal(beyond.verdict, "holds with a caveat");
  assert.doesNotMatch(beyond.because, /Infinity/);
  assert.match(beyond.because, /as the model says .* but the crossover itself was not seen/);
  const inside = judgeCompression(p, { measuredCrossover: Number.POSITIVE_INFINITY, slowestRatio: 0.5, highestBandwidth: p * 2 });
  assert.match(inside.because, /yet the model puts the crossover at .*, inside that range/);
});

test("claim 7: download-then-map costs latency + size ÷ bandwidth; mmap refused and Zarr reading are required", () => {
  const p = predictDownload(100e6, 50e6, 20);
  assert.equal(p.value, 2020);
  const ok = { mmapRefused: true, zarrRead: true, hdf5Read: true };
  assert.equal(judgeObjectStore(p.value, { ...ok, downloadMs: p.value * DOWNLOAD_OVERHEAD }).verdict, "holds");
  assert.equal(judgeObjectStore(p.value, { ...ok, downloadMs: p.value * DOWNLOAD_OVERHEAD + 1 }).verdict, "holds with a caveat");
  assert.equal(judgeObjectStore(p.value, { ...ok, hdf5Read: false, downloadMs: p.value }).verdict, "holds with a caveat");
  assert.equal(judgeObjectStore(p.value, { ...ok, mmapRefused: false, downloadMs: p.value }).verdict, "does not hold here");
  assert.equal(judgeObjectStore(p.value, { ...ok, zarrRead: false, downloadMs: p.value }).verdict, "does not hold here");
});

test("claim 7: HDF5 reads when its case finished; a failed or missing case says why it did not", () => {
  const hdf5Case = (status: "ok" | "failed") => ({
    id: "article-07-object-store/field/hdf5-blosc-lz4/full/cold/storage=s3-100MBps-20ms",
    scenario: "article-07-object-store",
    layout: { name: "hdf5-blosc-lz4", backend: "hdf5" },
    status,
    ...(status === "failed" ? { error: "s3 ranged GET failed" } : {}),
    summary: status === "ok" ? { remote: { requests: 17 } } : undefined,
    samples: status === "ok" ? [{ ms: 40 }, { ms: 42 }, { ms: 44 }] : [],
    readPath: { implementation: "direct ranged path: libhdf5 (h5wasm) over the byte ranges it reads (s3 ranged GETs, 65536 B sieve/page)" },
  });
  const results = (...cases: object[]) => ({ cases }) as unknown as ResultsFile;
  const read = hdf5Evidence(results(hdf5Case("ok")));
  assert.ok(read.read);
  assert.equal(read.ms.value, 42);
  assert.equal(read.requests, 17);
  assert.match(read.implementation, /^direct ranged path/);
  const failed = hdf5Evidence(results(hdf5Case("failed")));
  assert.deepEqual(failed, { read: false, why: `case ${hdf5Case("ok").id} failed: s3 ranged GET failed` });
  const missing = hdf5Evidence(results());
  assert.deepEqual(missing, { read: false, why: "no case of article-07-object-store with layout hdf5-blosc-lz4 in the results" });
});

test("claim 8: ΣPSS of N mmap readers: one copy up to 1.25×, a caveat up to N/2, no hold beyond", () => {
  assert.equal(predictSharedPages(4).value, 1);
  assert.equal(judgeSharedPages({ processes: 4, mmapGrowth: SHARED_HOLDS, rssGrowth: 4 }).verdict, "holds");
  assert.equal(judgeSharedPages({ processes: 4, mmapGrowth: SHARED_HOLDS + eps, rssGrowth: 4 }).verdict, "holds with a caveat");
  assert.equal(judgeSharedPages({ processes: 4, mmapGrowth: 2, rssGrowth: 4 }).verdict, "holds with a caveat");
  assert.equal(judgeSharedPages({ processes: 4, mmapGrowth: 2 + eps, rssGrowth: 4 }).verdict, "does not hold here");
});

test("claim 9: Zarr's speed-up is capped by the cores; it must beat HDF5's by 1.5× and be at least 1.3×", () => {
  assert.equal(predictThreading(4, 2).value, 2);
  assert.equal(predictThreading(1, 2).value, 1);
  assert.equal(judgeThreading({ zarrSpeedup: SPEEDUP_MIN * THREADING_HOLDS, hdf5Speedup: SPEEDUP_MIN }).verdict, "holds");
  assert.equal(judgeThreading({ zarrSpeedup: 1.8, hdf5Speedup: 1.8 / THREADING_HOLDS + 0.01 }).verdict, "holds with a caveat");
  assert.equal(judgeThreading({ zarrSpeedup: SPEEDUP_MIN - eps, hdf5Speedup: 0.5 }).verdict, "holds with a caveat");
  assert.equal(judgeThreading({ zarrSpeedup: 1, hdf5Speedup: 1 }).verdict, "does not hold here");
  // HDF5 not measured (h5wasm refuses threads): Zarr alone can reach a caveat at best, and says why.
  const alone = judgeThreading({ zarrSpeedup: SPEEDUP_MIN, hdf5Speedup: null });
  assert.equal(alone.verdict, "holds with a caveat");
  assert.match(alone.because, /HDF5's speed-up was not measured: layoutbench's HDF5 reader is h5wasm/);
  assert.equal(judgeThreading({ zarrSpeedup: 4, hdf5Speedup: null }).verdict, "holds with a caveat");
  assert.equal(judgeThreading({ zarrSpeedup: SPEEDUP_MIN - eps, hdf5Speedup: null }).verdict, "does not hold here");
});

test("claim 10: peak anonymous memory (threads + 1) × chunk; bounded within 2× of it and under half the array", () => {
  const p = predictPeakAnon(4 << 20, 3).value;
  assert.equal(p, 16 << 20);
  assert.equal(predictPeakAnon(1 << 20, 1, 4 << 20).value, 6 << 20, "a read in bands holds one band besides the chunks");
  const array = 1 << 30;
  assert.equal(judgeLargerThanMemory(p, { arrayBytes: array, zarrPeakAnon: p * BOUND_TOLERANCE, mmapAnonShare: 0 }).verdict, "holds");
  assert.equal(judgeLargerThanMemory(p, { arrayBytes: array, zarrPeakAnon: p * BOUND_TOLERANCE + 1, mmapAnonShare: 0 }).verdict, "holds with a caveat");
  assert.equal(judgeLargerThanMemory(p, { arrayBytes: array, zarrPeakAnon: array / 2, mmapAnonShare: 0 }).verdict, "does not hold here");
});
