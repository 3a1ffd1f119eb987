import { readFileSync } from "node:fs";
import { decodeLz4Block } from "../backends/zarr/lz4-blosc.ts";
const src = new Uint8Array(readFileSync("datasets/cache/zarr-2552d8e6ffa06260d04b/array.zarr/3.4"));
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const tmp = new Uint8Array(1 << 20);
const streams: [number, number][] = [];
for (let j = 0; j < 4; j++) { let ip = u32(src, 16 + 4 * j); for (let s = 0; s < 4; s++) { const cs = u32(src, ip); ip += 4; streams.push([ip, cs]); ip += cs; } }
function best(f: () => void, n = 200) { let m = Infinity; for (let b = 0; b < 10; b++) { const t = performance.now(); for (let i = 0; i < n; i++) f(); m = Math.min(m, (performance.now() - t) / n); } return (m * 1000).toFixed(1) + "us"; }
for (let s = 0; s < 4; s++) console.log("stream", s, best(() => decodeLz4Block(src, streams[s][0], streams[s][0] + streams[s][1], tmp, 0, 65536)));
