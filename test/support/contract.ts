/**
 * The backend contract suite: one set of node:test tests that every backend must pass on tiny
 * datasets of rank 1–4 and every dtype, with shapes that do not divide typical chunk sizes. It goes
 * through the whole life of a layout: materialize → files → open → read (full, boxes, strided,
 * points) → close → evict → residency ≈ 0 → reopen cold → read → write → flush → reopen → read.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Backend, Reader, Stored } from "../../harness/backends/types.ts";
import { evictFiles } from "../../harness/cache/evict.ts";
import { probeEviction } from "../../harness/cache/probe.ts";
import { residency } from "../../harness/cache/residency.ts";
import { DTYPES, type Dtype, itemSize, type TypedArray } from "../../harness/core/dtype.ts";
import { cStrides, elementCount, formatSelection, fullSelection, type Selection, selectionShape, slice } from "../../harness/core/selection.ts";
import { generateRegion, verifyRegion } from "../../harness/data/generate.ts";
import { OutputPool } from "../../harness/engines/output-pool.ts";
import type { DatasetSpec, EvictionMethod, GeneratorKind, LayoutSpec } from "../../harness/scenario/types.ts";

/** Shapes of rank 1–4 that no typical chunk shape divides. */
export const CONTRACT_SHAPES: readonly (readonly number[])[] = [[37], [33, 45], [9, 10, 11], [5, 6, 7, 3]];

/** Most resident share accepted after eviction (a stray page on large files). */
const MAX_RESIDENT_AFTER_EVICTION = 0.02;

export interface ContractOptions<L extends LayoutSpec> {
  /** The layouts to test for one dataset; lets a caller adapt chunk shapes to the dataset's rank. */
  readonly layoutsFor?: (dataset: DatasetSpec, layouts: readonly L[]) => readonly L[];
  readonly dtypes?: readonly Dtype[];
  readonly shapes?: readonly (readonly number[])[];
  readonly generator?: GeneratorKind;
  readonly eviction?: EvictionMethod;
  /** Test writes through `open(..., { writable: true })` when the reader has `write` (default true). */
  readonly writes?: boolean;
}

/** A fresh directory for test files on the disk holding the dataset cache (eviction works there). */
export function makeTestDir(prefix: string): string {
  const root = fileURLToPath(new URL("../../datasets/cache/test-tmp/", import.meta.url));
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${prefix}-`));
}

/** Registers the contract tests for `backend` under one `describe` block. */
/** Materializes `dataset` as `layout` into `root/name` and returns it as stored. */
export async function materializeInto<L extends LayoutSpec>(
  backend: Backend<L>,
  root: string,
  dataset: DatasetSpec,
  layout: L,
  name: string,
): Promise<Stored<L>> {
  const stored = { dir: join(root, name), dataset, layout };
  mkdirSync(stored.dir, { recursive: true });
  await backend.materialize({ dataset, layout, dir: stored.dir, progress: () => {} });
  return stored;
}

export function runBackendContract<L extends LayoutSpec>(backend: Backend<L>, layouts: readonly L[], options: ContractOptions<L> = {}): void {
  const layoutsFor = options.layoutsFor ?? ((_dataset: DatasetSpec, all: readonly L[]) => all);
  const method = options.eviction ?? "fadvise";
  const datasets = (options.shapes ?? CONTRACT_SHAPES).flatMap((shape, i) =>
    (options.dtypes ?? DTYPES).map(
      (dtype, j): DatasetSpec => ({
        name: `${dtype}-${shape.join("x")}`,
        shape,
        dtype,
        generator: options.generator ?? "random",
        seed: 1000 + 17 * i + j,
      }),
    ),
  );

  describe(`${backend.name} backend contract`, () => {
    let root = "";
    let evictionVerified = false;
    let evictionDetail = "";
    before(() => {
      root = makeTestDir(`contract-${backend.name}`);
      const probe = probeEviction(root, method);
      evictionVerified = probe.verified;
      evictionDetail = probe.detail;
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    for (const dataset of datasets) {
      for (const layout of layoutsFor(dataset, layouts)) {
        test(`${layout.name} ${dataset.dtype} [${dataset.shape.join(", ")}]`, async (t) => {
          const problems = backend.check(layout, dataset);
          if (problems.length > 0) {
            t.skip(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
            return;
          }
          const dir = mkdtempSync(join(root, `${dataset.name}-`));
          const stored: Stored<L> = { dir, dataset, layout };
          let last = [-1, -1];
          await backend.materialize({ dataset, layout, dir, progress: (done, total) => (last = [done, total]) });
          const logical = elementCount(dataset.shape) * itemSize(dataset.dtype);
          assert.deepEqual(last, [logical, logical], "the last progress call reports every logical byte done");

          const files = await backend.files(stored);
          assert.ok(files.length > 0, "files() lists at least one file");
          for (const f of files) {
            assert.ok(isAbsolute(f), `files() returns absolute paths: ${f}`);
            assert.ok(statSync(f).size > 0, `${f} is not empty`);
          }

          const selections = contractSelections(dataset.shape);
          await readAll(await backend.open(stored, { writable: false }), dataset, selections);

          await evictFiles(files, method);
          const resident = residency(files);
          await t.test("no page stays resident after close + eviction", (st) => {
            if (!evictionVerified) return st.skip(`eviction does not work here: ${evictionDetail}`);
            assert.ok(
              resident.fraction <= MAX_RESIDENT_AFTER_EVICTION,
              `after close + eviction ${resident.residentPages} of ${resident.totalPages} pages are still resident (is a handle or mapping left open?)`,
            );
          });
          await readAll(await backend.open(stored, { writable: false }), dataset, selections);

          if (options.writes ?? true) await checkWrites(t, backend, stored);
          rmSync(dir, { recursive: true, force: true });
        });
      }
    }
  });
}

/**
 * Reads every selection twice, verifying each against the generator: into a fresh array, then as
 * the js engine does, into a buffer of its output pool (every dtype, 64-bit integers included),
 * first filled with other bytes so a read that leaves elements unwritten cannot pass. Closes the reader.
 */
async function readAll(reader: Reader, dataset: DatasetSpec, selections: readonly Selection[]): Promise<void> {
  const pool = new OutputPool();
  try {
    for (const sel of selections) {
      const actual = await reader.read(sel);
      assert.equal(verifyRegion(dataset, sel, actual), undefined, `read ${formatSelection(sel)}`);
      const out = pool.get(dataset.dtype, elementCount(selectionShape(sel)));
      new Uint8Array(out.buffer, out.byteOffset, out.byteLength).fill(0xa5);
      const pooled = await reader.read(sel, out);
      assert.equal(verifyRegion(dataset, sel, pooled), undefined, `read ${formatSelection(sel)} into an output buffer`);
    }
  } finally {
    await reader.close();
  }
}

async function checkWrites<L extends LayoutSpec>(t: TestContext, backend: Backend<L>, stored: Stored<L>): Promise<void> {
  const { dataset } = stored;
  const writer = await backend.open(stored, { writable: true });
  if (typeof writer.write !== "function") {
    await writer.close();
    await t.test("writes", (st) => st.skip(`${backend.name}: readers cannot write`));
    return;
  }
  // Values from another seed, so a write that does nothing cannot pass.
  const other: DatasetSpec = { ...dataset, seed: dataset.seed + 1 };
  const shape = dataset.shape;
  const box = shape.map((n) => slice(Math.floor(n / 3), Math.max(Math.floor(n / 3) + 1, n - 1)));
  const strided = shape.map((n) => slice(0, n, 2));
  const expected = generateRegion(dataset, fullSelection(shape));
  try {
    for (const sel of [box, strided]) {
      const values = generateRegion(other, sel);
      await writer.write(sel, values);
      scatter(expected, shape, sel, values);
      assert.equal(verifyRegion(other, sel, await writer.read(sel)), undefined, `read back own write ${formatSelection(sel)}`);
    }
    await writer.flush?.();
  } finally {
    await writer.close();
  }
  const reader = await backend.open(stored, { writable: false });
  try {
    const full = await reader.read(fullSelection(shape));
    assert.ok(
      Buffer.from(full.buffer, full.byteOffset, full.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)),
      "after write + flush + reopen the array holds the written values and nothing else changed",
    );
  } finally {
    await reader.close();
  }
}

/** Puts `values` (C order of the selection) into `target` (C order of `shape`) at `sel`. */
function scatter(target: TypedArray, shape: readonly number[], sel: Selection, values: TypedArray): void {
  const strides = cStrides(shape);
  const counts = selectionShape(sel);
  const index = counts.map(() => 0);
  for (let k = 0; k < values.length; k++) {
    const flat = index.reduce((acc, c, a) => acc + (sel[a].start + c * sel[a].step) * strides[a], 0);
    (target as unknown as (number | bigint)[])[flat] = values[k];
    for (let a = counts.length - 1; a >= 0 && ++index[a] === counts[a]; a--) index[a] = 0;
  }
}

/**
 * Full array, boxes (halves, interior, last hyperplane, one index of the last axis), strided
 * selections with different steps and offsets, and single points: corners and the middle.
 */
export function contractSelections(shape: readonly number[]): Selection[] {
  const n = shape;
  return [
    fullSelection(n),
    n.map((d) => slice(0, Math.ceil(d / 2))),
    n.map((d) => (d > 2 ? slice(1, d - 1) : slice(0, d))),
    n.map((d, a) => (a === 0 ? slice(d - 1, d) : slice(0, d))),
    n.map((d, a) => (a === n.length - 1 ? slice(d >> 1, (d >> 1) + 1) : slice(0, d))),
    n.map((d) => slice(0, d, 2)),
    n.map((d) => slice(1, d, 3)),
    n.map((d, a) => slice(a % 2, d, a + 2)),
    n.map(() => slice(0, 1)),
    n.map((d) => slice(d - 1, d)),
    n.map((d) => slice(d >> 1, (d >> 1) + 1)),
  ];
}
