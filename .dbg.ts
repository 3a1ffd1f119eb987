import { hdf5Backend } from "./harness/backends/hdf5.ts";
const dataset = { name: "x", shape: [33, 45], dtype: "int32", generator: "random", seed: 1 } as const;
const layout = { name: "b", backend: "hdf5", chunks: [17, 23], codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" }, shuffle: false } as const;
await hdf5Backend.materialize({ dataset, layout, dir: "/tmp/h5t/dbg", progress: (d, t) => console.log("progress", d, t) });
