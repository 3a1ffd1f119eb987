/**
 * Scratch buffers shared by the readers of this process: a reader borrows its read and decode
 * buffers at first need and gives them back when it closes, so the next reader (every cold sample
 * opens a fresh one) reuses memory that is already mapped. Why: the first touch of a fresh page
 * costs a page fault, more than reading the page from the page cache, so fresh chunk-sized buffers
 * and a fresh worker arena would add their faults to every cold read (`npm run bench:read-paths --
 * --cold` measures it), where zarr-python reuses memory its allocator already holds. Scratch contents never matter: every
 * read overwrites what it uses, so no data carries from one reader to the next.
 */

/** Most bytes kept for reuse; buffers given back beyond this are dropped. */
const MAX_KEPT_BYTES = 256 * 2 ** 20;

const kept: Uint8Array[] = [];
let keptBytes = 0;

/**
 * A buffer of at least `minBytes` (its length may be larger), over a SharedArrayBuffer when
 * `shared`; reused when one was given back, else new.
 */
export function borrow(minBytes: number, shared = false): Uint8Array {
  let best = -1;
  for (let i = 0; i < kept.length; i++) {
    const b = kept[i];
    if (b.length >= minBytes && b.buffer instanceof SharedArrayBuffer === shared && (best < 0 || b.length < kept[best].length)) best = i;
  }
  if (best >= 0) {
    const [b] = kept.splice(best, 1);
    keptBytes -= b.length;
    return b;
  }
  return new Uint8Array(shared ? new SharedArrayBuffer(minBytes) : new ArrayBuffer(minBytes));
}

/** Gives `buffer` back for reuse; the caller must not touch it afterwards. */
export function giveBack(buffer: Uint8Array): void {
  if (buffer.length === 0 || keptBytes + buffer.length > MAX_KEPT_BYTES) return;
  kept.push(buffer);
  keptBytes += buffer.length;
}
