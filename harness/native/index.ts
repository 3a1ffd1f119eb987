/**
 * Typed access to the small N-API addon (harness/native/layoutbench.c, built by `npm install` via
 * binding.gyp). It provides what Node lacks for real page-cache control: mmap that can be unmapped
 * on demand, madvise, msync, mincore and posix_fadvise.
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
  fadvise(fd: number, offset: number, length: number, advice: number): void;
  sync(): void;
  pageSize(): number;
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

/** True when the addon loads; lets callers (tests, `doctor`-style checks) report instead of throw. */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}
