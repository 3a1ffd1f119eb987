/**
 * Engine names beyond the list itself (types.ts): the default engine, older spellings, and which
 * engine a case record or a recommendation means. Pure vocabulary, here so scenarios, results and
 * reports can name engines without importing them (harness/engines/ says what each one is).
 */
import { ENGINES, type EngineName } from "./types.ts";

/** The engine that reads unless a scenario says otherwise, and whose layouts are recommended by default. */
export const DEFAULT_ENGINE: EngineName = "layoutbench";
/** Older spellings still accepted in scenarios, on the command line and in results files. */
export const ENGINE_ALIASES: Readonly<Record<string, EngineName>> = { js: "layoutbench" };
/** Every name a scenario or `--engines` may use. */
export const ENGINE_SPELLINGS = [...ENGINES, ...Object.keys(ENGINE_ALIASES)] as readonly string[];

/** The engine a name means (an alias resolved), or undefined for an unknown name. */
export function engineNamed(name: string): EngineName | undefined {
  if ((ENGINES as readonly string[]).includes(name)) return name as EngineName;
  return ENGINE_ALIASES[name];
}

/** The engine of a case record: absent (files from before engines) and "js" mean layoutbench. */
export function engineOf(c: { readonly engine?: string }): EngineName {
  return (c.engine === undefined ? DEFAULT_ENGINE : engineNamed(c.engine)) ?? (c.engine as EngineName);
}

/** The engine a recommendation ranks unless the scenario names one: layoutbench when it reads, else the first engine listed. */
export function defaultRecommendationEngine(engines: readonly EngineName[]): EngineName {
  return engines.includes(DEFAULT_ENGINE) ? DEFAULT_ENGINE : (engines[0] ?? DEFAULT_ENGINE);
}

/**
 * Which engines can read remote storage (HTTP, S3): true, or why not. h5wasm reads files through
 * Emscripten's in-memory filesystem, which takes a whole file: a ranged read path would need a
 * lazy-file driver it does not ship in Node, and reading the whole object would measure a download.
 */
export const REMOTE_ENGINES: Readonly<Record<EngineName, true | string>> = {
  layoutbench: true,
  zarrita: true,
  python: true,
  h5wasm: "h5wasm opens files in Emscripten's in-memory filesystem, whole; it has no ranged (lazy) reader in Node",
  tensorstore: "the tensorstore engine reads local files only in layoutbench",
};
