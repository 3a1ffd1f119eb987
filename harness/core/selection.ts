/**
 * A selection is one N-d box with an optional step per axis, like NumPy's `a[s0:e0:k0, s1:e1:k1]`.
 * Every access pattern is a list of selections; every backend reads and writes selections and
 * returns the selected elements in C order.
 */

export interface Slice {
  readonly start: number;
  /** Exclusive. */
  readonly stop: number;
  /** At least 1. */
  readonly step: number;
}

export type Selection = readonly Slice[];

export function slice(start: number, stop: number, step = 1): Slice {
  return { start, stop, step };
}

/** Number of indices a slice covers. */
export function sliceLength(s: Slice): number {
  return s.stop <= s.start ? 0 : Math.ceil((s.stop - s.start) / s.step);
}

/** Shape of the array a selection returns. */
export function selectionShape(sel: Selection): number[] {
  return sel.map(sliceLength);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The selection of a whole array. */
export function fullSelection(shape: readonly number[]): Selection {
  return shape.map((n) => slice(0, n));
}

/** True when every slice lies within `shape` and has a positive step. */
export function fitsShape(sel: Selection, shape: readonly number[]): boolean {
  return sel.length === shape.length && sel.every((s, i) => s.step >= 1 && s.start >= 0 && s.stop <= shape[i] && s.start <= s.stop);
}

/** C-order strides, in elements. */
export function cStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/** Fortran-order strides, in elements. */
export function fStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = 0; i < shape.length; i++) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

/** Short human form, e.g. `[0:4096, 17:18]`. */
export function formatSelection(sel: Selection): string {
  return "[" + sel.map((s) => `${s.start}:${s.stop}${s.step === 1 ? "" : ":" + s.step}`).join(", ") + "]";
}
