/**
 * Writes scenarios/schema.json from the schema in code (`npm run schema`); a test checks that the
 * committed file is current.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../core/paths.ts";
import { scenarioJsonSchema } from "./schema.ts";

export const SCHEMA_PATH = join(PROJECT_ROOT, "scenarios", "schema.json");

export function schemaText(): string {
  return JSON.stringify({ title: "layoutbench scenario", ...scenarioJsonSchema() }, null, 2) + "\n";
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_PATH, schemaText());
  console.log(`wrote ${SCHEMA_PATH}`);
}
