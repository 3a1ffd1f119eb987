/**
 * Datasets with several sources (`sources:`): the same array in several existing files, each a
 * layout. Their values are compared once with the first source's, band by band, and a source that
 * holds other values fails with the first element that differs; the result is kept next to the
 * source's cache entry until either file changes. The scenario's layouts are written from the
 * first source's values, copied once per write into a raw file that the backends read regions of.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { backendFor } from "../backends/registry.ts";
import type { Stored } from "../backends/types.ts";
import { itemSize, type TypedArray } from "../core/dtype.ts";
import { UserError } from "../core/errors.ts";
import { cStrides, type Selection, selectionShape } from "../core/selection.ts";
import { compareRegion } from "../data/generate.ts";
import type { DatasetSource, DatasetSpec } from "../scenario/types.ts";
import { sourceStamp } from "./source.ts";

/** Rows of at most this many bytes are read at once when comparing or copying a source's values. */
const BAND_BYTES = 8 << 20;

/** Next to a source's cache entry: that its values matched the first source's, and as of which stamps. */
const COMPARED = "compared-with-first.json";

/** The dataset as the cases of its first source see it. */
export function firstSourceView(dataset: DatasetSpec): DatasetSpec {
  return { ...dataset, source: dataset.sources![0] };
}

/** Whether `view` is a case view of a dataset's source other than the first. */
export function isLaterSource(view: DatasetSpec): boolean {
  return view.sources !== undefined && view.source !== undefined && view.source !== view.sources[0] && view.source.layout.name !== view.sources[0].layout.name;
}

/** Bands along axis 0 covering the array, each at most BAND_BYTES (one index at least). */
export function bandSelections(shape: readonly number[], bytesPerElement: number): Selection[] {
  const rowBytes = (shape.slice(1).reduce((a, b) => a * b, 1) || 1) * bytesPerElement;
  const rows = Math.max(1, Math.floor(BAND_BYTES / rowBytes));
  const out: Selection[] = [];
  for (let start = 0; start < shape[0]; start += rows) {
    out.push([{ start, stop: Math.min(shape[0], start + rows), step: 1 }, ...shape.slice(1).map((n) => ({ start: 0, stop: n, step: 1 }))]);
  }
  return out;
}

/** Reads `stored` band by band through its backend, calling `each` with every band. */
async function eachBand(stored: Stored, each: (sel: Selection, data: TypedArray) => Promise<void> | void): Promise<void> {
  const reader = await backendFor(stored.layout).open(stored, { writable: false });
  try {
    for (const sel of bandSelections(stored.dataset.shape, itemSize(stored.dataset.dtype))) await each(sel, await reader.read(sel));
  } finally {
    await reader.close();
  }
}

function describe(s: DatasetSource, i: number): string {
  return `sources[${i}] "${s.layout.name}" (${s.path})`;
}

/**
 * Fails when the source of `later` holds other values than the first source (`first`), naming the
 * first differing element; a match is remembered in `later`'s entry folder until either changes.
 */
export async function compareWithFirst(later: Stored, first: Stored): Promise<void> {
  const sources = later.dataset.sources!;
  const laterSource = later.dataset.source!;
  const stamps = { first: { path: sources[0].path, ...sourceStamp(sources[0].path) }, later: { path: laterSource.path, ...sourceStamp(laterSource.path) } };
  const record = join(later.dir, COMPARED);
  try {
    if (readFileSync(record, "utf8") === JSON.stringify(stamps)) return;
  } catch {
    /* not compared yet */
  }
  const bands: TypedArray[] = [];
  await eachBand(first, (_, data) => {
    bands.push(data.slice());
  });
  let band = 0;
  let problem: string | undefined;
  await eachBand(later, (sel, data) => {
    problem ??= compareRegion(later.dataset.dtype, sel, bands[band], data);
    band++;
  });
  if (problem) {
    const i = sources.findIndex((s) => s.layout.name === laterSource.layout.name);
    throw new UserError(
      `${describe(laterSource, i)} holds other values than ${describe(sources[0], 0)}: ${problem}; the sources of one dataset must hold the same array`,
    );
  }
  writeFileSync(record, JSON.stringify(stamps));
}

/** The first source's values, for writing the scenario's layouts: `fill` reads regions; `dispose` removes the copy. */
export interface SourceValues {
  readonly fill: (sel: Selection, out: TypedArray) => void;
  dispose(): void;
}

/** Copies the first source's values (through its backend) into a raw C-order file under `root`. */
export async function firstSourceValues(root: string, first: Stored): Promise<SourceValues> {
  const path = join(root, `.values-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(path, "w+");
  try {
    let offset = 0;
    await eachBand(first, (_, data) => {
      offset += writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0, data.byteLength, offset);
    });
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  const { shape, dtype } = first.dataset;
  return {
    fill: regionReader(fd, shape, itemSize(dtype)),
    dispose() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/** Reads any box (with steps) of a raw C-order array from `fd` into `out`, one run of the last axis at a time. */
export function regionReader(fd: number, shape: readonly number[], bytesPerElement: number): (sel: Selection, out: TypedArray) => void {
  const strides = cStrides(shape);
  const last = shape.length - 1;
  return (sel, out) => {
    const counts = selectionShape(sel);
    if (counts.some((n) => n === 0)) return;
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const step = sel[last].step;
    const runBytes = ((counts[last] - 1) * step + 1) * bytesPerElement;
    const run = Buffer.allocUnsafe(runBytes);
    const coord = new Array<number>(last).fill(0);
    let at = 0;
    for (;;) {
      let element = sel[last].start;
      for (let a = 0; a < last; a++) element += (sel[a].start + coord[a] * sel[a].step) * strides[a];
      readSync(fd, run, 0, runBytes, element * bytesPerElement);
      if (step === 1) {
        bytes.set(run, at);
        at += runBytes;
      } else {
        for (let k = 0; k < counts[last]; k++, at += bytesPerElement) bytes.set(run.subarray(k * step * bytesPerElement, (k * step + 1) * bytesPerElement), at);
      }
      let a = last - 1;
      while (a >= 0 && ++coord[a] === counts[a]) coord[a--] = 0;
      if (a < 0) break;
    }
  };
}
