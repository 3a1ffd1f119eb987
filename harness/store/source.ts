/**
 * Bring-your-own data: reads what an existing `.npy` file, HDF5 dataset or Zarr array holds (shape,
 * dtype, and its storage parameters as an "as-is" layout) without reading or changing its values.
 *
 * Synchronous, so scenario loading stays synchronous: HDF5 headers are read through h5wasm, which
 * loads asynchronously, so a scenario with an hdf5 source is loaded with `loadScenarioAsync`
 * (it calls {@link loadSourceReaders} first); the sync path throws {@link NeedsHdf5} instead.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { npyHeaderLength, NPY_PREFIX_BYTES, parseNpyHeader } from "../backends/npy.ts";
import { closeFile, DATASET_PATH, h5, openFile } from "../backends/hdf5/library.ts";
import { DTYPES, dtypeFromNumpyDescr, isDtype, itemSize, type Dtype } from "../core/dtype.ts";
import type { CodecSpec, LayoutSpec, SourceFormat } from "../scenario/types.ts";
import { AS_IS_LAYOUT } from "../scenario/types.ts";

/** What a source holds, read from its header or metadata. */
export interface SourceInfo {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly layout: LayoutSpec;
}

/** A source that cannot be benchmarked; `message` is one line naming the file. */
export class SourceProblem extends Error {}

/** Thrown by the sync probe for an hdf5 source before {@link loadSourceReaders} has run. */
export class NeedsHdf5 extends Error {
  constructor() {
    super("an hdf5 source needs h5wasm: load the scenario with loadScenarioAsync");
  }
}

type H5Module = Awaited<ReturnType<typeof h5>>;
let hdf5: H5Module | undefined;

/** Loads h5wasm so hdf5 sources can be probed synchronously (seconds; only when one is used). */
export async function loadSourceReaders(): Promise<void> {
  hdf5 ??= await h5();
}

const SUPPORTED = `supported: ${DTYPES.join(", ")}`;

/** Shape, dtype and as-is layout of the source at `path` (`shown` is the path used in messages). */
export function probeSource(path: string, shown: string, format: SourceFormat, datasetPath?: string): SourceInfo {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceProblem(code === "ENOENT" ? `no such file or folder: ${shown}` : `cannot read ${shown} (${code ?? (err as Error).message})`);
  }
  const info = format === "npy" ? probeNpy(path, shown, st)
    : format === "zarr" ? probeZarr(path, shown, st)
    : probeHdf5(path, shown, st, datasetPath ?? DATASET_PATH);
  checkShape(shown, info.shape);
  return info;
}

function checkShape(shown: string, shape: readonly number[]): void {
  if (shape.length < 1 || shape.length > 4) {
    throw new SourceProblem(`${shown} holds a ${shape.length}-D array; layoutbench reads 1 to 4 dimensions`);
  }
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new SourceProblem(`${shown} holds an array of shape [${shape.join(", ")}]; every axis needs at least one element`);
  }
}

function probeNpy(path: string, shown: string, st: Stats): SourceInfo {
  if (!st.isFile()) throw new SourceProblem(`${shown} is not a file; format npy expects a .npy file`);
  const fd = openSync(path, "r");
  try {
    const prefix = Buffer.alloc(NPY_PREFIX_BYTES);
    const got = readSync(fd, prefix, 0, prefix.length, 0);
    let header;
    try {
      const bytes = Buffer.alloc(npyHeaderLength(prefix.subarray(0, got)));
      readSync(fd, bytes, 0, bytes.length, 0);
      header = parseNpyHeader(bytes);
    } catch (err) {
      throw new SourceProblem(`${shown} is not a readable .npy file: ${(err as Error).message}`);
    }
    if (!header.dtype) throw new SourceProblem(`${shown} holds dtype '${header.descr}', which layoutbench cannot read (${SUPPORTED}, little-endian)`);
    const needed = header.dataOffset + header.shape.reduce((a, b) => a * b, 1) * itemSize(header.dtype);
    if (st.size < needed) throw new SourceProblem(`${shown} has ${st.size} bytes, its header promises ${needed}: the file is truncated`);
    return {
      shape: header.shape, dtype: header.dtype,
      layout: { name: AS_IS_LAYOUT, backend: "memmap", advice: "normal", order: header.fortranOrder ? "F" : "C" },
    };
  } finally {
    closeSync(fd);
  }
}

function readJson(path: string, shown: string): Record<string, any> {
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch { /* reported below */ }
  throw new SourceProblem(`${shown} is not a JSON object`);
}

const sizes = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= 1);

function probeZarr(path: string, shown: string, st: Stats): SourceInfo {
  if (!st.isDirectory()) throw new SourceProblem(`${shown} is not a folder; format zarr expects a Zarr array folder (with zarr.json or .zarray)`);
  const names = new Set(readdirSync(path));
  if (names.has("zarr.json")) {
    const meta = readJson(join(path, "zarr.json"), join(shown, "zarr.json"));
    const where = join(shown, "zarr.json");
    if (meta.node_type !== "array") throw new SourceProblem(`${where}: node_type is ${JSON.stringify(meta.node_type)}; point source.path at an array, not a group`);
    if (!isDtype(meta.data_type)) throw new SourceProblem(`${where}: data_type ${JSON.stringify(meta.data_type)} is not one layoutbench reads (${SUPPORTED})`);
    const grid = meta.chunk_grid?.configuration?.chunk_shape;
    if (!sizes(meta.shape) || !sizes(grid)) throw new SourceProblem(`${where}: shape or chunk_grid.configuration.chunk_shape is missing or not a list of sizes`);
    const codecs: any[] = Array.isArray(meta.codecs) ? meta.codecs : [];
    const sharding = codecs.find((c) => c?.name === "sharding_indexed");
    const inner = sharding?.configuration?.chunk_shape;
    if (sharding && !sizes(inner)) throw new SourceProblem(`${where}: sharding_indexed has no chunk_shape`);
    const codec = v3Codec(sharding ? sharding.configuration.codecs ?? [] : codecs, where);
    return {
      shape: meta.shape, dtype: meta.data_type,
      layout: { name: AS_IS_LAYOUT, backend: "zarr", format: 3, chunks: sharding ? inner : grid, shards: sharding ? grid : null, codec },
    };
  }
  if (names.has(".zarray")) {
    const where = join(shown, ".zarray");
    const meta = readJson(join(path, ".zarray"), where);
    const dtype = typeof meta.dtype === "string" ? dtypeFromNumpyDescr(meta.dtype) : undefined;
    if (!dtype) throw new SourceProblem(`${where}: dtype ${JSON.stringify(meta.dtype)} is not one layoutbench reads (${SUPPORTED}, little-endian)`);
    if (!sizes(meta.shape) || !sizes(meta.chunks)) throw new SourceProblem(`${where}: shape or chunks is missing or not a list of sizes`);
    if (Array.isArray(meta.filters) && meta.filters.length > 0) {
      throw new SourceProblem(`${where}: filters ${meta.filters.map((f: any) => f?.id).join(", ")} are not supported (only a compressor)`);
    }
    return {
      shape: meta.shape, dtype,
      layout: { name: AS_IS_LAYOUT, backend: "zarr", format: 2, chunks: meta.chunks, shards: null, codec: v2Codec(meta.compressor, where) },
    };
  }
  throw new SourceProblem(`${shown} is not a Zarr array folder: it has neither zarr.json (format 3) nor .zarray (format 2)`);
}

const SHUFFLE_NAMES = ["none", "byte", "bit"] as const;
const V3_SHUFFLE: Record<string, "none" | "byte" | "bit"> = { noshuffle: "none", shuffle: "byte", bitshuffle: "bit" };

function bloscCodec(cname: unknown, level: unknown, shuffle: "none" | "byte" | "bit" | undefined, where: string): CodecSpec {
  if (cname !== "lz4" && cname !== "zstd" && cname !== "blosclz") throw new SourceProblem(`${where}: blosc cname ${JSON.stringify(cname)} is not supported (lz4, zstd, blosclz)`);
  return { name: "blosc", cname, level: typeof level === "number" ? level : 5, shuffle: shuffle ?? "byte" };
}

function v2Codec(c: any, where: string): CodecSpec {
  if (c === null || c === undefined) return { name: "none" };
  const level = typeof c.level === "number" ? c.level : 1;
  switch (c.id) {
    case "gzip": return { name: "gzip", level };
    case "zstd": return { name: "zstd", level };
    case "lz4": return { name: "lz4", level: typeof c.acceleration === "number" ? c.acceleration : 1 };
    case "blosc": return bloscCodec(c.cname, c.clevel, SHUFFLE_NAMES[c.shuffle as 0 | 1 | 2], where);
  }
  throw new SourceProblem(`${where}: compressor ${JSON.stringify(c.id)} is not supported (gzip, zstd, lz4, blosc)`);
}

function v3Codec(codecs: any[], where: string): CodecSpec {
  for (const c of codecs) {
    const conf = c?.configuration ?? {};
    switch (c?.name) {
      case "bytes": case "transpose": case "crc32c": continue;
      case "gzip": case "numcodecs.gzip": return { name: "gzip", level: conf.level ?? 1 };
      case "zstd": case "numcodecs.zstd": return { name: "zstd", level: conf.level ?? 3 };
      case "numcodecs.lz4": return { name: "lz4", level: conf.acceleration ?? 1 };
      case "blosc": case "numcodecs.blosc": return bloscCodec(conf.cname, conf.clevel, V3_SHUFFLE[conf.shuffle], where);
      default: throw new SourceProblem(`${where}: codec ${JSON.stringify(c?.name)} is not supported (gzip, zstd, numcodecs.lz4, blosc)`);
    }
  }
  return { name: "none" };
}

/** HDF5 type classes (H5T_class_t) h5wasm reports in `type`. */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

function probeHdf5(path: string, shown: string, st: Stats, datasetPath: string): SourceInfo {
  if (!st.isFile()) throw new SourceProblem(`${shown} is not a file; format hdf5 expects an HDF5 file`);
  if (!hdf5) throw new NeedsHdf5();
  const module = hdf5;
  let file;
  try {
    file = openFile(module, path, "r");
  } catch {
    throw new SourceProblem(`${shown} is not a readable HDF5 file`);
  }
  try {
    if (module.get_type(file.file_id, datasetPath) !== module.H5O_TYPE_DATASET) {
      throw new SourceProblem(`${shown} has no dataset ${datasetPath}; name the dataset with source.dataset`);
    }
    const meta = module.get_dataset_metadata(file.file_id, datasetPath);
    const dtype = hdf5Dtype(meta);
    const what = `${meta.type === H5T_FLOAT ? "float" : meta.type === H5T_INTEGER ? (meta.signed ? "int" : "uint") : `class-${meta.type} `}${meta.size * 8}${meta.littleEndian ? "" : " big-endian"}`;
    if (!dtype) throw new SourceProblem(`${shown}: ${datasetPath} holds ${what} data, which layoutbench cannot read (${SUPPORTED}, little-endian)`);
    const filters = module.get_dataset_filters(file.file_id, datasetPath);
    return {
      shape: (meta.shape ?? []).map(Number), dtype,
      layout: { name: AS_IS_LAYOUT, backend: "hdf5", chunks: meta.chunks ? meta.chunks.map(Number) : null, ...hdf5Codec(filters, `${shown}: ${datasetPath}`) },
    };
  } finally {
    try { closeFile(module, file); } catch { /* read-only: nothing to lose */ }
  }
}

function hdf5Dtype(meta: { type: number; size: number; signed: boolean; littleEndian: boolean }): Dtype | undefined {
  if (!meta.littleEndian && meta.size > 1) return undefined;
  const name = meta.type === H5T_FLOAT ? `float${meta.size * 8}` : meta.type === H5T_INTEGER ? `${meta.signed ? "int" : "uint"}${meta.size * 8}` : "";
  return isDtype(name) ? name : undefined;
}

const BLOSC_CNAMES: Record<number, "blosclz" | "lz4" | "zstd"> = { 0: "blosclz", 1: "lz4", 5: "zstd" };

function hdf5Codec(filters: { id: number; name: string; cd_values: number[] }[], where: string): { codec: CodecSpec; shuffle: boolean } {
  let shuffle = false;
  let codec: CodecSpec = { name: "none" };
  for (const f of filters) {
    const cd = f.cd_values;
    switch (f.id) {
      case 2: shuffle = true; break;
      case 3: break; // fletcher32: a checksum, no effect on the values
      case 1: codec = { name: "gzip", level: cd[0] ?? 1 }; break;
      case 32015: codec = { name: "zstd", level: cd[0] ?? 3 }; break;
      case 32004: codec = { name: "lz4", level: 1 }; break;
      case 32001: codec = bloscCodec(BLOSC_CNAMES[cd[6] ?? 0], cd[4], SHUFFLE_NAMES[(cd[5] ?? 1) as 0 | 1 | 2], where); break;
      default: throw new SourceProblem(`${where}: filter ${f.id} (${f.name}) is not supported (deflate, shuffle, fletcher32, zstd, lz4, blosc)`);
    }
  }
  return { codec, shuffle };
}

/** Size and modification time of a source, for telling when a cached link to it is stale. */
export interface SourceStamp {
  readonly bytes: number;
  readonly files: number;
  readonly mtimeMs: number;
}

/** Total size, file count and latest mtime (over every file of a Zarr folder). */
export function sourceStamp(path: string): SourceStamp {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, files: 1, mtimeMs: st.mtimeMs };
  let bytes = 0;
  let files = 0;
  let mtimeMs = st.mtimeMs;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      const s = statSync(p);
      mtimeMs = Math.max(mtimeMs, s.mtimeMs);
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) { bytes += s.size; files++; }
    }
  };
  walk(path);
  return { bytes, files, mtimeMs };
}
