/**
 * The positional reads libhdf5 makes for a selection of a contiguous C-order dataset, as a list:
 * runs longer than the sieve buffer read straight, shorter runs through a sieve window of up to
 * `sieveBytes` refilled when a run falls outside it (the same replay as contiguous.ts's JS path).
 * Pure: the remote reader fetches each read with one ranged GET and copies the runs out.
 */
import { cStrides, type Selection, selectionShape } from "../../core/selection.ts";

/** One run of the result: `length` bytes from read `read` at `from` into the result at `at`. */
export interface RunCopy {
  readonly read: number;
  readonly from: number;
  readonly at: number;
  readonly length: number;
}

export interface SievePlan {
  /** File reads in the order libhdf5 makes them. */
  readonly reads: readonly { readonly offset: number; readonly length: number }[];
  readonly copies: readonly RunCopy[];
}

/** The reads and copies of `sel` from a dataset of `shape` at `address` (data ends at `end`). */
export function sievePlan(sel: Selection, shape: readonly number[], item: number, address: number, end: number, sieveBytes: number): SievePlan {
  const reads: { offset: number; length: number }[] = [];
  const copies: RunCopy[] = [];
  const rank = sel.length;
  const counts = selectionShape(sel);
  if (rank === 0 || counts.some((n) => n === 0)) return { reads, copies };
  const strides = cStrides(shape).map((s) => s * item);
  const last = sel[rank - 1];
  let inner = rank - 1;
  let run = last.step === 1 ? counts[rank - 1] * item : item;
  if (last.step === 1) {
    while (inner > 0 && counts[inner] === shape[inner] && sel[inner - 1].step === 1) run *= counts[--inner];
  }
  const perRun = last.step === 1 ? 1 : counts[rank - 1];
  const runStep = last.step * item;
  const outer = last.step === 1 ? inner : rank - 1;
  let pos = address;
  for (let a = 0; a < rank; a++) pos += sel[a].start * strides[a];
  const index = new Array<number>(outer).fill(0);
  let at = 0;
  let window = -1;
  for (;;) {
    for (let k = 0, p = pos; k < perRun; k++, p += runStep) {
      if (run > sieveBytes) {
        reads.push({ offset: p, length: run });
        copies.push({ read: reads.length - 1, from: 0, at, length: run });
      } else {
        const w = window >= 0 ? reads[window] : undefined;
        if (!w || p < w.offset || p + run > w.offset + w.length) {
          reads.push({ offset: p, length: Math.min(sieveBytes, end - p) });
          window = reads.length - 1;
        }
        copies.push({ read: window, from: p - reads[window].offset, at, length: run });
      }
      at += run;
    }
    let a = outer - 1;
    for (; a >= 0; a--) {
      pos += sel[a].step * strides[a];
      if (++index[a] < counts[a]) break;
      pos -= counts[a] * sel[a].step * strides[a];
      index[a] = 0;
    }
    if (a < 0) return { reads, copies };
  }
}
