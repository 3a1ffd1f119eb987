/**
 * Reads what a dataset in an existing HDF5 file holds: shape, dtype, and its chunks and filters as
 * an "as-is" layout, from the file's metadata through h5wasm. Synchronous once h5wasm has loaded
 * ({@link prepareHdf5Probe}); before that it throws ProbeNotReady.
 */
import type { Stats } from "node:fs";
import { type Dtype, isDtype } from "../../core/dtype.ts";
import { AS_IS_LAYOUT, type CodecSpec } from "../../scenario/types.ts";
import { bloscCodec, ProbeNotReady, SHUFFLE_NAMES, type SourceInfo, SourceProblem, SUPPORTED_DTYPES } from "../source-probe.ts";
import { closeFile, DATASET_PATH, type H5Module, h5, openFile } from "./library.ts";

let hdf5: H5Module | undefined;

/** Loads h5wasm so HDF5 sources can be probed synchronously (seconds; only when one is used). */
export async function prepareHdf5Probe(): Promise<void> {
  hdf5 ??= await h5();
}

/** HDF5 type classes (H5T_class_t) h5wasm reports in `type`. */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

export function probeHdf5(path: string, shown: string, st: Stats, datasetPath = DATASET_PATH): SourceInfo {
  if (!st.isFile()) throw new SourceProblem(`${shown} is not a file; format hdf5 expects an HDF5 file`);
  if (!hdf5) throw new ProbeNotReady("an hdf5 source needs h5wasm: load the scenario with loadScenarioAsync");
  const module = hdf5;
  let file: ReturnType<typeof openFile>;
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
    if (!dtype) throw new SourceProblem(`${shown}: ${datasetPath} holds ${what} data, which layoutbench cannot read (${SUPPORTED_DTYPES}, little-endian)`);
    const filters = module.get_dataset_filters(file.file_id, datasetPath);
    return {
      shape: (meta.shape ?? []).map(Number),
      dtype,
      datasetPath,
      layout: { name: AS_IS_LAYOUT, backend: "hdf5", chunks: meta.chunks ? meta.chunks.map(Number) : null, ...hdf5Codec(filters, `${shown}: ${datasetPath}`) },
    };
  } finally {
    try {
      closeFile(module, file);
    } catch {
      /* read-only: nothing to lose */
    }
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
      case 2:
        shuffle = true;
        break;
      case 3:
        break; // fletcher32: a checksum, no effect on the values
      case 1:
        codec = { name: "gzip", level: cd[0] ?? 1 };
        break;
      case 32015:
        codec = { name: "zstd", level: cd[0] ?? 3 };
        break;
      case 32004:
        codec = { name: "lz4", level: 1 };
        break;
      case 32001:
        codec = bloscCodec(BLOSC_CNAMES[cd[6] ?? 0], cd[4], SHUFFLE_NAMES[(cd[5] ?? 1) as 0 | 1 | 2], where);
        break;
      default:
        throw new SourceProblem(`${where}: filter ${f.id} (${f.name}) is not supported (deflate, shuffle, fletcher32, zstd, lz4, blosc)`);
    }
  }
  return { codec, shuffle };
}
