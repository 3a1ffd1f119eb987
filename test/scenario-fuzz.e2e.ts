/**
 * Fuzzing the scenario loader: seeded, deterministic mutations of the valid fixtures and the
 * quickstart scenario (wrong types at every path, missing and extra keys, extreme numbers, hostile
 * strings and keys) plus hand-made hostile files (deep nesting, alias bombs, tags, multiple documents,
 * oversized, binary garbage). Every case must end, quickly, in a Scenario or a UserError whose lines
 * are one-line `FILE[:LINE]: …` messages; never another exception. A sample goes through the real CLI.
 */

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { expandPattern, patternProblem } from "../harness/access/patterns.ts";
import { itemSize } from "../harness/core/dtype.ts";
import { UserError } from "../harness/core/errors.ts";
import { PROJECT_ROOT } from "../harness/core/paths.ts";
import { elementCount, fitsShape } from "../harness/core/selection.ts";
import { parseScenario } from "../harness/plan/load.ts";
import { MAX_ELEMENTS, MAX_SCENARIO_BYTES, MAX_SELECTIONS, NAME_PATTERN } from "../harness/scenario/defaults.ts";
import { expandCases } from "../harness/scenario/expand.ts";
import { patternFor } from "../harness/scenario/resolve.ts";
import type { PatternShape, Scenario } from "../harness/scenario/types.ts";
import { createRng } from "../harness/stats/prng.ts";
import { cli, hasStack } from "./support/cli.ts";

/** No single case may take longer (ms); the whole file should stay well under 20 s. */
const SLOWEST_ALLOWED_MS = 2000;
const MAX_LINE = 400;

// ---- deterministic randomness -------------------------------------------------------------------

const random = createRng(20240611);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const sample = <T>(items: readonly T[], k: number): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
};

// ---- the bases and their paths ------------------------------------------------------------------

type Path = readonly (string | number)[];
type Data = Record<string, unknown>;

const VALID = join(import.meta.dirname, "fixtures", "scenarios", "valid");
const BASES: { name: string; text: string }[] = [
  ...readdirSync(VALID)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(VALID, f), "utf8") })),
  { name: "quickstart.yaml", text: readFileSync(join(PROJECT_ROOT, "scenarios", "quickstart.yaml"), "utf8") },
];

/** Every path in `value`, parents before children. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => {
    const p = [...prefix, k];
    return [p, ...pathsOf((value as Record<string | number, unknown>)[k], p)];
  });
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((cur, k) => (cur as Record<string | number, unknown>)[k], root);
}

/** A copy of `root` with `path` set to `value` (or deleted, for `DELETE`). */
const DELETE = Symbol("delete");
function withValue(root: Data, path: Path, value: unknown): Data {
  const copy = structuredClone(root);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1];
  if (value !== DELETE) (parent as Record<string | number, unknown>)[key] = value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, unknown>)[key as string];
  return copy;
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

// ---- the cases ----------------------------------------------------------------------------------

interface Case {
  readonly category: string;
  readonly label: string;
  readonly text: string;
}

const cases: Case[] = [];
const add = (category: string, label: string, text: string) => cases.push({ category, label, text });
const dump = (data: unknown) => stringify(data, { lineWidth: 0 });

const TYPE_SWAPS: readonly unknown[] = ["text", 42, -3.5, true, null, [], ["a", 2], {}, { a: 1 }, [[[1]]]];
const HUGE_NUMBERS: readonly number[] = [
  1e308,
  -1e308,
  2 ** 60,
  2 ** 53,
  2 ** 53 - 1,
  2 ** 32,
  Infinity,
  -Infinity,
  NaN,
  -1,
  0,
  -0,
  0.5,
  1.5,
  1e-300,
  MAX_SELECTIONS + 1,
];
const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "../x",
  "/abs",
  "a/b",
  "a\\b",
  "..",
  ".hidden",
  "a\nb",
  "trailing\n",
  "nul\0byte",
  "tab\there",
  "bell\u0007",
  "del\u007f",
  "nel\u0085",
  "rtl\u202Eoverride",
  "line\u2028sep",
  "bom\ufeff",
  "zero\u200bwidth",
  "emoji😀",
  "ünïcödé",
  "日本語",
  "\ud800lone",
  "x".repeat(65),
  "y".repeat(10_000),
  "__proto__",
  "constructor",
  "%s%d",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder is one of the hostile names
  "${HOME}",
  "$(rm -rf /)",
  "a: b",
  "- x",
  "*alias",
  "&anchor",
  "!tag",
  "#comment",
  "'quote",
  '"dq',
];
const HOSTILE_KEYS: readonly string[] = [
  "bogus",
  "nmae",
  "shpae",
  "__proto__",
  "constructor",
  "toString",
  "",
  " ",
  "a\nb",
  "nul\0key",
  "rtl\u202Ekey",
  "emoji😀",
  "k".repeat(500),
  "$schema",
  "1",
  "<<",
  "a.b",
  "x[0]",
];

for (const base of BASES) {
  const data = parse(base.text) as Data;
  const all = pathsOf(data);
  // Wrong types at every path: each path gets two swaps, every swap kind is used.
  all.forEach((path, i) => {
    for (const swap of i % 2 === 0 ? [TYPE_SWAPS[(i / 2) % TYPE_SWAPS.length], pick(TYPE_SWAPS)] : [pick(TYPE_SWAPS)]) {
      add("types", `${base.name} ${path.join(".")} = ${JSON.stringify(swap)}`, dump(withValue(data, path, swap)));
    }
  });
  // Missing keys: every mapping key of the two small fixtures, a sample of the others.
  const keyPaths = all.filter((p) => typeof p[p.length - 1] === "string");
  for (const path of base.name === "minimal.yaml" || base.name === "shaped-2d.yaml" ? keyPaths : sample(keyPaths, 12)) {
    add("missing", `${base.name} without ${path.join(".")}`, dump(withValue(data, path, DELETE)));
  }
  // Missing list items (an emptied list, a shortened shape).
  for (const path of sample(
    all.filter((p) => typeof p[p.length - 1] === "number"),
    6,
  )) {
    add("missing", `${base.name} without item ${path.join(".")}`, dump(withValue(data, path, DELETE)));
  }
  // Extra keys, hostile ones included, on every mapping.
  const mappings: Path[] = [[], ...all.filter((p) => isMapping(getAt(data, p)))];
  mappings.forEach((path, i) => {
    for (const key of [HOSTILE_KEYS[i % HOSTILE_KEYS.length], pick(HOSTILE_KEYS)]) {
      const copy = structuredClone(data);
      const target = getAt(copy, path) as Record<string, unknown>;
      if (key === "__proto__") Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
      else target[key] = pick(["v", 1, null, [1], { x: 1 }]);
      add("extra", `${base.name} ${path.join(".") || "(top)"} + key ${JSON.stringify(key).slice(0, 40)}`, dump(copy));
    }
  });
  // Extreme numbers at every numeric path.
  all
    .filter((p) => typeof getAt(data, p) === "number")
    .forEach((path, i) => {
      for (const n of [HUGE_NUMBERS[i % HUGE_NUMBERS.length], pick(HUGE_NUMBERS)]) {
        add("numbers", `${base.name} ${path.join(".")} = ${n}`, dump(withValue(data, path, n)));
      }
    });
  // Hostile strings at every string path.
  all
    .filter((p) => typeof getAt(data, p) === "string")
    .forEach((path, i) => {
      for (const s of [HOSTILE_STRINGS[i % HOSTILE_STRINGS.length], pick(HOSTILE_STRINGS)]) {
        add("strings", `${base.name} ${path.join(".")} = ${JSON.stringify(s).slice(0, 40)}`, dump(withValue(data, path, s)));
      }
    });
}

// Hand-made hostile files.
const MINIMAL = BASES.find((b) => b.name === "minimal.yaml")!.text;
const QUICKSTART = BASES.find((b) => b.name === "quickstart.yaml")!.text;
const nest = (n: number, open: string, close: string, inner = "1") => open.repeat(n) + inner + close.repeat(n);
const garbage = (bytes: number, seed: number) => {
  const r = createRng(seed);
  return Buffer.from(Array.from({ length: bytes }, () => Math.floor(r() * 256))).toString("utf8");
};
const laughs = (levels: number, fan: number) => {
  const lines = [`l0: &l0 [${Array(fan).fill('"lol"').join(", ")}]`];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(fan)
        .fill(`*l${i - 1}`)
        .join(", ")}]`,
    );
  return lines.join("\n") + "\n";
};
const hostile: [string, string][] = [
  ["empty file", ""],
  ["whitespace only", "   \n\n\t\n"],
  ["comment only", "# nothing here\n"],
  ["a list", "- version\n- 1\n"],
  ["a flow list", "[1, 2, 3]"],
  ["a number", "42\n"],
  ["a string", "hello world\n"],
  ["null", "~\n"],
  ["true", "true\n"],
  ["document end only", "...\n"],
  ["10,000 nested flow lists", "version: 1\nname: " + nest(10_000, "[", "]") + "\n"],
  ["10,000 nested lists in the top value", nest(10_000, "[", "]")],
  ["10,000 unclosed lists", "[".repeat(10_000)],
  ["5,000 nested flow maps", "version: 1\nname: " + nest(5_000, "{a: ", "}") + "\n"],
  ["10,000 nested block lists", "version: 1\nname:\n  " + "- ".repeat(10_000) + "x\n"],
  ["10,000 explicit keys", "? ".repeat(10_000) + "x\n"],
  ["200 indented maps", Array.from({ length: 200 }, (_, i) => " ".repeat(i) + "k:").join("\n") + " 1\n"],
  ["33 nested lists", "version: 1\nname: " + nest(33, "[", "]") + "\n"],
  ["31 nested lists", "version: 1\nname: " + nest(31, "[", "]") + "\n"],
  ["billion laughs 9×10", "version: 1\n" + laughs(9, 10)],
  ["billion laughs 30×2", "version: 1\n" + laughs(30, 2)],
  ["billion laughs into a field", laughs(6, 10) + "version: 1\nname: *l6\n"],
  ["alias bomb in a list field", MINIMAL + "x: &x [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "y: [" + Array(99).fill("*x").join(", ") + "]\n"],
  ["101 aliases of a scalar", "a: &a v\nb: [" + Array(101).fill("*a").join(", ") + "]\n"],
  ["self-referencing alias", "version: 1\nname: &n [*n]\n"],
  ["self-referencing map alias", "version: 1\ndatasets: &d [{name: a, shape: *d, dtype: int8}]\n"],
  ["alias to a later anchor", "version: 1\nname: *later\nother: &later x\n"],
  ["undefined alias", "version: 1\nname: *nowhere\n"],
  ["alias chain deeper than 32", Array.from({ length: 12 }, (_, i) => `a${i}: &a${i} [[[${i === 0 ? "1" : `*a${i - 1}`}]]]`).join("\n") + "\n"],
  ["harmless aliases", MINIMAL.replace("shape: [100]", "shape: &s [100]") + "# uses\n" + "description: &d plain\n"],
  ["anchored layout reused", MINIMAL.replace("{name: npy, backend: memmap}", "&l {name: npy, backend: memmap}\n  - *l")],
  ["merge key", MINIMAL + "base: &b {samples: 3}\nsampling: {<<: *b, warmup: 0}\n"],
  ["duplicate top key", MINIMAL + "name: again\n"],
  ["duplicate nested key", MINIMAL.replace("{name: a, shape: [100], dtype: int16}", "{name: a, name: b, shape: [100], dtype: int16}")],
  ["duplicate key via case", MINIMAL + "Name: x\n"],
  ["two documents", MINIMAL + "---\n" + MINIMAL],
  ["document start then doc", "---\n" + MINIMAL],
  ["document end then garbage", MINIMAL + "...\ngarbage: [\n"],
  ["empty second document", MINIMAL + "---\n"],
  ["YAML 1.1 directive", "%YAML 1.1\n---\n" + MINIMAL],
  ["unknown directive", "%EVIL yes\n---\n" + MINIMAL],
  ["TAG directive", "%TAG !e! tag:evil.com,2000:\n---\n" + MINIMAL.replace("name: minimal", "name: !e!x minimal")],
  ["!!binary", MINIMAL.replace("name: minimal", "name: !!binary aGVsbG8=")],
  ["!!js/function", MINIMAL.replace("name: minimal", "name: !!js/function 'function () { process.exit(3) }'")],
  ["!!js/regexp", MINIMAL.replace("name: minimal", "name: !!js/regexp /x/")],
  ["!!python/object", MINIMAL.replace("name: minimal", "name: !!python/object/apply:os.system ['true']")],
  ["!foo on a scalar", MINIMAL.replace("name: minimal", "name: !foo minimal")],
  ["!foo on a mapping", MINIMAL.replace("{name: npy, backend: memmap}", "!foo {name: npy, backend: memmap}")],
  ["verbatim tag", MINIMAL.replace("name: minimal", "name: !<tag:evil.com:x> minimal")],
  ["!!set", MINIMAL + "cache: !!set {cold, warm}\n"],
  ["!!omap", MINIMAL + "sampling: !!omap [{samples: 3}]\n"],
  ["!!timestamp", MINIMAL.replace("version: 1", "version: !!timestamp 2001-12-14")],
  ["!!map on a list", MINIMAL.replace("shape: [100]", "shape: !!map [100]")],
  ["!!int on a word", MINIMAL.replace("shape: [100]", "shape: [!!int hundred]")],
  ["!!float on a word", MINIMAL.replace("version: 1", "version: !!float one")],
  ["!!str on a number (harmless to the parser)", MINIMAL.replace("version: 1", "version: !!str 1")],
  ["!!int on a string (harmless)", MINIMAL.replace("version: 1", 'version: !!int "1"')],
  ["very long key", MINIMAL + "k".repeat(2000) + ": 1\n"],
  ["very long quoted key", MINIMAL + JSON.stringify("q".repeat(5000)) + ": 1\n"],
  ["complex key", MINIMAL + "? [a, b]\n: c\n"],
  ["complex mapping key", MINIMAL + "? {a: [1, 2, 3]}\n: c\n"],
  ["null key", MINIMAL + "~: c\n"],
  ["numeric key", MINIMAL + "1: c\n"],
  ["many unknown keys", MINIMAL + Array.from({ length: 500 }, (_, i) => `extra${i}: ${i}`).join("\n") + "\n"],
  [
    "1,000 datasets",
    MINIMAL.replace(
      "  - {name: a, shape: [100], dtype: int16}",
      Array.from({ length: 1000 }, (_, i) => `  - {name: d${i}, shape: [10], dtype: int8}`).join("\n"),
    ),
  ],
  ["5,000-item shape", MINIMAL.replace("shape: [100]", `shape: [${Array(5000).fill(7).join(", ")}]`)],
  [
    "64 layouts × 16 datasets of problems",
    [
      "version: 1",
      "name: wide",
      "datasets:",
      ...Array.from({ length: 16 }, (_, i) => `  - {name: d${i}, shape: [${i + 1}, 3], dtype: uint64}`),
      "layouts:",
      ...Array.from({ length: 64 }, (_, i) => `  - {name: z${i}, backend: zarr, chunks: [9, 9, 9], codec: {name: blosc, level: 30}}`),
      "patterns:",
      ...Array.from({ length: 64 }, (_, i) => `  - {name: p${i}, kind: tiles, shape: [4, 4], count: 2000000}`),
    ].join("\n") + "\n",
  ],
  ["32,769 tokens", "a: [" + "1,".repeat(11_000) + "1]\n"],
  ["just over the size limit", MINIMAL + "#".repeat(MAX_SCENARIO_BYTES) + "\n"],
  ["3 MiB file", MINIMAL + ("# " + "padding ".repeat(12) + "\n").repeat(30_000)],
  ["3 MiB single line", "description: " + "x".repeat(3 * 1024 * 1024) + "\n"],
  ["very long description", MINIMAL + "description: " + "d".repeat(40_000) + "\n"],
  ["description at the limit", MINIMAL + "description: " + "d".repeat(2000) + "\n"],
  ["NUL bytes in the text", MINIMAL.replace("name: minimal", "name: mini\0mal")],
  ["NUL byte at the start", "\0" + MINIMAL],
  ["control characters in the text", MINIMAL.replace("name: minimal", "name: mi\u0001\u0002\u001bnimal")],
  ["escaped NUL in a key", MINIMAL + '"nul\\0key": 1\n'],
  ["escaped bidi override in a value", MINIMAL.replace("name: minimal", 'name: "\\u202Eevil"')],
  ["line separator in a value", MINIMAL.replace("name: minimal", 'name: "a\\Lb"')],
  ["byte order mark", "\ufeff" + MINIMAL],
  ["two byte order marks", "\ufeff\ufeff" + MINIMAL],
  ["CRLF line ends", MINIMAL.replace(/\n/g, "\r\n")],
  ["CR line ends", MINIMAL.replace(/\n/g, "\r")],
  ["tab indentation", MINIMAL.replace("  - {name: a", "\t- {name: a")],
  ["unclosed quote", MINIMAL.replace("name: minimal", 'name: "minimal')],
  ["unclosed flow map", MINIMAL.replace("{name: npy, backend: memmap}", "{name: npy, backend: memmap")],
  ["bad escape", MINIMAL.replace("name: minimal", 'name: "\\q"')],
  ["block scalar name", MINIMAL.replace("name: minimal", "name: |\n  minimal\n")],
  ["folded name with newline", MINIMAL.replace("name: minimal", "name: >\n  mini\n\n  mal\n")],
  ["random bytes 1 KiB", garbage(1024, 1)],
  ["random bytes 16 KiB", garbage(16 * 1024, 2)],
  ["random bytes 100 KiB", garbage(100 * 1024, 3)],
  ["random printable", Array.from({ length: 4000 }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join("")],
  [
    "random YAML punctuation",
    Array.from({ length: 4000 }, () =>
      pick(["[", "]", "{", "}", ":", "-", "?", ",", "&a", "*a", "!", "|", ">", "'", '"', "#", "\n", " ", "  ", "x", "1"]),
    ).join(""),
  ],
  ["truncated quickstart", QUICKSTART.slice(0, Math.floor(QUICKSTART.length / 2))],
  [
    "quickstart with every other line",
    QUICKSTART.split("\n")
      .filter((_, i) => i % 2 === 0)
      .join("\n"),
  ],
];
for (const [label, text] of hostile) add("hostile", label, text);
// Random single-character damage to the bases.
for (let i = 0; i < 40; i++) {
  const base = pick(BASES);
  const at = Math.floor(random() * base.text.length);
  const damage = pick(["", "\0", "[", "]", "{", ":", "\n", "\t", "&x ", "*x", "!!", "'", "\ufffd", "😀", "-", "  "]);
  add("damage", `${base.name} @${at} ${JSON.stringify(damage)}`, base.text.slice(0, at) + damage + base.text.slice(at + 1));
}

// ---- running one case ---------------------------------------------------------------------------

type Outcome = { ok: true; scenario: Scenario } | { ok: false; lines: readonly string[] };

/** Why `lines` (from a UserError about `file`) are not what users should see, or undefined. */
function lineProblem(lines: readonly string[], file: string): string | undefined {
  if (lines.length === 0) return "no lines";
  for (const line of lines) {
    if (typeof line !== "string") return `not a string: ${String(line)}`;
    const shown = JSON.stringify(line.slice(0, 160));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test checks that messages hold no control characters
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(line)) return `a line break or control character in ${shown}`;
    if (!line.startsWith(file + ":")) return `does not start with the file name: ${shown}`;
    if (!/^[^:]+(:\d+)?: \S/.test(line)) return `not FILE[:LINE]: MESSAGE: ${shown}`;
    if (line.length >= MAX_LINE) return `${line.length} characters: ${shown}`;
    if (line.includes("[object Object]")) return `[object Object] in ${shown}`;
    if (/\bundefined\b/.test(line)) return `"undefined" in ${shown}`;
    if (hasStack(line) || /\bat .+:\d+:\d+/.test(line)) return `a stack frame in ${shown}`;
  }
  return undefined;
}

/** Why an accepted scenario is not safe to run, or undefined. */
function scenarioProblem(s: Scenario, file: string): string | undefined {
  if (s.file !== file || !/^[0-9a-f]{64}$/.test(s.hash)) return "file or hash not recorded";
  // Names become path components: none may escape its folder.
  for (const name of [s.name, ...s.datasets.map((d) => d.name), ...s.layouts.map((l) => l.name), ...s.patterns.map((p) => p.name)]) {
    if (!NAME_PATTERN.test(name) || name.includes("/") || name.includes("\0") || name === ".." || name.length > 64) {
      return `unsafe name ${JSON.stringify(name)}`;
    }
  }
  if (expandCases(s).length === 0) return "no cases";
  // What the loader accepts, the runner can expand.
  for (const dataset of s.datasets) {
    if (elementCount(dataset.shape) > MAX_ELEMENTS) return `dataset ${dataset.name} has too many elements`;
    for (const pattern of s.patterns) {
      const p = patternFor(pattern, dataset.shape.length);
      const selections = expandPattern(p, dataset.shape, itemSize(dataset.dtype));
      if (selections.length > MAX_SELECTIONS || !selections.every((sel) => fitsShape(sel, dataset.shape))) {
        return `pattern ${p.name} on ${dataset.name} makes bad selections`;
      }
    }
  }
  return undefined;
}

function run(text: string, file: string): Outcome {
  try {
    return { ok: true, scenario: parseScenario(text, file) };
  } catch (err) {
    if (err instanceof UserError) return { ok: false, lines: err.lines };
    throw err;
  }
}

const timings: { label: string; ms: number }[] = [];

/** Runs every case of a category; collects failures so one report lists them all. */
function runCategory(category: string): { failures: string[]; accepted: number; refused: number } {
  const failures: string[] = [];
  let accepted = 0;
  let refused = 0;
  cases.forEach((c, index) => {
    if (c.category !== category) return;
    const file = `fuzz/${category}-${index}.yaml`;
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      outcome = run(c.text, file);
    } catch (err) {
      failures.push(
        `${c.label}: threw ${(err as Error)?.name ?? typeof err}: ${String((err as Error)?.message ?? err)
          .split("\n")[0]
          .slice(0, 200)}`,
      );
      return;
    } finally {
      timings.push({ label: `${category}: ${c.label}`, ms: performance.now() - t0 });
    }
    let problem: string | undefined;
    try {
      problem = outcome.ok ? scenarioProblem(outcome.scenario, file) : lineProblem(outcome.lines, file);
    } catch (err) {
      problem = `accepted, but then ${(err as Error).name}: ${(err as Error).message.slice(0, 200)}`;
    }
    if (problem) failures.push(`${c.label}: ${problem}`);
    if (outcome.ok) accepted++;
    else refused++;
  });
  return { failures, accepted, refused };
}

// ---- the tests ----------------------------------------------------------------------------------

describe("scenario loader fuzzing", { timeout: 120_000 }, () => {
  test(`at least 400 cases`, () => {
    assert.ok(cases.length >= 400, `${cases.length} cases`);
  });

  for (const category of [...new Set(cases.map((c) => c.category))]) {
    test(`${category}: a Scenario or one-line UserErrors, nothing else`, (t) => {
      const { failures, accepted, refused } = runCategory(category);
      t.diagnostic(`${accepted + refused} cases: ${accepted} accepted, ${refused} refused`);
      assert.deepEqual(failures.slice(0, 15), [], `${failures.length} failing cases`);
    });
  }

  test(`no case takes ${SLOWEST_ALLOWED_MS} ms or more`, (t) => {
    const slowest = [...timings].sort((a, b) => b.ms - a.ms);
    t.diagnostic(
      `${timings.length} cases in ${Math.round(timings.reduce((a, b) => a + b.ms, 0))} ms; slowest: ` +
        slowest
          .slice(0, 3)
          .map((s) => `${s.label.slice(0, 60)} ${Math.round(s.ms)} ms`)
          .join("; "),
    );
    assert.equal(timings.length, cases.length, "every case ran");
    assert.ok(slowest[0].ms < SLOWEST_ALLOWED_MS, `${slowest[0].label}: ${Math.round(slowest[0].ms)} ms`);
  });

  test("patternProblem never throws, and what it accepts expands within bounds", () => {
    const sizes = [1, 2, 3, 7, 64, 1000, 2 ** 20, 2 ** 31, 2 ** 50, 2 ** 53 - 1];
    const counts = [1, 2, 999, MAX_SELECTIONS, MAX_SELECTIONS + 1, 2 ** 53 - 1];
    const failures: string[] = [];
    for (let i = 0; i < 400; i++) {
      const rank = 1 + Math.floor(random() * 4);
      const shape = Array.from({ length: rank }, () => pick(sizes));
      const block = () => Array.from({ length: pick([rank, rank, rank, rank - 1 || 2, rank + 1]) }, () => pick(sizes));
      const order = pick(["random", "sequential"] as const);
      const pattern: PatternShape = pick<() => PatternShape>([
        () => ({ kind: "full", bandBytes: pick([1, 4096, 2 ** 28, 2 ** 53 - 1, Infinity]) }),
        () => ({ kind: "slices", axis: pick([0, rank - 1, rank, 2 ** 53 - 1]), width: pick(sizes), count: pick(counts), order }),
        () => ({ kind: "tiles", shape: block(), count: pick(counts), order, aligned: random() < 0.5 }),
        () => ({ kind: "points", count: pick(counts) }),
        () => ({ kind: "chunks", shape: block(), count: pick(counts) }),
        () => ({ kind: "strided", step: block() }),
      ])();
      const label = `${JSON.stringify(pattern)} on [${shape}]`;
      try {
        const problem = patternProblem(pattern, shape, pick([1, 2, 4, 8]));
        if (problem) {
          if (problem.message.includes("\n") || problem.message.length > 300) failures.push(`${label}: bad message ${problem.message}`);
          continue;
        }
        // Expanding is what the runner does; only affordable for small outputs.
        const small =
          elementCount(shape) <= MAX_ELEMENTS && ("count" in pattern ? pattern.count <= 1000 : true) && (pattern.kind !== "full" || shape[0] <= 1000);
        if (small) {
          const seed = pick([0, 1, 2 ** 32, 2 ** 53 - 1]);
          const spec = { ...pattern, name: "p", label: pattern.kind, op: "read" as const, flush: false, seed, weight: 1 };
          const selections = expandPattern(spec, shape, 8);
          if (!selections.every((sel) => fitsShape(sel, shape))) failures.push(`${label}: selections outside the array`);
        }
      } catch (err) {
        failures.push(`${label}: threw ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures.slice(0, 10), []);
  });
});

/** Inputs that broke the loader before, with the exact lines they get now. */
describe("fuzzing finds, fixed", () => {
  const M =
    "version: 1\nname: m\ndatasets: [{name: a, shape: [100], dtype: int16}]\nlayouts: [{name: npy, backend: memmap}]\npatterns: [{name: full, kind: full}]\n";
  const NOT_PLAIN = "is not supported; a scenario holds plain strings, numbers, true/false, null, lists and mappings";
  const regressions: [string, string, string[]][] = [
    // Was "YAML syntax error: Source contains multiple documents; please use YAML.parseAllDocuments()".
    [
      "a second document",
      M + "---\n" + M,
      ["f.yaml:6: YAML error: a second YAML document starts here (a line ---); a scenario file holds one document: remove it or split the file"],
    ],
    // Was "YAML syntax error: Maximum call stack size exceeded", after up to seconds of stack overflows.
    [
      "10,000 nested lists",
      "version: 1\nname: " + "[".repeat(10_000) + "]".repeat(10_000),
      ["f.yaml:2: YAML error: nesting is more than 32 levels deep; a scenario needs far fewer"],
    ],
    [
      "10,000 nested block lists",
      "name:\n  " + "- ".repeat(10_000) + "x\n",
      ["f.yaml:2: YAML error: more than 512 levels of indentation and nesting on one line; a scenario needs far fewer"],
    ],
    // Was a TypeError (circular structure to JSON) while quoting the value.
    [
      "an alias inside its own anchor",
      "version: 1\nname: &n [*n]\n",
      ["f.yaml:2: YAML error: alias *n is inside the node it refers to; aliases must not form a cycle"],
    ],
    // Was one "unknown key … (allowed: …)" per key on one line, raw newline and 300 k's included.
    [
      "odd unknown keys",
      M + '"a\\nb": 1\nc: 2\n"' + "k".repeat(300) + '": 3\nnmae: 4\n',
      [
        'f.yaml:1: (top level): unknown keys "a\\nb", "c", "kkkkkkkkkkkkkkkkkkkkkkkk…" (300 characters) and 1 more (allowed: version, name, description, datasets, layouts, patterns, cache, storage, eviction, sampling, recommendation, engines, readers, memoryBudget)',
      ],
    ],
    // Was the whole list as JSON (a 1,000-character line).
    [
      "a short list of a long string",
      M.replace("name: m", "name: [" + JSON.stringify("x".repeat(1000)) + "]"),
      ["f.yaml:2: name: expected a string, got a list of 1 item"],
    ],
    // Was "version null" (JSON.stringify(NaN)).
    [
      "version .nan",
      M.replace("version: 1", "version: .nan"),
      ["f.yaml:1: version: this scenario has version NaN; this layoutbench reads version 1: rewrite it for version 1 or use a layoutbench that reads it"],
    ],
    // Was printed raw: a right-to-left override, a line separator and NEL reached the terminal.
    [
      "invisible characters",
      M.replace("name: m", 'name: "\\u202Eevil\\L\\N"'),
      [
        "f.yaml:2: name: expected a name of 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit, got \"\\u202eevil\\u2028\\u0085\"",
      ],
    ],
    // Was accepted: the unknown tag was dropped and the text read as a string.
    ["a custom tag", M.replace("name: m", "name: !foo m"), [`f.yaml:2: YAML error: tag !foo ${NOT_PLAIN}`]],
    // Were read as a Uint8Array and a Set, reported as "got a mapping".
    ["!!binary", M.replace("name: m", "name: !!binary aGVsbG8="), [`f.yaml:2: YAML error: tag !!binary ${NOT_PLAIN}`]],
    ["!!set", M + "cache: !!set {cold, warm}\n", [`f.yaml:6: YAML error: tag !!set ${NOT_PLAIN}`]],
    [
      "a core tag on the wrong value",
      M.replace("shape: [100]", "shape: [!!int hundred]"),
      ["f.yaml:3: YAML error: tag !!int does not fit the value it is on; a scenario needs no tags: remove it"],
    ],
    // parseScenario had no size limit, and 1 MiB of `1,` took 8 s to parse.
    ["over the size limit", M + "#".repeat(70_000), ["f.yaml: scenario file is 70146 bytes; at most 65536 bytes are allowed"]],
    [
      "too many tokens",
      M + "x: [" + "1,".repeat(11_000) + "1]\n",
      ["f.yaml: YAML error: more than 32768 YAML tokens (keys, values, punctuation, line breaks); a scenario needs far fewer"],
    ],
    // Did not say what was found.
    ["a long description", M + "description: " + "d".repeat(2001) + "\n", ["f.yaml:6: description: expected at most 2000 characters, got 2001"]],
    // Was "got number".
    ["a number", "42\n", ["f.yaml: expected a mapping with version, name, datasets, layouts and patterns, got 42"]],
    // Was accepted: minSamples was silently lowered to samples, so the check never fired.
    ["minSamples over samples", M + "sampling: {samples: 3, minSamples: 5}\n", ["f.yaml:6: sampling.minSamples: 5 is more than samples (3)"]],
    // Were accepted, and the run then failed allocating one entry per selection (or ran for ever).
    [
      "a huge count",
      M.replace("{name: full, kind: full}", "{name: p, kind: points, count: 9007199254740991}"),
      ["f.yaml:5: patterns[0].count: count 9007199254740991 is more than the 1000000 selections a pattern may make"],
    ],
    [
      "tiny bands",
      M.replace("shape: [100]", "shape: [2000000, 10]").replace("{name: full, kind: full}", "{name: full, kind: full, bandBytes: 1}"),
      ["f.yaml:5: patterns[0].bandBytes: bandBytes 1 cuts this array into 2000000 bands; at most 1000000 are allowed: use larger bands"],
    ],
    ["a huge warmup", M + "sampling: {warmup: 1000000}\n", ["f.yaml:6: sampling.warmup: expected a number <= 100000, got 1000000"]],
    // Was "8.112963841460666e+31 elements".
    [
      "a huge shape",
      M.replace("shape: [100]", "shape: [9007199254740991, 9007199254740991]"),
      ["f.yaml:3: datasets[0].shape: about 8.11e+31 elements is more than the 1125899906842624 (2^50) allowed"],
    ],
  ];
  for (const [label, text, expected] of regressions) {
    test(label, () => {
      const outcome = run(text, "f.yaml");
      assert.deepEqual(outcome.ok ? "accepted" : outcome.lines, expected);
    });
  }

  test("complex keys print no warning of the YAML parser", async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    try {
      const outcome = run(M + "? [a, b]\n: c\n", "f.yaml");
      assert.deepEqual(outcome.ok ? "accepted" : outcome.lines, [
        'f.yaml:1: (top level): unknown key "[ a, b ]" (allowed: version, name, description, datasets, layouts, patterns, cache, storage, eviction, sampling, recommendation, engines, readers, memoryBudget)',
      ]);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listener);
    }
    assert.deepEqual(warnings, []);
  });
});

const CLI_READY = existsSync(join(PROJECT_ROOT, "harness", "cli", "report.ts"));

describe("a sample through the real CLI", { timeout: 120_000 }, () => {
  test("validate: exit 1 with the same lines (0 for valid files), no stack, nothing written", {
    skip: CLI_READY ? false : "harness/cli/report.ts is not written yet (the CLI cannot start)",
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), "layoutbench-fuzz-"));
    const cache = join(dir, "cache-must-stay-absent");
    try {
      const labels = [
        "empty file",
        "a list",
        "a number",
        "10,000 nested flow lists",
        "billion laughs 9×10",
        "self-referencing alias",
        "two documents",
        "!!js/function",
        "!foo on a mapping",
        "3 MiB file",
        "random bytes 16 KiB",
        "many unknown keys",
        "NUL bytes in the text",
        "escaped bidi override in a value",
        "harmless aliases",
        "CRLF line ends",
      ];
      const chosen = labels.map((label) => cases.find((c) => c.label === label)!);
      chosen.push(
        ...sample(
          cases.filter((c) => c.category === "types"),
          2,
        ),
        ...sample(
          cases.filter((c) => c.category === "strings"),
          2,
        ),
      );
      const files = chosen.map((c, i) => {
        const file = join(dir, `case-${i}.yaml`);
        writeFileSync(file, c.text);
        return file;
      });
      const expected = files.map((file) => run(readFileSync(file, "utf8"), file));
      assert.ok(expected.some((o) => o.ok) && expected.some((o) => !o.ok), "the sample mixes valid and invalid files");

      const env = { LAYOUTBENCH_CACHE: cache };
      const all = cli(["validate", ...files], { env });
      assert.equal(all.code, 1, all.stderr);
      assert.ok(!hasStack(all.stdout + all.stderr), all.stderr.slice(0, 2000));
      const errors = expected.flatMap((o) => (o.ok ? [] : o.lines));
      assert.equal(all.stderr, errors.map((l) => l + "\n").join(""));
      const valid = files.filter((_, i) => expected[i].ok);
      for (const file of valid) assert.match(all.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ok \\(\\d+ cases\\)$`, "m"));

      const ok = cli(["validate", ...valid], { env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, "");

      assert.ok(!existsSync(cache), "validate created the dataset cache");
      assert.deepEqual(readdirSync(dir).sort(), files.map((f) => f.slice(dir.length + 1)).sort(), "validate wrote files");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
