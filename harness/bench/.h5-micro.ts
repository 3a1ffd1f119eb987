import { join } from "node:path";
import { defaultCacheRoot } from "../paths.ts";
import { ensureMaterialized } from "../data/materialize.ts";
import { h5, openFile, capturingStderr } from "../backends/hdf5/library.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";
const DATASET: DatasetSpec = { name: "read-paths", shape: [4096, 4096], dtype: "int32", generator: "smooth", seed: 7 };
const layout: LayoutSpec = { name: "c", backend: "hdf5", chunks: null, codec: { name: "none" }, shuffle: false };
const { stored } = await ensureMaterialized(defaultCacheRoot(), DATASET, layout);
const m = await h5();
const f = openFile(m, join(stored.dir, "data.h5"), "r");
const ptr = m._malloc(16);
function best(label: string, fn: (i: number) => void, n = 2000) { let b = Infinity; for (let r = 0; r < 5; r++) { const t = performance.now(); for (let i = 0; i < n; i++) fn(i); b = Math.min(b, (performance.now() - t) / n); } console.log(label, (b * 1000).toFixed(1), "us"); }
const one = [1n, 1n], st = [1n, 1n];
best("get_dataset_data", (i) => m.get_dataset_data(f.file_id, "/data", one, [BigInt((i * 997) % 4096), BigInt((i * 331) % 4096)], st, BigInt(ptr)));
best("get_dataset_data+capture", (i) => capturingStderr(m, () => m.get_dataset_data(f.file_id, "/data", one, [BigInt((i * 997) % 4096), BigInt((i * 331) % 4096)], st, BigInt(ptr))));
best("malloc/free", () => { const p = m._malloc(4); m._free(p); });
best("get_type", () => m.get_type(f.file_id, "/data"));
best("metadata", () => m.get_dataset_metadata(f.file_id, "/data"));
best("refresh_dataset", () => m.refresh_dataset(f.file_id, "/data"));
import { hdf5Backend } from "../backends/hdf5.ts";
import { slice } from "../access/selection.ts";
const r = await hdf5Backend.open(stored as never, { writable: false });
const sels = Array.from({ length: 200 }, (_, k) => [slice((k * 997) % 4096, (k * 997) % 4096 + 1), slice((k * 331) % 4096, (k * 331) % 4096 + 1)]);
for (let rep = 0; rep < 5; rep++) { const t = performance.now(); for (const s of sels) await r.read(s); console.log("reader 200 points", (performance.now() - t).toFixed(2), "ms"); }
const row = [slice(1234, 1235), slice(0, 4096)];
for (let rep = 0; rep < 3; rep++) { const t = performance.now(); await r.read(row); console.log("row", (performance.now() - t).toFixed(3), "ms"); }
await r.read([slice(0, 4096), slice(0, 4096)]);
for (let rep = 0; rep < 3; rep++) { const t = performance.now(); await r.read(row); console.log("row after full", (performance.now() - t).toFixed(3), "ms"); }
for (let rep = 0; rep < 3; rep++) { const t = performance.now(); for (const s of sels) await r.read(s); console.log("points after full", (performance.now() - t).toFixed(2), "ms"); }
const r2 = await hdf5Backend.open(stored as never, { writable: false });
for (let rep = 0; rep < 3; rep++) { const t = performance.now(); for (const s of sels) await r2.read(s); console.log("points new reader", (performance.now() - t).toFixed(2), "ms"); }
for (let rep = 0; rep < 3; rep++) { const t = performance.now(); await r2.read(row); console.log("row new reader", (performance.now() - t).toFixed(3), "ms"); }
