/**
 * The browser bundles of vega, vega-lite and vega-embed, read from node_modules so the HTML
 * report can inline them and work offline from file://. The packages' `exports` hide their
 * build folders, so each is found from its main entry up to its package.json, whose `unpkg`
 * field names the minified UMD bundle (build/vega.min.js and so on).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** In load order: vega-lite needs the `vega` global, vega-embed needs both. */
const VEGA_PACKAGES = ["vega", "vega-lite", "vega-embed"] as const;

function packageRoot(name: string): { root: string; manifest: { name: string; version: string; unpkg?: string } } {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      if (manifest.name === name) return { root: dir, manifest };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${name}: package.json not found above its main entry`);
    dir = parent;
  }
}

/** One inlinable script per package. */
export interface Library {
  readonly name: string;
  readonly version: string;
  readonly source: string;
}

let cache: Library[] | null = null;

/** The three bundles, read once per process. */
export function loadVegaLibraries(): Library[] {
  if (cache) return cache;
  cache = VEGA_PACKAGES.map((name) => {
    const { root, manifest } = packageRoot(name);
    if (!manifest.unpkg) throw new Error(`${name}: package.json has no "unpkg" bundle`);
    return { name, version: manifest.version, source: readFileSync(join(root, manifest.unpkg), "utf8") };
  });
  return cache;
}
