import { chunkFormat } from "../backends/zarr/chunk-format.ts";
import { readFileSync } from "node:fs";
const root = "datasets/cache/zarr-2552d8e6ffa06260d04b/array.zarr";
const f = chunkFormat(root, 2, "int32")!;
console.log(f.decoder, f.keyOf([3, 4]));
const enc = new Uint8Array(readFileSync(root + "/3.4"));
const scratch = new Uint8Array(1 << 20);
for (let r = 0; r < 5; r++) { const t = performance.now(); for (let i = 0; i < 20; i++) await f.decoder.decode(enc, scratch); console.log(((performance.now() - t) / 20).toFixed(3)); }
