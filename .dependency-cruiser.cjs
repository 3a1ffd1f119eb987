/**
 * Import rules for harness/: folders form layers, and a folder may import only from the folders in
 * the layers below its own (type-only imports count too). `npm run lint:deps` checks them; see
 * CONTRIBUTING.md for what each layer holds. A new folder must be given a layer here.
 */
/** Bottom to top. Folders sharing a layer may not import each other. */
const LAYERS = [
  ["core"],
  ["scenario"],
  ["access"],
  ["data"],
  ["stats"],
  ["native"],
  ["cache"],
  ["remote"],
  ["backends"],
  ["store"],
  ["servers"],
  ["plan"],
  ["engines"],
  ["run"],
  ["report"],
  ["compare", "export", "interleave"],
  ["cli"],
  ["bench"],
];

/**
 * Each backend's layout vocabulary (backends/NAME/layout.ts, listed in backends/layouts.ts, with the
 * shared codec-vocabulary.ts and layout-kit.ts) is a layer of its own just above core: pure files
 * that import only core/, zod and each other, so scenario/ can build its schema, resolve and types
 * from them while every other file of backends/ stays above it.
 */
const VOCABULARY = "^harness/backends/(layouts|layout-kit|codec-vocabulary|[^/]+/layout)\\.ts$";

const ALL = LAYERS.flat();
const rank = (folder) => LAYERS.findIndex((layer) => layer.includes(folder));

const layerRules = ALL.map((folder) => {
  const notBelow = ALL.filter((other) => other !== folder && rank(other) >= rank(folder));
  return {
    name: `layer-${folder}`,
    comment: `harness/${folder}/ may import only from folders in lower layers (${ALL.filter((o) => rank(o) < rank(folder)).join(", ") || "none"})`,
    severity: "error",
    from: { path: `^harness/${folder}/` },
    // Layers above core may use the backends' layout vocabulary (and the vocabulary itself has its own rule).
    to: { path: `^harness/(${notBelow.join("|")})/`, ...(rank(folder) > rank("core") ? { pathNot: VOCABULARY } : {}) },
  };
}).filter((rule) => rule.to.path !== "^harness/()/");

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "layout-vocabulary-is-pure",
      comment: "the backends' layout vocabulary (backends/layouts.ts, layout-kit.ts, codec-vocabulary.ts, NAME/layout.ts) imports only core/, zod and itself",
      severity: "error",
      from: { path: VOCABULARY },
      to: { pathNot: `^harness/core/|${VOCABULARY}|^node_modules/zod/` },
    },
    {
      name: "no-circular",
      comment: "no import cycles, between files or folders",
      severity: "error",
      from: { path: "^harness/" },
      to: { circular: true },
    },
    {
      name: "folder-without-layer",
      comment: `every file of harness/ is in a folder with a layer (${ALL.join(", ")}); add a new folder to LAYERS`,
      severity: "error",
      from: { path: "^harness/", pathNot: `^harness/(${ALL.join("|")})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    // Type-only imports are dependencies too: they are what ties folders' vocabularies together.
    tsPreCompilationDeps: true,
  },
};
