/**
 * scenarios/schema.json (what editors check while a scenario is written) and `validate` agree:
 * every fixture the CLI refuses for a reason JSON Schema can express is refused by the JSON Schema
 * too, checked with an independent validator (ajv); the others are named here with the reason
 * JSON Schema cannot say it, and must pass it (so a rule that becomes expressible is noticed).
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../harness/core/paths.ts";
import { SCHEMA_PATH } from "../harness/scenario/export-schema.ts";

const FIXTURES = join(import.meta.dirname, "fixtures", "scenarios");

/** Invalid fixtures refused for reasons beyond JSON Schema, and why. */
const BEYOND_JSON_SCHEMA: Record<string, string> = {
  "axis-out-of-range.yaml": "an axis and a width checked against the dataset's rank and shape",
  "byo-missing-file.yaml": "whether a source file exists",
  "byo-wrong-format.yaml": "what a source file holds",
  "duplicate-names.yaml": "names unique across list items (uniqueItems compares whole items)",
  "sampling-rounds.yaml": "one number checked against another (rounds <= samples)",
  "tile-rank.yaml": "a tile shape checked against the dataset's rank",
  "tile-too-big.yaml": "a tile shape checked against the dataset's shape",
  "hdf5-chunks-larger.yaml": "chunks checked against the dataset's shape",
  "sweep-duplicate.yaml": "names made from the values a sweep expands to",
  "sweep-problems.yaml": "which fields take lists, placeholders in a name template and the values a sweep expands to",
  "sweep-too-many.yaml": "the product of the lengths of a sweep's lists",
  "readers-meaningless.yaml": "readers checked against the scenario's engines, layouts and patterns",
  "readers-remote.yaml": "readers checked against the scenario's storage",
};
/** Not a YAML document at all: nothing for a JSON Schema to check. */
const NOT_YAML = new Set(["yaml-syntax.yaml"]);

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
const errorsOf = (file: string) => {
  const ok = validate(parse(readFileSync(file, "utf8")));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

describe("scenarios/schema.json accepts every valid scenario", () => {
  const files = [
    ...yamlFiles(join(FIXTURES, "valid")).map((f) => join(FIXTURES, "valid", f)),
    ...yamlFiles(join(FIXTURES, "runs")).map((f) => join(FIXTURES, "runs", f)),
    ...yamlFiles(join(PROJECT_ROOT, "scenarios")).map((f) => join(PROJECT_ROOT, "scenarios", f)),
  ];
  for (const file of files) test(file.slice(PROJECT_ROOT.length + 1), () => assert.deepEqual(errorsOf(file), []));
});

describe("scenarios/schema.json refuses every invalid fixture whose problem JSON Schema can express", () => {
  const dir = join(FIXTURES, "invalid");
  for (const name of yamlFiles(dir).filter((f) => !NOT_YAML.has(f))) {
    const beyond = BEYOND_JSON_SCHEMA[name];
    test(beyond ? `${name}: accepted (${beyond})` : `${name}: refused`, () => {
      const errors = errorsOf(join(dir, name));
      if (beyond) assert.deepEqual(errors, [], `${name} is refused by the JSON Schema: remove it from BEYOND_JSON_SCHEMA`);
      else assert.ok(errors.length > 0, `${name} is refused by validate but accepted by scenarios/schema.json`);
    });
  }
});
