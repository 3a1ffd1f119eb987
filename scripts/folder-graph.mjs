#!/usr/bin/env node
/**
 * Prints the import graph of harness/ by folder: one line per folder-to-folder edge with how many
 * imports carry it (and how many of those are type-only), then the folder cycles, if any.
 * Usage: node scripts/folder-graph.mjs [ROOT]   (ROOT defaults to "harness")
 * Files directly under ROOT count as a folder named after the file. The backends' layout vocabulary
 * (the files the rules file's "layout-vocabulary-is-pure" rule names) counts as a folder of its own,
 * "backends:vocabulary", since the rules place it below scenario/ and the rest of backends/ above.
 */
import { createRequire } from "node:module";
import { cruise } from "dependency-cruiser";

const rules = createRequire(import.meta.url)("../.dependency-cruiser.cjs");
const vocabulary = new RegExp(rules.forbidden.find((r) => r.name === "layout-vocabulary-is-pure").from.path);

const root = (process.argv[2] ?? "harness").replace(/\/$/, "");
const { output } = await cruise([root], {
  doNotFollow: { path: "node_modules" },
  exclude: { path: "node_modules" },
  tsPreCompilationDeps: true,
  outputType: "json",
});
const result = typeof output === "string" ? JSON.parse(output) : output;

const folderOf = (path) => {
  if (!path.startsWith(root + "/")) return undefined;
  if (vocabulary.test(path)) return "backends:vocabulary";
  const rest = path.slice(root.length + 1);
  const slash = rest.indexOf("/");
  return slash < 0 ? rest.replace(/\.[^.]+$/, "") : rest.slice(0, slash);
};

/** "from -> to" → { real, typeOnly } import counts. */
const edges = new Map();
for (const module of result.modules) {
  const from = folderOf(module.source);
  if (!from) continue;
  for (const dep of module.dependencies) {
    const to = folderOf(dep.resolved);
    if (!to || to === from) continue;
    const key = `${from} -> ${to}`;
    const counts = edges.get(key) ?? { real: 0, typeOnly: 0 };
    if (dep.dependencyTypes.includes("type-only")) counts.typeOnly++;
    else counts.real++;
    edges.set(key, counts);
  }
}

for (const key of [...edges.keys()].sort()) {
  const { real, typeOnly } = edges.get(key);
  const parts = [];
  if (real) parts.push(`${real} import${real > 1 ? "s" : ""}`);
  if (typeOnly) parts.push(`${typeOnly} type-only`);
  console.log(`${key.padEnd(28)} ${parts.join(", ")}`);
}

/** Strongly connected components of the folder graph (Tarjan), for one kind of edge. */
function cycles(includeTypeOnly) {
  const next = new Map();
  for (const [key, { real }] of edges) {
    if (!includeTypeOnly && real === 0) continue;
    const [from, to] = key.split(" -> ");
    if (!next.has(from)) next.set(from, []);
    next.get(from).push(to);
  }
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of next.keys()) if (!idx.has(v)) visit(v);
  return out;
}

for (const [label, includeTypeOnly] of [["real imports", false], ["with type-only imports", true]]) {
  const found = cycles(includeTypeOnly);
  console.log(`\nfolder cycles (${label}): ${found.length === 0 ? "none" : ""}`);
  for (const scc of found) console.log(`  ${scc.join(", ")}`);
}
