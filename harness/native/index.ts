/**
 * Typed access to the small N-API addon (harness/native/layoutbench.c, built by `npm install` via
 * binding.gyp). It provides what Node lacks for real page-cache control: mmap that can be unmapped
 * on demand, madvise, msync, mincore and posix_fadvise; the LZ4, zstd and Blosc chunk decoders; one
 * strided copy (copy.c) for reading selections out of a mapping; and Blosc encoding through the
 * system's c-blosc (blosc-encode.c).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Advice accepted by {@link madvise} and {@link fadvise}; the values match the C side. */
export const Advice = {
  normal: 0,
  random: 1,
  sequential: 2,
  willneed: 3,
  dontneed: 4,
} as const;

export type AdviceName = keyof typeof Advice;

interface NativeModule {
  map(fd: number, length: number, writable: boolean): ArrayBuffer;
  unmap(buffer: ArrayBuffer): void;
  madvise(buffer: ArrayBuffer, advice: number): void;
  msync(buffer: ArrayBuffer): void;
  mincore(fd: number, length: number): number;
  mincorePages(fd: number, length: number, out: Uint8Array): void;
  fadvise(fd: number, offset: number, length: number, advice: number): void;
  sync(): void;
  pageSize(): number;
  guarded?(length: number): ArrayBuffer;
  // Decoders (decode.c); absent from addons built before them.
  lz4Decode?(src: Uint8Array, dst: Uint8Array): number;
  bloscDecode?(src: Uint8Array, dst: Uint8Array, threads: number): number;
  zstdDecode?(src: Uint8Array, dst: Uint8Array): number;
  bitUnshuffle?(src: Uint8Array, dst: Uint8Array, typesize: number, kernel: string, work?: Uint8Array): void;
  bitUnshuffleKernels?(): { available: string[]; inUse: string };
  useBitUnshuffle?(kernel: string | null): void;
  // copy.c; absent from addons built before it.
  copyStrided?(src: ArrayBufferView, dst: ArrayBufferView, plan: Float64Array): void;
  readSieved?(fd: number, plan: Float64Array, out: Uint8Array, sieve: Uint8Array): void;
  // blosc-encode.c; absent from addons built before it.
  bloscLibraryInfo?(library: string): { library: string; version?: string; error?: string };
  bloscCompress?(library: string, src: Uint8Array, typesize: number, clevel: number, shuffle: number, cname: string, blocksize: number): Uint8Array;
}

const ADDON_PATH = fileURLToPath(new URL("../../build/Release/layoutbench_native.node", import.meta.url));

let loaded: NativeModule | undefined;

function native(): NativeModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as NativeModule;
  } catch (cause) {
    // Loaded lazily so commands that never touch files (validate, report) work without a compiler.
    throw new Error(
      `the native addon is missing or broken (${ADDON_PATH}): run \`npm install\` in the project root, ` +
        "which builds it with node-gyp (needs a C compiler, make and python3)",
      { cause },
    );
  }
  return loaded;
}

/**
 * Maps the first `length` bytes of `fd` with MAP_SHARED, read-only unless `writable`. The returned
 * ArrayBuffer is the mapping itself (no copy). A zero `length` returns an empty ArrayBuffer.
 * Call {@link unmap} when done: a live mapping pins its pages in the page cache.
 */
export function map(fd: number, length: number, writable: boolean): ArrayBuffer {
  return native().map(fd, length, writable);
}

/** Unmaps now and detaches `buffer`, so later access sees length 0 instead of crashing. Idempotent. */
export function unmap(buffer: ArrayBuffer): void {
  native().unmap(buffer);
}

/** madvise over the whole mapping. */
export function madvise(buffer: ArrayBuffer, advice: AdviceName): void {
  native().madvise(buffer, Advice[advice]);
}

/** msync(MS_SYNC) over the whole mapping: written pages reach the file. */
export function msync(buffer: ArrayBuffer): void {
  native().msync(buffer);
}

/** Pages of the first `length` bytes of `fd` resident in the page cache (does not fault any in). */
export function mincore(fd: number, length: number): number {
  return native().mincore(fd, length);
}

/** Per page of the first `length` bytes of `fd`: 1 when resident in the page cache, else 0. */
export function mincorePages(fd: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / pageSize()));
  if (length > 0) native().mincorePages(fd, length, out);
  return out;
}

/** posix_fadvise; `length` 0 means "to the end of the file". `dontneed` evicts clean pages. */
export function fadvise(fd: number, offset: number, length: number, advice: AdviceName): void {
  native().fadvise(fd, offset, length, Advice[advice]);
}

/** sync(2): flushes every filesystem's dirty pages. */
export function syncAll(): void {
  native().sync();
}

/** The system page size in bytes. */
export function pageSize(): number {
  return native().pageSize();
}

/**
 * `length` bytes that end right at an inaccessible page (another one lies before the first page):
 * reading or writing a byte past the end kills the process with SIGSEGV. For tests of code that must
 * stay inside its buffers; each call maps fresh pages, unmapped when the buffer is collected.
 */
export function guardedBytes(length: number): Uint8Array {
  const m = native();
  if (!m.guarded) throw new Error(`the native addon (${ADDON_PATH}) predates guarded buffers: rebuild it with \`npm install\``);
  return new Uint8Array(m.guarded(length));
}

/** Entries of a {@link copyStrided} plan before the per-axis triples. */
export const PLAN_HEADER = 4;

/**
 * Copies one N-d box of elements from `src` to `dst` in a single native call. `plan` holds, in
 * bytes relative to each array's first byte: `[elementBytes, rank, srcOffset, dstOffset]`, then
 * `count, srcStride, dstStride` per axis (so `PLAN_HEADER + 3 * rank` entries, all whole numbers
 * ≥ 0). Throws a RangeError, copying nothing, when the box reaches outside either array or the two
 * regions overlap. Bytes move unchanged, so NaN payloads survive.
 */
export function copyStrided(src: ArrayBufferView, dst: ArrayBufferView, plan: Float64Array): void {
  const m = native();
  if (!m.copyStrided) throw new Error(`the native addon (${ADDON_PATH}) predates copyStrided: rebuild it with \`npm install\` or \`npx node-gyp rebuild\``);
  m.copyStrided(src, dst, plan);
}

/** Entries of a {@link SievedRead} plan before the (count, step) pairs of the outer axes. */
export const SIEVE_PLAN_HEADER = 7;

/**
 * Reads a selection of a contiguous dataset from `fd` into `out` with the reads libhdf5 makes, in
 * one native call (copy.c). `plan`, in bytes: `[run, windowBytes, first, end, perRun, runStep,
 * outerRank]`, then `count, step` per outer axis, outermost first. Runs of `run` bytes start at
 * `first + k * runStep` (k < perRun) plus the outer axes' steps; runs longer than `windowBytes`
 * are read straight into `out`, shorter ones through a window of `sieve` of up to `windowBytes`
 * ending at most at `end`. Throws, having written nothing outside `out` and `sieve`, when the
 * plan reaches past either, or `Error("file ends at byte N, inside the dataset")`.
 */
export type SievedRead = (fd: number, plan: Float64Array, out: Uint8Array, sieve: Uint8Array) => void;

/**
 * Features of the addon a read path may lack, each with a slower path in JavaScript. The
 * LAYOUTBENCH_DISABLE_NATIVE environment variable (comma-separated: `decoders`, `sieved-read`)
 * turns them off on purpose, to measure that slower path; the read path then records it.
 */
export type NativeFeature = "decoders" | "sieved-read";
export const DISABLE_NATIVE_ENV = "LAYOUTBENCH_DISABLE_NATIVE";

function disabledByEnv(feature: NativeFeature): boolean {
  return (process.env[DISABLE_NATIVE_ENV] ?? "")
    .split(",")
    .map((s) => s.trim())
    .includes(feature);
}

/** Why `feature` is not available, in a few words with the remedy, or undefined when it is. */
export function nativeFeatureMissing(feature: NativeFeature): string | undefined {
  if (disabledByEnv(feature)) return `turned off by ${DISABLE_NATIVE_ENV}=${process.env[DISABLE_NATIVE_ENV]}`;
  let m: NativeModule;
  try {
    m = native();
  } catch {
    return `the native addon is missing (${ADDON_PATH}): run \`npm install\``;
  }
  const present = feature === "decoders" ? Boolean(m.lz4Decode && m.bloscDecode) : Boolean(m.readSieved);
  return present ? undefined : "the native addon predates it: rebuild with `npm install`";
}

/** The native sieved read, or null when the addon is missing, was built before it, or it is turned off. */
export function nativeSievedRead(): SievedRead | null {
  if (nativeFeatureMissing("sieved-read")) return null;
  return native().readSieved ?? null;
}

/**
 * The addon's chunk decoders (harness/native/decode.c), synchronous. Each writes into `dst` and
 * returns the decoded size, or throws `corrupt chunk: …` (the JS decoders' wording); a corrupt
 * chunk never makes them read or write outside `src` and `dst`.
 */
export interface NativeDecoders {
  /** numcodecs' `lz4` codec: a uint32 size, then one LZ4 block. */
  lz4(src: Uint8Array, dst: Uint8Array): number;
  /**
   * A Blosc 1 frame with LZ4, BloscLZ or zstd inside, byte, bit or no shuffle, its blocks decoded on
   * up to `threads` threads (this one included); -1 for a frame it does not cover (Snappy or zlib
   * inside, Blosc 2), left untouched for another decoder.
   */
  blosc(src: Uint8Array, dst: Uint8Array, threads: number): number;
  /** numcodecs' `zstd` codec: zstd frames, decoded by libzstd. */
  zstd(src: Uint8Array, dst: Uint8Array): number;
}

/**
 * The decoders, or undefined when the addon is missing, was built before them (rebuild with
 * `npm install`) or they are turned off ({@link nativeFeatureMissing} says which).
 */
export function nativeDecoders(): NativeDecoders | undefined {
  if (disabledByEnv("decoders")) return undefined;
  let m: NativeModule;
  try {
    m = native();
  } catch {
    return undefined;
  }
  const { lz4Decode, bloscDecode, zstdDecode } = m;
  if (!lz4Decode || !bloscDecode || !zstdDecode) return undefined;
  return { lz4: lz4Decode, blosc: bloscDecode, zstd: zstdDecode };
}

/**
 * The bit unshuffle kernels of the Blosc decoder (shuffle.c): portable C, SSE2, AVX2 where the CPU
 * has it. `inUse` is the one Blosc decoding runs (the widest unless `use` chose another, as
 * bench:decoders does to compare them); `run` unshuffles one block with a named kernel (tests).
 * Undefined when the addon predates them.
 */
export interface BitUnshuffleKernels {
  readonly available: readonly string[];
  readonly inUse: string;
  /** `work`: scratch at least as long as `src` (else the call allocates one). */
  run(src: Uint8Array, dst: Uint8Array, typesize: number, kernel: string, work?: Uint8Array): void;
  use(kernel: string | null): void;
}

export function bitUnshuffleKernels(): BitUnshuffleKernels | undefined {
  const m = native();
  if (!m.bitUnshuffle || !m.bitUnshuffleKernels || !m.useBitUnshuffle) return undefined;
  return { ...m.bitUnshuffleKernels(), run: m.bitUnshuffle, use: m.useBitUnshuffle };
}

/** Settings of one Blosc 1 frame, as numcodecs names them; `typesize` is the element size in bytes. */
export interface BloscSettings {
  readonly typesize: number;
  readonly clevel: number;
  /** 0 none, 1 byte shuffle, 2 bit shuffle. */
  readonly shuffle: number;
  readonly cname: string;
  /** 0: c-blosc chooses. */
  readonly blocksize: number;
}

/** Encodes Blosc 1 frames with the system's c-blosc, the library zarr-python's numcodecs links here. */
export interface BloscEncoder {
  /** c-blosc's version, e.g. "1.21.3". */
  readonly version: string;
  encode(src: Uint8Array, settings: BloscSettings): Uint8Array;
}

export type BloscEncoderStatus = { readonly ok: true; readonly encoder: BloscEncoder } | { readonly ok: false; readonly reason: string };

/** The c-blosc 1 library loaded unless LAYOUTBENCH_BLOSC_LIBRARY names another file (tests name a missing one). */
const DEFAULT_BLOSC_LIBRARY = "libblosc.so.1";

/** The library to load: LAYOUTBENCH_BLOSC_LIBRARY, read when it is loaded, or {@link DEFAULT_BLOSC_LIBRARY}. */
function bloscLibrary(): string {
  return process.env.LAYOUTBENCH_BLOSC_LIBRARY || DEFAULT_BLOSC_LIBRARY;
}

/**
 * The Blosc encoder, or why there is none: the addon is missing or predates it, or the system has no
 * c-blosc 1 (libblosc.so.1, Debian package libblosc1, or the file LAYOUTBENCH_BLOSC_LIBRARY names).
 * The library is loaded on first use, and again when that variable names another.
 */
export function bloscEncoder(): BloscEncoderStatus {
  let m: NativeModule;
  try {
    m = native();
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const { bloscLibraryInfo, bloscCompress } = m;
  if (!bloscLibraryInfo || !bloscCompress) {
    return { ok: false, reason: `the native addon (${ADDON_PATH}) predates the Blosc encoder: rebuild it with \`npm install\` or \`npm run build\`` };
  }
  const library = bloscLibrary();
  const info = bloscLibraryInfo(library);
  if (info.version === undefined) return { ok: false, reason: `cannot load ${info.library}: ${info.error ?? "unknown error"}` };
  return {
    ok: true,
    encoder: {
      version: info.version,
      encode: (src, s) => bloscCompress(library, src, s.typesize, s.clevel, s.shuffle, s.cname, s.blocksize),
    },
  };
}

/** True when the addon loads; lets callers (tests, `doctor`-style checks) report instead of throw. */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}
