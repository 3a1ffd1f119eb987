/**
 * Reads what an existing Zarr array folder holds (format 2 or 3): shape, dtype and its chunks,
 * shards and codec as an "as-is" layout, from its metadata only.
 */
import { readdirSync, readFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { dtypeFromNumpyDescr, isDtype } from "../../core/dtype.ts";
import { AS_IS_LAYOUT, type CodecSpec } from "../../scenario/types.ts";
import { bloscCodec, SHUFFLE_NAMES, type SourceInfo, SourceProblem, SUPPORTED_DTYPES } from "../source-probe.ts";

function readJson(path: string, shown: string): Record<string, any> {
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    /* reported below */
  }
  throw new SourceProblem(`${shown} is not a JSON object`);
}

const sizes = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= 1);

export function probeZarr(path: string, shown: string, st: Stats): SourceInfo {
  if (!st.isDirectory()) throw new SourceProblem(`${shown} is not a folder; format zarr expects a Zarr array folder (with zarr.json or .zarray)`);
  const names = new Set(readdirSync(path));
  if (names.has("zarr.json")) {
    const meta = readJson(join(path, "zarr.json"), join(shown, "zarr.json"));
    const where = join(shown, "zarr.json");
    if (meta.node_type !== "array")
      throw new SourceProblem(`${where}: node_type is ${JSON.stringify(meta.node_type)}; point source.path at an array, not a group`);
    if (!isDtype(meta.data_type))
      throw new SourceProblem(`${where}: data_type ${JSON.stringify(meta.data_type)} is not one layoutbench reads (${SUPPORTED_DTYPES})`);
    const grid = meta.chunk_grid?.configuration?.chunk_shape;
    if (!sizes(meta.shape) || !sizes(grid))
      throw new SourceProblem(`${where}: shape or chunk_grid.configuration.chunk_shape is missing or not a list of sizes`);
    const codecs: any[] = Array.isArray(meta.codecs) ? meta.codecs : [];
    const sharding = codecs.find((c) => c?.name === "sharding_indexed");
    const inner = sharding?.configuration?.chunk_shape;
    if (sharding && !sizes(inner)) throw new SourceProblem(`${where}: sharding_indexed has no chunk_shape`);
    const codec = v3Codec(sharding ? (sharding.configuration.codecs ?? []) : codecs, where);
    return {
      shape: meta.shape,
      dtype: meta.data_type,
      layout: { name: AS_IS_LAYOUT, backend: "zarr", format: 3, chunks: sharding ? inner : grid, shards: sharding ? grid : null, codec },
    };
  }
  if (names.has(".zarray")) {
    const where = join(shown, ".zarray");
    const meta = readJson(join(path, ".zarray"), where);
    const dtype = typeof meta.dtype === "string" ? dtypeFromNumpyDescr(meta.dtype) : undefined;
    if (!dtype) throw new SourceProblem(`${where}: dtype ${JSON.stringify(meta.dtype)} is not one layoutbench reads (${SUPPORTED_DTYPES}, little-endian)`);
    if (!sizes(meta.shape) || !sizes(meta.chunks)) throw new SourceProblem(`${where}: shape or chunks is missing or not a list of sizes`);
    if (Array.isArray(meta.filters) && meta.filters.length > 0) {
      throw new SourceProblem(`${where}: filters ${meta.filters.map((f: any) => f?.id).join(", ")} are not supported (only a compressor)`);
    }
    return {
      shape: meta.shape,
      dtype,
      layout: { name: AS_IS_LAYOUT, backend: "zarr", format: 2, chunks: meta.chunks, shards: null, codec: v2Codec(meta.compressor, where) },
    };
  }
  throw new SourceProblem(`${shown} is not a Zarr array folder: it has neither zarr.json (format 3) nor .zarray (format 2)`);
}

const V3_SHUFFLE: Record<string, "none" | "byte" | "bit"> = { noshuffle: "none", shuffle: "byte", bitshuffle: "bit" };

function v2Codec(c: any, where: string): CodecSpec {
  if (c === null || c === undefined) return { name: "none" };
  const level = typeof c.level === "number" ? c.level : 1;
  switch (c.id) {
    case "gzip":
      return { name: "gzip", level };
    case "zstd":
      return { name: "zstd", level };
    case "lz4":
      return { name: "lz4", level: typeof c.acceleration === "number" ? c.acceleration : 1 };
    case "blosc":
      return bloscCodec(c.cname, c.clevel, SHUFFLE_NAMES[c.shuffle as 0 | 1 | 2], where);
  }
  throw new SourceProblem(`${where}: compressor ${JSON.stringify(c.id)} is not supported (gzip, zstd, lz4, blosc)`);
}

function v3Codec(codecs: any[], where: string): CodecSpec {
  for (const c of codecs) {
    const conf = c?.configuration ?? {};
    switch (c?.name) {
      case "bytes":
      case "transpose":
      case "crc32c":
        continue;
      case "gzip":
      case "numcodecs.gzip":
        return { name: "gzip", level: conf.level ?? 1 };
      case "zstd":
      case "numcodecs.zstd":
        return { name: "zstd", level: conf.level ?? 3 };
      case "numcodecs.lz4":
        return { name: "lz4", level: conf.acceleration ?? 1 };
      case "blosc":
      case "numcodecs.blosc":
        return bloscCodec(conf.cname, conf.clevel, V3_SHUFFLE[conf.shuffle], where);
      default:
        throw new SourceProblem(`${where}: codec ${JSON.stringify(c?.name)} is not supported (gzip, zstd, numcodecs.lz4, blosc)`);
    }
  }
  return { name: "none" };
}
