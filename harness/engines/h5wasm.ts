/**
 * The h5wasm engine: HDF5 layouts read with h5wasm's own slicing, as a JavaScript user would call
 * it: `new h5wasm.File(path, "r")`, `file.get(path)`, then `dataset.slice([[start, stop, step], ...])`
 * per selection. Beside the layoutbench engine (which reads contiguous datasets with direct preads
 * and calls h5wasm's low-level hyperslab function otherwise) it shows what the library itself costs.
 *
 * The module is the one the hdf5 backend loads, with the h5wasm-plugins folder on libhdf5's plugin
 * path (what a user installs for blosc, lz4 and zstd). `slice` ignores libhdf5's status, so a read
 * that fails returns whatever the heap held: verification catches it and fails the case.
 */
import { join } from "node:path";
import { DATASET_PATH, h5 } from "../backends/hdf5/library.ts";
import { HDF5_FILE, hdf5FilterLabel } from "../backends/hdf5.ts";
import type { Stored } from "../backends/types.ts";
import type { TypedArray } from "../core/dtype.ts";
import type { Selection } from "../core/selection.ts";
import type { LayoutSpec } from "../scenario/types.ts";
import type { LibraryEngine, LibraryHandle } from "./library-session.ts";
import type { ReadPath } from "./types.ts";

/** Why the h5wasm engine cannot run this case, or undefined when it can. */
export function h5wasmSupport(layout: LayoutSpec, op: "read" | "write"): string | undefined {
  if (op === "write") return "the h5wasm engine only reads; write patterns run in the layoutbench engine only";
  if (layout.backend !== "hdf5") return `h5wasm reads HDF5 only; layout ${layout.name} is ${layout.backend}`;
  return undefined;
}

export function h5wasmReadPath(layout: LayoutSpec): ReadPath {
  return {
    engine: "h5wasm",
    implementation: "h5wasm Dataset.slice",
    decoder: layout.backend === "hdf5" ? hdf5FilterLabel(layout) : "none",
    threads: 1,
    library: "libhdf5 in WASM reads (and decodes filtered chunks); slice copies the result out of the WASM heap",
    ours: "nothing in the timed read; verification after it",
    fallbacks: [],
  };
}

export function h5wasmEngine(stored: Stored): LibraryEngine {
  const path = join(stored.dir, HDF5_FILE);
  const datasetPath = stored.dataset.source?.dataset ?? DATASET_PATH;
  return {
    name: "h5wasm engine",
    readPath: h5wasmReadPath(stored.layout),
    async open(): Promise<LibraryHandle> {
      await h5();
      const { default: h5wasm } = await import("h5wasm/node");
      const file = new h5wasm.File(path, "r");
      if (file.file_id < 0n) throw new Error(`h5wasm engine: cannot open ${path}`);
      const dataset = file.get(datasetPath);
      if (!(dataset instanceof h5wasm.Dataset)) {
        file.close();
        throw new Error(`h5wasm engine: ${path} has no dataset at ${datasetPath}`);
      }
      return {
        read: (sel: Selection) => dataset.slice(sel.map((s) => [s.start, s.stop, s.step])) as TypedArray,
        close: () => void file.close(),
      };
    },
  };
}
