import { hdf5Backend } from "./harness/backends/hdf5.ts";
import { mkdtempSync } from "node:fs";
for (const generator of ["smooth", "sequence", "random"] as const)
for (const dtype of ["int16", "int32", "float64", "uint8", "int64"] as const)
for (const shape of [[300], [40, 64], [10, 20, 30], [33,45]]) {
  const dataset = { name: "x", shape, dtype, generator, seed: 1 };
  const res: string[] = [];
  for (const [cname, sh] of [["lz4","byte"],["zstd","bit"],["blosclz","none"]] as const) {
    const layout = { name: "b", backend: "hdf5", chunks: shape.map(n => Math.floor(n/2)+1), codec: { name: "blosc", cname, level: 5, shuffle: sh }, shuffle: false } as const;
    const p = hdf5Backend.check(layout, dataset);
    if (p.length) { res.push("check"); continue; }
    try { await hdf5Backend.materialize({ dataset, layout, dir: mkdtempSync("/tmp/h5t/dbg/x"), progress: () => {} }); res.push("ok"); } catch (e) { res.push("FAIL"); }
  }
  console.log(generator, dtype, shape.join("x"), res.join(" "));
}
