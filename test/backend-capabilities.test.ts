/**
 * The backends' optional capabilities, as the rest of the harness reaches them: through the
 * registry and requireCapability, never by a backend's name.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { backendFor, backendForSource, describeLayout } from "../harness/backends/registry.ts";
import { type Backend, requireCapability, type Stored, UnsupportedCapabilityError } from "../harness/backends/types.ts";
import type { DatasetSpec, LayoutSpec } from "../harness/scenario/types.ts";

const DATASET: DatasetSpec = { name: "d", shape: [8, 4], dtype: "int16", generator: "sequence", seed: 1 };
const LAYOUTS: readonly LayoutSpec[] = [
  { name: "npy", backend: "memmap", advice: "random", order: "F" },
  { name: "z", backend: "zarr", format: 3, chunks: [4, 2], shards: [8, 4], codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "bit" } },
  { name: "h", backend: "hdf5", chunks: null, codec: { name: "none" }, shuffle: false },
  { name: "hc", backend: "hdf5", chunks: [2, 2], codec: { name: "gzip", level: 4 }, shuffle: true },
];

describe("backend capabilities", () => {
  test("requireCapability names the backend and the missing capability", () => {
    const bare = {
      name: "memmap",
      check: () => [],
      materialize: async () => {},
      files: async () => [],
      open: async () => {
        throw new Error("unused");
      },
    } as Backend;
    assert.throws(
      () => requireCapability(bare, "probeSource"),
      (err: unknown) => {
        assert.ok(err instanceof UnsupportedCapabilityError);
        assert.equal((err as Error).message, "the memmap backend does not support probeSource");
        assert.equal((err as UnsupportedCapabilityError).capability, "probeSource");
        return true;
      },
    );
    assert.doesNotThrow(() => requireCapability(backendFor(LAYOUTS[0]), "probeSource"));
  });

  test("each source format is read by the backend of that format", () => {
    assert.deepEqual(
      (["npy", "zarr", "hdf5"] as const).map((f) => backendForSource(f).name),
      ["memmap", "zarr", "hdf5"],
    );
  });

  test("locate: the file or folder under the entry that other readers open", () => {
    const dir = "/cache/entry";
    const located = LAYOUTS.slice(0, 3).map((layout) => {
      const backend = backendFor(layout);
      requireCapability(backend, "locate");
      return backend.locate({ dir, dataset: DATASET, layout } as Stored);
    });
    assert.deepEqual(located, [{ path: join(dir, "data.npy") }, { path: join(dir, "array.zarr") }, { path: join(dir, "data.h5"), datasetPath: "/data" }]);
    const source = { ...DATASET, generator: "file" as const, source: { path: "/x.h5", format: "hdf5" as const, dataset: "/group/temps", layout: LAYOUTS[2] } };
    const hdf5 = backendFor(LAYOUTS[2]);
    requireCapability(hdf5, "locate");
    assert.equal(hdf5.locate({ dir, dataset: source, layout: LAYOUTS[2] } as Stored).datasetPath, "/group/temps");
  });

  test("describe: one line per layout, everything but its name", () => {
    assert.deepEqual(LAYOUTS.map(describeLayout), [
      "memmap (.npy), F order, advice random",
      "zarr v3, chunks 4×2, shards 8×4, blosc lz4 5 (bit shuffle)",
      "hdf5, contiguous, uncompressed",
      "hdf5, chunks 2×2, gzip 4, shuffle",
    ]);
  });
});
