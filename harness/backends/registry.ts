/**
 * Backends by name. One file per backend; adding one is one line here.
 */

import type { BackendName, LayoutSpec, SourceFormat } from "../scenario/types.ts";
import { hdf5Backend } from "./hdf5.ts";
import { memmapBackend } from "./memmap.ts";
import { type Backend, requireCapability } from "./types.ts";
import { zarrBackend } from "./zarr.ts";

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

/** The backend that reads existing files of a scenario's `source.format` as they are. */
export function backendForSource(format: SourceFormat): Backend & Required<Pick<Backend, "probeSource">> {
  const backend = Object.values(BACKENDS).find((b) => b.sourceFormat === format);
  if (!backend) throw new Error(`no backend reads source format "${format}" in this build`);
  requireCapability(backend, "probeSource");
  return backend;
}

/** Loads what every backend's source probe needs (h5wasm for HDF5: seconds). */
export async function prepareSourceProbes(): Promise<void> {
  for (const backend of Object.values(BACKENDS)) await backend.prepareProbe?.();
}

/** One line for reports: everything about the layout but its name; the backend's name if it has no description. */
export function describeLayout(layout: LayoutSpec): string {
  const backend = BACKENDS[layout.backend];
  return backend?.describe ? backend.describe(layout) : layout.backend;
}
