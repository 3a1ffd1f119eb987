/**
 * Output buffers shared by every js session of a run, one per (dtype, element count). Reads go
 * into them and each read is verified before the next, as an application reading in a loop would
 * do. Sharing them across cases and rounds means no timed read ever lands on fresh memory: the first
 * touch of a page costs a page fault, more than reading the page from the page cache.
 */
import { allocate, type Dtype, type TypedArray } from "../core/dtype.ts";

export class OutputPool {
  private readonly buffers = new Map<string, TypedArray>();

  /** A buffer of `n` elements, its pages already touched. */
  get(dtype: Dtype, n: number): TypedArray {
    const key = `${dtype}:${n}`;
    let out = this.buffers.get(key);
    if (!out) {
      out = allocate(dtype, n);
      // Typed arrays start as untouched zero pages; writing them now keeps the page faults out of timed reads.
      // Filled through a byte view: `fill(0)` on a BigInt64Array/BigUint64Array throws (0 is no bigint).
      new Uint8Array(out.buffer, out.byteOffset, out.byteLength).fill(0);
      this.buffers.set(key, out);
    }
    return out;
  }
}
