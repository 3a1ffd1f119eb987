/**
 * Reads a scenario file: size limit → YAML as plain data → schema → defaults → semantic checks.
 * Every problem becomes one line `FILE:LINE: FIELD: MESSAGE`, all of them at once, in a UserError.
 * Any text at all — binary garbage, alias bombs, deep nesting, odd tags — ends in a Scenario or a
 * UserError, quickly: test/scenario-fuzz.e2e.ts holds the loader to that.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type Document, isAlias, isCollection, isPair, Lexer, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";
import { UserError } from "../core/errors.ts";
import { MAX_SCENARIO_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_TOKENS } from "../scenario/defaults.ts";
import { describeValue, formatPath, issueMessage, oneLine, quote } from "../scenario/messages.ts";
import { type Positions, validParts } from "../scenario/partial.ts";
import { type ProbedSource, resolveScenario } from "../scenario/resolve.ts";
import { type ScenarioFile, scenarioFileSchema } from "../scenario/schema.ts";
import { expandSweeps, type SweptList } from "../scenario/sweep.ts";
import type { Scenario } from "../scenario/types.ts";
import { ProbeNotReady, prepareSourceProbes, SourceProblem } from "../store/source.ts";
import { checkScenario } from "./check.ts";
import { probeSources } from "./probe-sources.ts";

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk up to the deepest node that exists, so "missing key" problems point at their parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function tooLarge(file: string, bytes: number): string {
  return `${file}: scenario file is ${bytes} bytes; at most ${MAX_SCENARIO_BYTES} bytes are allowed`;
}

const TOO_DEEP = `nesting is more than ${MAX_YAML_DEPTH} levels deep; a scenario needs far fewer`;

/**
 * Indentation columns plus block indicators (`-`, `?`, `:`) on one line: a bound on the block nesting
 * the line can reach, far above anything real, low enough that the parser never recurses too deep.
 */
const MAX_LINE_LEVELS = 16 * MAX_YAML_DEPTH;

/**
 * Limits checked on the token stream, before parsing: the number of tokens (parsing time grows with
 * it) and nesting (the parser recurses once per level, and a stack overflow there costs seconds).
 * The lexer is iterative and cheap. Exact nesting is checked after parsing, by structureProblem.
 */
function lexicalProblem(text: string): { line?: number; message: string } | undefined {
  let tokens = 0;
  let flow = 0;
  let line = 1;
  let lineLevels = 0;
  let lineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      return { message: `more than ${MAX_YAML_TOKENS} YAML tokens (keys, values, punctuation, line breaks); a scenario needs far fewer` };
    }
    if (token === "[" || token === "{") {
      if (++flow > MAX_YAML_DEPTH) return { line, message: TOO_DEEP };
    } else if (token === "]" || token === "}") {
      flow = Math.max(0, flow - 1);
    } else if (token === "-" || token === "?" || token === ":" || (lineStart && /^ +$/.test(token))) {
      lineLevels += token.length;
      if (lineLevels > MAX_LINE_LEVELS) {
        return { line, message: `more than ${MAX_LINE_LEVELS} levels of indentation and nesting on one line; a scenario needs far fewer` };
      }
    }
    lineStart = false;
    // Tokens are slices of the text (plus one-character markers), so line breaks can be counted.
    for (let i = token.indexOf("\n"); i >= 0; i = token.indexOf("\n", i + 1)) {
      line++;
      lineStart = true;
      lineLevels = 0;
    }
  }
  return undefined;
}

/** The YAML core schema's own tags: allowed, but never needed. */
const CORE_TAGS = new Set(["!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq"]);

/** One line for the first YAML error; parser wording that would mislead a user is replaced. */
function yamlErrorLine(file: string, text: string, e: YAMLError): string {
  const line = e.linePos?.[0] ? `:${e.linePos[0].line}` : "";
  let kind = "YAML error";
  let message: string;
  switch (e.code) {
    case "MULTIPLE_DOCS":
      message = "a second YAML document starts here (a line ---); a scenario file holds one document: remove it or split the file";
      break;
    case "RESOURCE_EXHAUSTION":
      message = TOO_DEEP;
      break;
    case "TAG_RESOLVE_FAILED":
    case "BAD_COLLECTION_TYPE": {
      // The parser says "Unresolved tag" both for unknown tags and for `!!int hundred`.
      const tag = oneLine(text.slice(e.pos[0], e.pos[1]), 40);
      message = CORE_TAGS.has(tag)
        ? `tag ${tag} does not fit the value it is on; a scenario needs no tags: remove it`
        : `tag ${tag} is not supported; a scenario holds plain strings, numbers, true/false, null, lists and mappings`;
      break;
    }
    default:
      // prettyErrors appends " at line L, column C:" and a source excerpt on the following lines.
      kind = "YAML syntax error";
      message = oneLine(e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""));
  }
  return `${file}${line}: ${kind}: ${message}`;
}

/** A reason not to turn the document into data; `located`: the problem is at `node`'s line. */
interface Unsafe {
  readonly node: Node;
  readonly message: string;
  readonly located: boolean;
}

/**
 * What would make turning the document into data unsafe: more aliases than allowed, an alias inside
 * the node it refers to (a cycle), or nesting deeper than MAX_YAML_DEPTH — counting what aliases
 * expand to. Iterative, so any nesting the parser accepted is measured without recursion.
 */
function structureProblem(doc: Document): Unsafe | undefined {
  interface Frame {
    readonly node: Node;
    readonly children: (Node | null)[];
    next: number;
    height: number;
  }
  const anchors = new Map<string, Node>();
  const heights = new Map<Node, number>(); // of finished anchored nodes, counting what their aliases expand to
  const open = new Set<Node>();
  const stack: Frame[] = [];
  let aliases = 0;
  const children = (node: Node): (Node | null)[] =>
    isCollection(node) ? node.items.flatMap((item) => (isPair(item) ? [item.key as Node | null, item.value as Node | null] : [item as Node])) : [];
  /** Enters `node` at depth stack.length + 1; returns its height if it is a leaf, or a problem. */
  const enter = (node: Node): number | Unsafe | undefined => {
    const depth = stack.length + 1;
    if (depth > MAX_YAML_DEPTH) return { node, message: TOO_DEEP, located: true };
    if (node.anchor) anchors.set(node.anchor, node);
    if (isAlias(node)) {
      if (++aliases > MAX_YAML_ALIASES) {
        return {
          node,
          message: `more than ${MAX_YAML_ALIASES} aliases (*name); at most ${MAX_YAML_ALIASES} are allowed, against alias expansion bombs`,
          located: false,
        };
      }
      const target = anchors.get(node.source);
      if (target && open.has(target)) {
        return { node, message: `alias *${oneLine(node.source, 40)} is inside the node it refers to; aliases must not form a cycle`, located: true };
      }
      const height = target ? (heights.get(target) ?? 1) : 1;
      if (depth - 1 + height > MAX_YAML_DEPTH) {
        return { node, message: `alias *${oneLine(node.source, 40)} expands to nesting more than ${MAX_YAML_DEPTH} levels deep`, located: true };
      }
      return height;
    }
    if (!isCollection(node)) return 1;
    open.add(node);
    stack.push({ node, children: children(node), next: 0, height: 1 });
    return undefined;
  };
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  const first = enter(root);
  if (typeof first === "object") return first;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (!child) continue;
      const result = enter(child);
      if (typeof result === "object") return result;
      if (typeof result === "number") frame.height = Math.max(frame.height, result + 1);
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    if (frame.node.anchor) heights.set(frame.node, frame.height);
    const parent = stack[stack.length - 1];
    if (parent) parent.height = Math.max(parent.height, frame.height + 1);
  }
  return undefined;
}

/** Parses and validates scenario text; `file` is used in messages and recorded in the scenario. */
export function parseScenario(text: string, file: string): Scenario {
  // Checked here too (not only in loadScenario): parsing time grows with the text.
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SCENARIO_BYTES) throw new UserError(tooLarge(file, bytes));
  const lexical = lexicalProblem(text);
  if (lexical) throw new UserError(`${file}${lexical.line ? ":" + lexical.line : ""}: YAML error: ${lexical.message}`);
  const counter = new LineCounter();
  // Plain data only: the core schema has no custom tags, and a tag it cannot resolve is refused below
  // rather than read as a string. logLevel "error": the parser prints no warnings of its own.
  const doc = parseDocument(text, {
    lineCounter: counter,
    schema: "core",
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
    logLevel: "error",
    resolveKnownTags: false,
    // `<<: *base` merges a mapping into another, as YAML 1.1 defines: a sweep's or layout's shared keys.
    merge: true,
  });
  // Later syntax errors are usually echoes of the first.
  const error = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED" || w.code === "BAD_COLLECTION_TYPE");
  if (error) throw new UserError(yamlErrorLine(file, text, error));
  const unsafe = structureProblem(doc);
  if (unsafe) {
    // Too many aliases is about the whole file, like the expansion limit below: no line.
    const at = unsafe.located && unsafe.node.range ? `:${counter.linePos(unsafe.node.range[0]).line}` : "";
    throw new UserError(`${file}${at}: YAML error: ${unsafe.message}`);
  }
  let data: unknown;
  try {
    // Aliases are capped against expansion ("billion laughs") bombs.
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new UserError(`${file}: YAML error: ${oneLine((err as Error).message)}`);
  }
  const inFile = (path: readonly PropertyKey[]) => {
    const line = lineOf(doc, counter, path);
    return `${file}${line ? ":" + line : ""}: ${formatPath(path)}`;
  };
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const found = doc.contents === null ? "an empty file" : Array.isArray(data) ? "a list" : describeValue(data);
    throw new UserError(`${file}: expected a mapping with version, name, datasets, layouts and patterns, got ${found}`);
  }
  // Top-level `x-` keys hold what anchors refer to (`x-base: &base {...}`) and are not read otherwise.
  data = Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith("x-")));
  // Sweep entries become the entries they stand for; problems found later name the file's entry.
  const swept = expandSweeps(data as Record<string, unknown>);
  data = swept.data;
  const where = (path: readonly PropertyKey[]) => {
    const [list, i, ...rest] = path;
    const origin = typeof list === "string" && Object.hasOwn(swept.origin, list) ? swept.origin[list as SweptList] : undefined;
    if (!origin || typeof i !== "number" || origin[i] === undefined) return inFile(path);
    const at = origin[i];
    const entry = (data as Record<string, unknown[]>)[list as string][i] as { name?: unknown };
    const fromSweep = swept.sweeps.some((s) => s.list === list && s.at === at);
    return inFile([list, at, ...rest]) + (fromSweep ? ` (swept as ${quote(String(entry?.name))})` : "");
  };
  const lines: string[] = swept.problems.map((p) => `${inFile(p.path)}: ${p.message}`);
  const parsed = scenarioFileSchema.safeParse(data);
  let checked: ScenarioFile = parsed.data!;
  let positions: Positions | undefined;
  if (!parsed.success) {
    const version = (data as { version?: unknown }).version;
    if (version !== undefined && version !== 1) {
      throw new UserError(
        `${where(["version"])}: this scenario has version ${describeValue(version)}; this layoutbench reads version 1: rewrite it for version 1 or use a layoutbench that reads it`,
      );
    }
    // A value of the wrong type gets one message, not one more per check it could not pass.
    const wrongType = new Set(parsed.error.issues.filter((i) => i.code === "invalid_type").map((i) => formatPath(i.path)));
    // A list left empty by a sweep that could not be expanded is already explained by that sweep's problem.
    const emptied = (i: { code: string; path: PropertyKey[] }) =>
      i.code === "too_small" && i.path.length === 1 && swept.problems.some((p) => p.path[0] === i.path[0]);
    const issues = parsed.error.issues.filter((i) => (i.code === "invalid_type" || !wrongType.has(formatPath(i.path))) && !emptied(i));
    lines.push(...issues.map((issue) => `${where(issue.path)}: ${issueMessage(issue, data)}`));
    // The parts that passed are checked too, so that one run shows every problem.
    ({ file: checked, positions } = validParts(data as Record<string, unknown>));
  }
  const sources = probeSources(checked, file);
  const at = (i: number) => positions?.datasets[i] ?? i;
  const sourcePath = (i: number, s: SourceProblem) =>
    s.index === undefined ? ["datasets", at(i), "source", "path"] : ["datasets", at(i), "sources", s.index, "path"];
  lines.push(...sources.flatMap((s, i) => (s instanceof SourceProblem ? [`${where(sourcePath(i, s))}: ${s.message}`] : [])));
  if (sources.some((s) => s instanceof SourceProblem)) {
    // Datasets whose file cannot be read are left out of the checks below, like those that failed the schema.
    const keep = sources.map((s) => !(s instanceof SourceProblem));
    positions = {
      datasets: checked.datasets.map((_, i) => at(i)).filter((_, i) => keep[i]),
      layouts: positions?.layouts ?? (checked.layouts ?? []).map((_, i) => i),
      patterns: positions?.patterns ?? checked.patterns.map((_, i) => i),
      datasetCount: positions?.datasetCount ?? checked.datasets.length,
    };
    checked = { ...checked, datasets: checked.datasets.filter((_, i) => keep[i]) };
  }
  const scenario = resolveScenario(checked, file, sources.filter((s) => !(s instanceof SourceProblem)) as (ProbedSource | undefined)[], swept.sweeps);
  lines.push(...checkScenario(scenario, positions).map((p) => `${where(p.path)}: ${p.message}`));
  if (lines.length > 0) throw new UserError(lines);
  return scenario;
}

/**
 * {@link loadScenario} for any scenario: one with an hdf5 source needs h5wasm to read the file's
 * header, and h5wasm loads asynchronously (only then: it takes seconds).
 */
export async function loadScenarioAsync(file: string): Promise<Scenario> {
  try {
    return loadScenario(file);
  } catch (err) {
    if (!(err instanceof ProbeNotReady)) throw err;
    await prepareSourceProbes();
    return loadScenario(file);
  }
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
  if (size > MAX_SCENARIO_BYTES) throw new UserError(tooLarge(file, size));
  return parseScenario(readFileSync(file, "utf8"), file);
}
