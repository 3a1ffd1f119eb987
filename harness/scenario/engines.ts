/**
 * Engine names: who performs a case's timed reads (see harness/engines/types.ts for what each is).
 * Pure vocabulary, here so scenarios can name engines without importing them.
 */
export const ENGINES = ["layoutbench", "zarrita", "h5wasm", "python", "tensorstore"] as const;
export type EngineName = (typeof ENGINES)[number];
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

/** How reports name a layout read by an engine: "npy" for layoutbench, "npy (python)" otherwise. */
export function layoutLabel(layoutName: string, engine: string | undefined): string {
  const e = engine === undefined ? DEFAULT_ENGINE : engineNamed(engine) ?? engine;
  return e === DEFAULT_ENGINE ? layoutName : `${layoutName} (${e})`;
}

/** The engine a recommendation ranks unless the scenario names one: layoutbench when it reads, else the first engine listed. */
export function defaultRecommendationEngine(engines: readonly EngineName[]): EngineName {
  return engines.includes(DEFAULT_ENGINE) ? DEFAULT_ENGINE : engines[0] ?? DEFAULT_ENGINE;
}
