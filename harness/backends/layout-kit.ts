/**
 * Building blocks of the layout vocabularies (backends/NAME/layout.ts): strict objects whose
 * unknown-key errors list what is allowed, names, shapes, and the parts every layout has. Pure:
 * imports only core/ and zod, so the scenario layer can build its schema from them.
 */
import { z } from "zod";
import { NAME_PATTERN, NAME_RULE } from "../core/names.ts";
import { unknownKeysMessage } from "../core/words.ts";

/** A strict object whose unknown-key error lists the allowed keys and the nearest one. */
export function strict<T extends z.ZodRawShape>(shape: T, description?: string) {
  const allowed = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownKeysMessage(issue.keys, allowed) : undefined),
  });
  return description ? schema.describe(description) : schema;
}

export const name = z.string().regex(NAME_PATTERN, { error: `expected a name of ${NAME_RULE}` });
export const size = z.number().int().min(1);
export const sizes = z.array(size).min(1).max(4);

/** A layout of backend `backend` as a scenario file writes it: its name, its backend, then its own keys. */
export function layoutObject<B extends string, T extends z.ZodRawShape>(backend: B, shape: T, description: string) {
  return strict({ name, backend: z.literal(backend), ...shape }, description);
}

/**
 * What a backend adds to the scenario vocabulary: listed in backends/layouts.ts, read by
 * scenario/schema.ts (the schema), scenario/resolve.ts (defaults) and the JSON Schema export.
 */
export interface LayoutVocabulary<
  B extends string = string,
  S extends z.ZodType = z.ZodType,
  L extends { readonly backend: B } = { readonly backend: B; readonly name: string },
  K extends SourceKeys = SourceKeys,
> {
  readonly backend: B;
  /** The layout as a scenario file writes it (built with {@link layoutObject}). */
  readonly schema: S;
  /** What resolve fills in for keys the file leaves out (also named in the schema's descriptions). */
  readonly defaults: object;
  /** The layout with every default filled in. */
  resolve(file: z.output<S>): L;
  /** JSON Schema rules on the whole scenario file that involve this backend's layouts, for editors. */
  readonly scenarioRules?: readonly object[];
  /** Keys a scenario's `source` may have only when its format is `format` (e.g. the HDF5 dataset path). */
  readonly sourceKeys?: K;
}

export interface SourceKeys {
  readonly format: string;
  /** Each key's schema (an optional string), and what it is in a message ("a dataset path"). */
  readonly keys: Readonly<Record<string, { readonly schema: z.ZodOptional<z.ZodString>; readonly what: string }>>;
}

/** Checks a vocabulary's types where it is written, keeping its literal types (source key names too). */
export function defineLayout<B extends string, S extends z.ZodType, L extends { readonly backend: B }, const K extends SourceKeys = never>(
  vocabulary: LayoutVocabulary<B, S, L, K>,
): LayoutVocabulary<B, S, L, K> {
  return vocabulary;
}
