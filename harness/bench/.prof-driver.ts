// temporary profiling driver (deleted after use)
import { defaultCacheRoot } from "../paths.ts";
import { ensureMaterialized } from "../data/materialize.ts";
import { backendFor } from "../backends/registry.ts";
import { slice } from "../access/selection.ts";
import type { LayoutSpec, DatasetSpec } from "../scenario/types.ts";
const DATASET: DatasetSpec = { name: "read-paths", shape: [4096, 4096], dtype: "int32", generator: "smooth", seed: 7 };
const layouts: Record<string, LayoutSpec> = {
  none: { name: "zarr v2 512² none", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "none" } },
  blosc: { name: "b", backend: "zarr", format: 2, chunks: [512, 512], shards: null, codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" } },
  h5c: { name: "c", backend: "hdf5", chunks: null, codec: { name: "none" }, shuffle: false },
  h5gz: { name: "g", backend: "hdf5", chunks: [512, 512], codec: { name: "gzip", level: 1 }, shuffle: false },
};
const [which, pattern, reps] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 5)];
const layout = layouts[which];
const { stored } = await ensureMaterialized(defaultCacheRoot(), DATASET, layout);
const backend = backendFor(layout);
const r = await backend.open(stored, { writable: false });
const sels = pattern === "full" ? [[slice(0, 4096), slice(0, 4096)]]
  : pattern === "column" ? [[slice(0, 4096), slice(2345, 2346)]]
  : pattern === "row" ? [[slice(1234, 1235), slice(0, 4096)]]
  : Array.from({ length: 200 }, (_, k) => [slice((k * 997) % 4096, (k * 997) % 4096 + 1), slice((k * 331) % 4096, (k * 331) % 4096 + 1)]);
for (let i = 0; i < reps; i++) {
  const t = performance.now();
  for (const s of sels) await r.read(s);
  console.log(which, pattern, (performance.now() - t).toFixed(1));
}
await r.close();
