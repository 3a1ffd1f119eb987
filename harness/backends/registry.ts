/**
 * Backends by name. One file per backend; adding one is one line here.
 */
import type { Backend } from "./types.ts";
import type { BackendName, LayoutSpec } from "../scenario/types.ts";
import { memmapBackend } from "./memmap.ts";
import { zarrBackend } from "./zarr.ts";
import { hdf5Backend } from "./hdf5.ts";

const BACKENDS: Partial<Record<BackendName, Backend<any>>> = {
  memmap: memmapBackend,
  zarr: zarrBackend,
  hdf5: hdf5Backend,
};

/** The backend for a layout; a UserError names what exists when it is missing. */
export function backendFor<L extends LayoutSpec>(layout: L): Backend<L> {
  const backend = BACKENDS[layout.backend];
  if (!backend) throw new Error(`backend "${layout.backend}" is not available in this build`);
  return backend as Backend<L>;
}

export function availableBackends(): BackendName[] {
  return Object.keys(BACKENDS) as BackendName[];
}
