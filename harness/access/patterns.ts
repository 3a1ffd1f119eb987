/**
 * Access patterns → lists of selections. Pure and deterministic: the same pattern (seed and name) on
 * the same array shape always yields the same selections, on every machine, so runs are comparable
 * and a baseline measured months ago read the same places.
 */
import { Prng } from "../core/hash.ts";
import { elementCount, type Selection, type Slice, selectionShape } from "../core/selection.ts";
import { MAX_SELECTIONS } from "../scenario/defaults.ts";
import type { PatternShape, PatternSpec } from "../scenario/types.ts";

/** What `patternProblem` reports: the offending field of the pattern and a one-line explanation. */
export interface PatternProblem {
  /** Relative to the pattern, e.g. `shape`, `axis`, `width`, `step`. */
  readonly field: string;
  readonly message: string;
}

const KINDS = ["full", "slices", "tiles", "points", "chunks", "strided"] as const;

/**
 * The first reason `pattern` cannot apply to an array of `shape` with `itemBytes` per element, or
 * undefined when it can. Messages state what was found and what is allowed, for the scenario loader to
 * prefix with a path. Never throws, whatever the numbers: it is how bad input is caught before
 * `expandPattern` allocates one entry per selection (so at most MAX_SELECTIONS of them).
 */
export function patternProblem(pattern: PatternShape, shape: readonly number[], itemBytes = 1): PatternProblem | undefined {
  const rank = shape.length;
  switch (pattern.kind) {
    case "full": {
      if (!(pattern.bandBytes > 0)) return { field: "bandBytes", message: `bandBytes must be a positive number of bytes, got ${pattern.bandBytes}` };
      const bands = bandCount(shape, pattern.bandBytes, itemBytes);
      if (bands > MAX_SELECTIONS) {
        return {
          field: "bandBytes",
          message: `bandBytes ${pattern.bandBytes} cuts this array into ${approx(bands)} bands; at most ${MAX_SELECTIONS} are allowed: use larger bands`,
        };
      }
      return undefined;
    }
    case "slices": {
      const { axis, width } = pattern;
      if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
        return { field: "axis", message: `axis ${axis} does not exist in a ${rank}-D array (allowed: 0..${rank - 1})` };
      }
      if (!isWhole(width)) return { field: "width", message: `width must be a whole number ≥ 1, got ${width}` };
      if (width > shape[axis]) return { field: "width", message: `width ${width} exceeds the ${shape[axis]} indices on axis ${axis}` };
      return countProblem(pattern.count);
    }
    case "tiles": {
      const bad = blockShapeProblem("tile", pattern.shape, rank);
      if (bad) return bad;
      const axis = pattern.shape.findIndex((t, i) => t > shape[i]);
      if (axis >= 0) {
        return {
          field: "shape",
          message: `tile shape ${list(pattern.shape)} does not fit array shape ${list(shape)}: ` + `each tile size must be 1..${shape[axis]} on axis ${axis}`,
        };
      }
      return countProblem(pattern.count);
    }
    case "points":
      return countProblem(pattern.count);
    case "chunks":
      // A chunk larger than the array is allowed (Zarr allows it too): it is clipped to the array.
      return blockShapeProblem("chunk", pattern.shape, rank) ?? countProblem(pattern.count);
    case "strided": {
      if (pattern.step.length !== rank) return rankProblem("step", pattern.step, rank);
      if (!pattern.step.every(isWhole)) {
        return { field: "step", message: `step ${list(pattern.step)} is invalid: each step must be a whole number ≥ 1` };
      }
      return undefined;
    }
    default: {
      const kind = (pattern as { kind: unknown }).kind;
      return { field: "kind", message: `unknown pattern kind ${JSON.stringify(kind)} (allowed: ${KINDS.join(", ")})` };
    }
  }
}

/**
 * The selections `pattern` makes on an array of `shape` with `itemBytes` per element, in the order
 * they are to be read or written. Throws a RangeError naming the problem if `patternProblem` finds one
 * (the scenario loader should have reported it to the user first).
 */
export function expandPattern(pattern: PatternSpec, shape: readonly number[], itemBytes: number): Selection[] {
  if (shape.length === 0 || !shape.every(isWhole)) {
    throw new RangeError(`array shape ${list(shape)} must have at least one axis, each a whole number ≥ 1`);
  }
  const problem = patternProblem(pattern, shape, itemBytes);
  if (problem) throw new RangeError(`pattern ${pattern.name}: ${problem.field}: ${problem.message}`);
  // The name is mixed in so two patterns sharing a seed do not read the same positions.
  const rng = new Prng(pattern.seed, pattern.name);
  switch (pattern.kind) {
    case "full": {
      const thickness = bandThickness(shape, pattern.bandBytes, itemBytes);
      const bands: Selection[] = [];
      for (let i = 0; i < shape[0]; i += thickness) bands.push(withAxis(shape, 0, i, Math.min(i + thickness, shape[0])));
      return bands;
    }
    case "slices": {
      const { axis, width, count } = pattern;
      const n = shape[axis];
      // Sequential bands repeat from 0 once the whole bands are used up; a partial last band is skipped.
      const whole = Math.floor(n / width);
      return times(count, (k) => {
        const start = pattern.order === "sequential" ? (k % whole) * width : rng.nextInt(n - width + 1);
        return withAxis(shape, axis, start, start + width);
      });
    }
    case "tiles": {
      const tile = pattern.shape;
      // The grid of whole tiles only, so every tile fits inside the array.
      const grid = shape.map((n, i) => Math.floor(n / tile[i]));
      const cells = elementCount(grid);
      return times(pattern.count, (k) => {
        let starts: number[];
        if (pattern.order === "sequential") starts = cellCoords(k % cells, grid).map((c, i) => c * tile[i]);
        else if (pattern.aligned) starts = grid.map((g, i) => rng.nextInt(g) * tile[i]);
        else starts = shape.map((n, i) => rng.nextInt(n - tile[i] + 1));
        return starts.map((s, i) => ({ start: s, stop: s + tile[i], step: 1 }));
      });
    }
    case "points":
      return times(pattern.count, () =>
        shape.map((n) => {
          const s = rng.nextInt(n);
          return { start: s, stop: s + 1, step: 1 };
        }),
      );
    case "chunks": {
      const chunk = pattern.shape;
      const grid = shape.map((n, i) => Math.ceil(n / chunk[i]));
      const cells = elementCount(grid);
      if (!Number.isSafeInteger(cells)) throw new RangeError(`chunk grid ${list(grid)} has too many cells to sample`);
      // Distinct within each pass over the grid; when count exceeds the grid, start a fresh permutation.
      const picks: number[] = [];
      while (picks.length < pattern.count) {
        for (const cell of rng.sampleDistinct(cells, Math.min(cells, pattern.count - picks.length))) picks.push(cell);
      }
      return picks.map((cell) =>
        cellCoords(cell, grid).map((c, i) => {
          const start = c * chunk[i];
          return { start, stop: Math.min(start + chunk[i], shape[i]), step: 1 };
        }),
      );
    }
    case "strided":
      return [shape.map((n, i) => ({ start: 0, stop: n, step: pattern.step[i] }))];
  }
}

/** Bytes the selections ask for: selected elements × item size (what throughput is computed from). */
export function requestedBytes(selections: readonly Selection[], itemBytes: number): number {
  let total = 0;
  for (const sel of selections) total += elementCount(selectionShape(sel));
  return total * itemBytes;
}

function isWhole(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

function list(values: readonly number[]): string {
  return `[${values.join(", ")}]`;
}

function rankProblem(field: string, values: readonly number[], rank: number): PatternProblem {
  return { field, message: `expected ${rank} number${rank === 1 ? "" : "s"} for a ${rank}-D array, got ${values.length}` };
}

function blockShapeProblem(what: string, block: readonly number[], rank: number): PatternProblem | undefined {
  if (block.length !== rank) return rankProblem("shape", block, rank);
  if (!block.every(isWhole)) {
    return { field: "shape", message: `${what} shape ${list(block)} is invalid: each ${what} size must be a whole number ≥ 1` };
  }
  return undefined;
}

function countProblem(n: number): PatternProblem | undefined {
  if (!isWhole(n)) return { field: "count", message: `count must be a whole number ≥ 1, got ${n}` };
  if (n > MAX_SELECTIONS) return { field: "count", message: `count ${n} is more than the ${MAX_SELECTIONS} selections a pattern may make` };
  return undefined;
}

/** Rows of axis 0 per band of a full scan: as many as fit in bandBytes, but at least one. */
function bandThickness(shape: readonly number[], bandBytes: number, itemBytes: number): number {
  const rowBytes = elementCount(shape.slice(1)) * itemBytes;
  return Math.max(1, Math.floor(bandBytes / rowBytes));
}

function bandCount(shape: readonly number[], bandBytes: number, itemBytes: number): number {
  return Math.ceil(shape[0] / bandThickness(shape, bandBytes, itemBytes));
}

/** A count for a message: exact while it is, rounded beyond 2^53. */
function approx(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : `about ${n.toPrecision(3)}`;
}

/** The whole array except [start, stop) on `axis`. */
function withAxis(shape: readonly number[], axis: number, start: number, stop: number): Selection {
  return shape.map((n, i): Slice => (i === axis ? { start, stop, step: 1 } : { start: 0, stop: n, step: 1 }));
}

/** C-order coordinates of cell number `index` in a grid of `grid` cells per axis. */
function cellCoords(index: number, grid: readonly number[]): number[] {
  const coords = new Array<number>(grid.length);
  for (let i = grid.length - 1; i >= 0; i--) {
    coords[i] = index % grid[i];
    index = Math.floor(index / grid[i]);
  }
  return coords;
}

function times<T>(count: number, make: (k: number) => T): T[] {
  const out = new Array<T>(count);
  for (let k = 0; k < count; k++) out[k] = make(k);
  return out;
}
