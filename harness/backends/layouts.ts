/**
 * Every backend's layout vocabulary (backends/NAME/layout.ts): what the scenario layer builds its
 * schema, resolve and types from. Adding a backend is one line here (and one in registry.ts).
 * Pure, like the files it lists: imports only core/, zod and the layout vocabularies.
 */
import type { z } from "zod";
import { hdf5Layout } from "./hdf5/layout.ts";
import type { SourceKeys } from "./layout-kit.ts";
import { memmapLayout } from "./memmap/layout.ts";
import { zarrLayout } from "./zarr/layout.ts";

/** In the order the schema lists them. */
export const LAYOUTS = [memmapLayout, zarrLayout, hdf5Layout] as const;

/**
 * The `source.format`s of existing files that a backend reads as they are (its `sourceFormat`),
 * in the order messages list them.
 */
export const SOURCE_FORMATS = ["npy", "hdf5", "zarr"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

type Layouts = typeof LAYOUTS;
/** A layout with every default filled in, of any backend. */
export type LayoutSpec = ReturnType<Layouts[number]["resolve"]>;
export type BackendName = LayoutSpec["backend"];

/** Each backend's layout schema, in order: the members of the scenario schema's layout union. */
export const layoutSchemas = LAYOUTS.map((l) => l.schema) as unknown as SchemasOf<Layouts>;
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };
/** A layout as a scenario file writes it, of any backend. */
export type FileLayout = z.output<(typeof layoutSchemas)[number]>;

/** The vocabulary of `backend`'s layouts (a backend the schema accepted: every one is listed). */
export function layoutVocabulary(backend: BackendName): Layouts[number] {
  const vocabulary = LAYOUTS.find((l) => l.backend === backend);
  if (!vocabulary) throw new Error(`no layout vocabulary for backend "${backend}"`);
  return vocabulary;
}

/** Keys a scenario's `source` may have only for one format, e.g. the HDF5 dataset path. */
export const SOURCE_KEYS = LAYOUTS.flatMap((l) => {
  const extra: SourceKeys | undefined = l.sourceKeys;
  return extra ? Object.entries(extra.keys).map(([key, k]) => ({ key, format: extra.format, schema: k.schema, what: k.what })) : [];
});
type SourceKeyName = { [I in keyof Layouts]: Layouts[I] extends { sourceKeys?: { keys: infer R } } ? keyof R & string : never }[number];
/** The schemas of every {@link SOURCE_KEYS} key, by name. */
export type SourceKeyShape = Record<SourceKeyName, z.ZodOptional<z.ZodString>>;
