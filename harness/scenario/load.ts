/**
 * Reads a scenario file: size limit → YAML as plain data → schema → defaults → semantic checks.
 * Every problem becomes one line `FILE:LINE: FIELD: MESSAGE`, all of them at once, in a UserError.
 */
import { readFileSync, statSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import { UserError } from "../errors.ts";
import { MAX_SCENARIO_BYTES, MAX_YAML_ALIASES } from "./defaults.ts";
import { checkScenario } from "./check.ts";
import { formatPath, issueMessage } from "./messages.ts";
import { resolveScenario } from "./resolve.ts";
import { scenarioFileSchema } from "./schema.ts";
import type { Scenario } from "./types.ts";

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk up to the deepest node that exists, so "missing key" problems point at their parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses and validates scenario text; `file` is used in messages and recorded in the scenario. */
export function parseScenario(text: string, file: string): Scenario {
  const counter = new LineCounter();
  // Plain data only: the core schema has no custom tags, aliases are capped against expansion bombs.
  const doc = parseDocument(text, { lineCounter: counter, schema: "core", uniqueKeys: true, prettyErrors: true, strict: true });
  if (doc.errors.length > 0) {
    // Later syntax errors are usually echoes of the first.
    const e = doc.errors[0];
    const line = e.linePos?.[0] ? `:${e.linePos[0].line}` : "";
    throw new UserError(`${file}${line}: YAML syntax error: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new UserError(`${file}: YAML error: ${(err as Error).message.split("\n")[0]}`);
  }
  const where = (path: readonly PropertyKey[]) => {
    const line = lineOf(doc, counter, path);
    return `${file}${line ? ":" + line : ""}: ${formatPath(path)}`;
  };
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new UserError(`${file}: expected a mapping with version, name, datasets, layouts and patterns, got ${data === null ? "an empty file" : Array.isArray(data) ? "a list" : typeof data}`);
  }
  const parsed = scenarioFileSchema.safeParse(data);
  if (!parsed.success) {
    const version = (data as { version?: unknown }).version;
    if (version !== undefined && version !== 1) {
      throw new UserError(`${where(["version"])}: this scenario has version ${JSON.stringify(version)}; this layoutbench reads version 1: rewrite it for version 1 or use a layoutbench that reads it`);
    }
    // A value of the wrong type gets one message, not one more per check it could not pass.
    const wrongType = new Set(parsed.error.issues.filter((i) => i.code === "invalid_type").map((i) => formatPath(i.path)));
    const issues = parsed.error.issues.filter((i) => i.code === "invalid_type" || !wrongType.has(formatPath(i.path)));
    throw new UserError(issues.map((issue) => `${where(issue.path)}: ${issueMessage(issue, data)}`));
  }
  const scenario = resolveScenario(parsed.data, file);
  const problems = checkScenario(scenario);
  if (problems.length > 0) throw new UserError(problems.map((p) => `${where(p.path)}: ${p.message}`));
  return scenario;
}

/** Loads a scenario file from disk; a missing or oversized file is a one-line UserError. */
export function loadScenario(file: string): Scenario {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UserError(`${file}: not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read scenario file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size > MAX_SCENARIO_BYTES) {
    throw new UserError(`${file}: scenario file is ${size} bytes; at most ${MAX_SCENARIO_BYTES} bytes are allowed`);
  }
  return parseScenario(readFileSync(file, "utf8"), file);
}
