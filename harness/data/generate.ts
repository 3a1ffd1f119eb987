/**
 * Dataset content: the value of every element is a pure function of (seed, generator, dtype, shape,
 * the element's global index), never of the region asked for. So any region can be materialized on
 * its own, in any order, and every read can be verified without a stored copy.
 *
 * Content is a compatibility promise: changing any value invalidates users' materialized caches and
 * baselines. The golden-value tests pin it; change them only together with `GENERATOR_VERSION`.
 *
 * Speed: the loops below avoid per-element allocation, closures and BigInt. Number-valued output goes
 * through one Float64Array scratch and `TypedArray.prototype.set`, which converts natively; writing
 * straight into 8 different typed-array types from one loop would make V8's store megamorphic
 * (several times slower). 64-bit integers are written as two 32-bit words through a Uint32Array view.
 */
import { allocate, type Dtype, itemSize, type TypedArray } from "../core/dtype.ts";
import { finalize, hash32, mixBlock, seedKey, TWO_POW_32 } from "../core/hash.ts";
import { cStrides, elementCount, formatSelection, type Selection, selectionShape } from "../core/selection.ts";
import type { DatasetSpec } from "../scenario/types.ts";

/**
 * Version of the content the generators produce. Part of the materialization cache key: bump it
 * whenever any generated value changes (the golden-value tests fail first), so stale caches are
 * rebuilt instead of silently failing verification.
 */
export const GENERATOR_VERSION = 1;

const CHUNK = 8192;
/** Word positions of the low and high halves of a 64-bit element in a Uint32Array view. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

// Tags that separate the hash streams derived from one seed ("rndA", "rndB", "smth").
const TAG_RANDOM_A = 0x726e6441;
const TAG_RANDOM_B = 0x726e6442;
const TAG_SMOOTH = 0x736d7468;

/** Largest value of each integer dtype as a double; `smooth` scales its field to 0.4 of it. */
const INT_MAX: Partial<Record<Dtype, number>> = {
  int8: 127,
  int16: 32767,
  int32: 2147483647,
  int64: 2 ** 63,
  uint8: 255,
  uint16: 65535,
  uint32: 4294967295,
  uint64: 2 ** 64,
};

type NumberArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

const SEQUENCE = 0,
  RANDOM = 1,
  SMOOTH = 2;
const GENERATOR_CODES: Partial<Record<string, number>> = { sequence: SEQUENCE, random: RANDOM, smooth: SMOOTH };
const RANDOM_INT = 0,
  RANDOM_F32 = 1,
  RANDOM_F64 = 2;

/** Everything one `fillRegion` call needs, resolved once so the loops read plain fields. */
interface Plan {
  readonly gen: number;
  /** 64-bit integer dtype: written as words, no scratch. */
  readonly wide: boolean;
  readonly randomMode: number;
  readonly keyA: number;
  readonly keyB: number;
  /** smooth: per-axis sine values at the selected indices, and the integer scaling. */
  readonly tables: Float64Array[];
  readonly scale: number;
  readonly offset: number;
  readonly isInt: boolean;
}

/**
 * Writes the dataset's values at `sel` into `out` (C order, length = the selection's element count,
 * typed array of the dataset's dtype). Throws RangeError if `sel` does not fit or `out` is the wrong size.
 */
export function fillRegion(dataset: DatasetSpec, sel: Selection, out: TypedArray): void {
  if (dataset.generator === "file") {
    if (dataset.fill) {
      checkSelection(dataset.shape, sel);
      const n = elementCount(selectionShape(sel));
      if (out.length !== n) throw new RangeError(`output holds ${out.length} elements, selection ${formatSelection(sel)} has ${n}`);
      dataset.fill(sel, out);
      return;
    }
    throw new Error(
      `dataset ${dataset.name} is read from ${dataset.source?.path ?? "a file"}: it has no generator to produce or verify values (verify against reference reads)`,
    );
  }
  const shape = dataset.shape;
  checkSelection(shape, sel);
  const count = elementCount(selectionShape(sel));
  if (out.length !== count) throw new RangeError(`output holds ${out.length} elements, selection ${formatSelection(sel)} has ${count}`);
  if (count === 0) return;
  if (dataset.generator === "zeros") {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).fill(0);
    return;
  }
  // A 0-d array is one element at linear index 0: treat it as shape [1].
  const dims = shape.length === 0 ? [1] : shape;
  const s = sel.length === 0 ? [{ start: 0, stop: 1, step: 1 }] : sel;
  const plan = makePlan(dataset, dims, s);
  const rank = dims.length;
  const last = rank - 1;
  const strides = cStrides(dims);
  const rowLen = selectionShape(s)[last];
  const rowStep = s[last].step;
  const counts = selectionShape(s);
  const coord = new Array<number>(rank).fill(0);
  const words = plan.wide ? new Uint32Array(out.buffer, out.byteOffset, out.length * 2) : new Uint32Array(0);
  const buf = plan.wide ? new Float64Array(0) : new Float64Array(Math.min(CHUNK, count));
  const lastTable = plan.gen === SMOOTH ? plan.tables[last] : buf;
  let flushed = 0; // elements of `out` already written
  let p = 0; // elements pending in `buf` (number dtypes) or written since `flushed` (wide dtypes)
  for (;;) {
    let base = s[last].start;
    let outer = 0;
    for (let a = 0; a < last; a++) {
      base += (s[a].start + coord[a] * s[a].step) * strides[a];
      // Always summed in axis order from 0, so the float result is the same for any region.
      if (plan.gen === SMOOTH) outer += plan.tables[a][coord[a]];
    }
    for (let j = 0; j < rowLen; ) {
      const n = plan.wide ? rowLen - j : Math.min(rowLen - j, buf.length - p);
      const idx = base + j * rowStep;
      if (plan.wide) {
        const e = flushed + p;
        if (plan.gen === SEQUENCE) sequenceWords(words, e, idx, rowStep, n);
        else if (plan.gen === RANDOM) randomWords(words, e, idx, rowStep, n, plan.keyA, plan.keyB);
        else smoothWords(words, e, lastTable, j, outer, n, plan.scale, plan.offset);
      } else if (plan.gen === SEQUENCE) sequenceNumbers(buf, p, idx, rowStep, n);
      else if (plan.gen === RANDOM) randomNumbers(buf, p, idx, rowStep, n, plan.keyA, plan.keyB, plan.randomMode);
      else smoothNumbers(buf, p, lastTable, j, outer, n, plan.scale, plan.offset, plan.isInt);
      p += n;
      j += n;
      if (!plan.wide && p === buf.length) {
        (out as NumberArray).set(buf, flushed);
        flushed += p;
        p = 0;
      }
    }
    // Odometer over all axes but the last.
    let a = last - 1;
    while (a >= 0 && ++coord[a] === counts[a]) coord[a--] = 0;
    if (a < 0) break;
  }
  if (!plan.wide && p > 0) (out as NumberArray).set(buf.subarray(0, p), flushed);
}

/** The dataset's values at `sel`, as a new C-order typed array of the dataset's dtype. */
export function generateRegion(dataset: DatasetSpec, sel: Selection): TypedArray {
  const out = allocate(dataset.dtype, elementCount(selectionShape(sel)));
  fillRegion(dataset, sel, out);
  return out;
}

/**
 * Compares data read at `sel` with what the dataset holds, byte for byte (so NaN and -0 compare as
 * stored). Returns undefined when equal, else one line naming the dtype, how many elements differ and
 * the first differing global index with both values.
 */
export function verifyRegion(dataset: DatasetSpec, sel: Selection, actual: TypedArray): string | undefined {
  return compareRegion(dataset.dtype, sel, generateRegion(dataset, sel), actual);
}

/**
 * Compares data read at `sel` with `expected`, byte for byte: undefined when equal, else one line
 * naming how many elements differ and the first differing global index with both values.
 */
export function compareRegion(dtype: Dtype, sel: Selection, expected: TypedArray, actual: TypedArray): string | undefined {
  if (actual.constructor !== expected.constructor) {
    return `${dtype}: expected ${expected.constructor.name} data for dtype ${dtype}, got ${actual.constructor.name}`;
  }
  if (actual.length !== expected.length) {
    return `${dtype}: expected ${expected.length} elements for selection ${formatSelection(sel)}, got ${actual.length}`;
  }
  const eb = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  const ab = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  if (Buffer.compare(eb, ab) === 0) return undefined;
  // Rare path (a failed read): a plain byte loop, counting each differing element once.
  const size = itemSize(dtype);
  let differing = 0;
  let first = -1;
  for (let i = 0, lastElement = -1; i < eb.length; i++) {
    if (eb[i] === ab[i]) continue;
    const element = Math.floor(i / size);
    if (element === lastElement) continue;
    lastElement = element;
    if (first < 0) first = element;
    differing++;
  }
  const index = globalIndex(sel, first);
  return (
    `${dtype}: ${differing} of ${expected.length} elements differ in ${formatSelection(sel)}; ` +
    `first at [${index.join(", ")}]: expected ${show(expected[first])}, got ${show(actual[first])}`
  );
}

function show(value: number | bigint): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Global N-d index of the `k`-th element (C order) of the selection's result. */
function globalIndex(sel: Selection, k: number): number[] {
  const counts = selectionShape(sel);
  const index = new Array<number>(sel.length);
  for (let a = sel.length - 1; a >= 0; a--) {
    const c = k % counts[a];
    k = (k - c) / counts[a];
    index[a] = sel[a].start + c * sel[a].step;
  }
  return index;
}

function checkSelection(shape: readonly number[], sel: Selection): void {
  const ok =
    sel.length === shape.length &&
    sel.every(
      (s, i) =>
        Number.isSafeInteger(s.start) &&
        Number.isSafeInteger(s.stop) &&
        Number.isSafeInteger(s.step) &&
        s.step >= 1 &&
        s.start >= 0 &&
        s.start <= s.stop &&
        s.stop <= shape[i],
    );
  if (!ok) throw new RangeError(`selection ${formatSelection(sel)} does not fit array shape [${shape.join(", ")}]`);
}

function makePlan(dataset: DatasetSpec, dims: readonly number[], sel: Selection): Plan {
  const { dtype, generator, seed } = dataset;
  const max = INT_MAX[dtype];
  const isInt = max !== undefined;
  const gen = GENERATOR_CODES[generator];
  if (gen === undefined) throw new RangeError(`unknown generator ${JSON.stringify(generator)}`);
  const signed = dtype.startsWith("int");
  let tables: Float64Array[] = [];
  if (gen === SMOOTH) {
    const key = seedKey(seed, TAG_SMOOTH);
    tables = dims.map((_, axis) => {
      // Period 64..4096 indices (log-uniform) and a random phase, per axis: smooth yet not constant
      // within a typical chunk, so codecs see realistic, compressible structure.
      const period = 2 ** (6 + 6 * (hash32(key, axis, 0) / TWO_POW_32));
      const phase = 2 * Math.PI * (hash32(key, axis, 1) / TWO_POW_32);
      const omega = (2 * Math.PI) / period;
      const s = sel[axis];
      const t = new Float64Array(Math.max(0, Math.ceil((s.stop - s.start) / s.step)));
      for (let c = 0; c < t.length; c++) t[c] = Math.sin(omega * (s.start + c * s.step) + phase);
      return t;
    });
  }
  return {
    gen,
    wide: dtype === "int64" || dtype === "uint64",
    randomMode: dtype === "float32" ? RANDOM_F32 : dtype === "float64" ? RANDOM_F64 : RANDOM_INT,
    keyA: seedKey(seed, TAG_RANDOM_A),
    keyB: seedKey(seed, TAG_RANDOM_B),
    tables,
    scale: isInt ? (0.4 * max) / dims.length : 1,
    // Unsigned: centre the field at half the range so values stay non-negative.
    offset: isInt && !signed ? Math.ceil(max / 2) : 0,
    isInt,
  };
}

// ---- Inner loops: one small monomorphic function per (generator, output class). -------------------

/** Linear index; `set` into the integer dtype wraps modulo 2^bits exactly like element assignment. */
function sequenceNumbers(buf: Float64Array, p: number, idx: number, step: number, n: number): void {
  for (const end = p + n; p < end; p++, idx += step) buf[p] = idx;
}

/**
 * Elements of a run of `n` (linear index `idx`, stride `step`) before the low word of the index wraps,
 * i.e. while its high word stays `hi`. Within such a run the hot loops use int32 arithmetic only.
 */
function runLength(idx: number, step: number, n: number): number {
  return Math.min(n, Math.ceil((4294967296 - (idx % 4294967296)) / step));
}

function sequenceWords(w: Uint32Array, e: number, idx: number, step: number, n: number): void {
  const st = step | 0; // lo + st ≡ lo + step (mod 2^32), and lo never wraps inside a run
  for (let k = 2 * e; n > 0; ) {
    const m = runLength(idx, step, n);
    const hi = Math.floor(idx / 4294967296);
    let lo = idx | 0;
    for (const end = k + 2 * m; k < end; k += 2, lo = (lo + st) | 0) {
      w[k + LO] = lo;
      w[k + HI] = hi;
    }
    idx += m * step;
    n -= m;
  }
}

/**
 * Element bits are A = hash32(keyA, hi, lo) of the linear index (B likewise with keyB). ints: A's low
 * bits (the wrapping `set` keeps them); float32: A's top 24 bits / 2^24; float64: 27 bits of A and
 * 26 of B / 2^53.
 */
function randomNumbers(buf: Float64Array, p: number, idx: number, step: number, n: number, keyA: number, keyB: number, mode: number): void {
  const st = step | 0;
  while (n > 0) {
    const m = runLength(idx, step, n);
    const hi = Math.floor(idx / 4294967296);
    const ha = mixBlock(keyA, hi);
    const hb = mixBlock(keyB, hi);
    let lo = idx | 0;
    const end = p + m;
    if (mode === RANDOM_INT) {
      for (; p < end; p++, lo = (lo + st) | 0) buf[p] = finalize(mixBlock(ha, lo), 8) | 0; // int32: converts fastest in `set`
    } else if (mode === RANDOM_F32) {
      for (; p < end; p++, lo = (lo + st) | 0) buf[p] = (finalize(mixBlock(ha, lo), 8) >>> 8) * 5.9604644775390625e-8;
    } else {
      for (; p < end; p++, lo = (lo + st) | 0) {
        buf[p] = ((finalize(mixBlock(ha, lo), 8) >>> 5) * 67108864 + (finalize(mixBlock(hb, lo), 8) >>> 6)) * 1.1102230246251565e-16;
      }
    }
    idx += m * step;
    n -= m;
  }
}

/** Low word A, high word B: all 64 bits uniformly random. */
function randomWords(w: Uint32Array, e: number, idx: number, step: number, n: number, keyA: number, keyB: number): void {
  const st = step | 0;
  for (let k = 2 * e; n > 0; ) {
    const m = runLength(idx, step, n);
    const hi = Math.floor(idx / 4294967296);
    const ha = mixBlock(keyA, hi);
    const hb = mixBlock(keyB, hi);
    let lo = idx | 0;
    for (const end = k + 2 * m; k < end; k += 2, lo = (lo + st) | 0) {
      w[k + LO] = finalize(mixBlock(ha, lo), 8);
      w[k + HI] = finalize(mixBlock(hb, lo), 8);
    }
    idx += m * step;
    n -= m;
  }
}

function smoothNumbers(
  buf: Float64Array,
  p: number,
  table: Float64Array,
  j: number,
  outer: number,
  n: number,
  scale: number,
  offset: number,
  isInt: boolean,
): void {
  const end = p + n;
  if (isInt) for (; p < end; p++, j++) buf[p] = Math.round((outer + table[j]) * scale) + offset;
  else for (; p < end; p++, j++) buf[p] = outer + table[j];
}

/** Splits the (integral, |v| < 2^64) double into two's-complement words without BigInt. */
function smoothWords(w: Uint32Array, e: number, table: Float64Array, j: number, outer: number, n: number, scale: number, offset: number): void {
  for (let k = 2 * e, end = 2 * (e + n); k < end; k += 2, j++) {
    const v = Math.round((outer + table[j]) * scale) + offset;
    const hi = Math.floor(v / 4294967296);
    w[k + LO] = v - hi * 4294967296;
    w[k + HI] = hi;
  }
}
