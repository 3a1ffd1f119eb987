import { readFileSync } from "node:fs";
import { decodeBlosc, decodeLz4Block } from "../backends/zarr/lz4-blosc.ts";
const dir = process.argv[2];
const src = new Uint8Array(readFileSync(dir + "/3.4"));
const dst = new Uint8Array(1 << 20), tmp = new Uint8Array(1 << 20);
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
function best(f: () => void, n = 40) { let m = Infinity; for (let b = 0; b < 8; b++) { const t = performance.now(); for (let i = 0; i < n; i++) f(); m = Math.min(m, (performance.now() - t) / n); } return m.toFixed(3); }
console.log("full", best(() => decodeBlosc(src, dst, tmp)));
console.log("lz4", best(() => { for (let j = 0; j < 4; j++) { let ip = u32(src, 16 + 4 * j); for (let s = 0; s < 4; s++) { const cs = u32(src, ip); ip += 4; if (cs === 65536) tmp.set(src.subarray(ip, ip+cs), s*65536); else decodeLz4Block(src, ip, ip + cs, tmp, s * 65536, 65536); ip += cs; } } }));
console.log("memcpy 1MiB", best(() => dst.set(tmp)));
