// Mutation testing of the pure core: `npm run mutation` (a script, not CI). A full run takes hours
// on 2 cores; `npm run mutation -- --mutate harness/access/patterns.ts` runs one file.
// node:test has no Stryker runner: the command runner runs the unit tests that exercise these
// files once per mutant, so Stryker cannot tell which tests cover a mutant (coverage analysis off).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: [
    "harness/stats/**/*.ts",
    "harness/access/**/*.ts",
    "harness/engines/verify.ts",
    "harness/run/summary.ts",
    "harness/compare/**/*.ts",
  ],
  testRunner: "command",
  commandRunner: {
    command: "node --import tsx --test test/stats.test.ts test/regression.test.ts test/patterns.test.ts test/generate.test.ts " +
      "test/verify.test.ts test/summary.test.ts test/compare-cli.test.ts test/ab.test.ts",
  },
  coverageAnalysis: "off",
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // The sandbox copy skips caches and generated output (the addon's build/ is needed: it is copied).
  ignorePatterns: ["datasets/cache*", "reports/runs", "reports/out", "reports/mutation"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
