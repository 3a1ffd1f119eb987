/**
 * Turns schema issues into the one-line messages users see: what was found, what is allowed,
 * and the nearest allowed word when a key or value looks misspelt.
 */
import type { core } from "zod";

/** Words longer than this get no "did you mean" guess. */
const MAX_GUESS_LENGTH = 64;
/** Characters of a string from the file shown in a message; the rest is elided. */
const MAX_QUOTED = 40;
/** Unknown keys named in one message; the rest are counted. */
const MAX_KEYS_NAMED = 3;
/** Characters that would break a one-line message or change how a terminal shows it: C0/C1
 * controls (JSON.stringify escapes C0 only), line and paragraph separators, bidi overrides,
 * zero-width and byte-order marks. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/** Levenshtein distance, small inputs only (keys and enum values). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The allowed word closest to `word`, if close enough to be a likely typo. */
export function nearest(word: string, allowed: readonly string[]): string | undefined {
  // Allowed words are short: a long word cannot be a typo of one, and comparing it costs O(length).
  if (word.length > MAX_GUESS_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // One- and two-letter words (C, F) are too short for a guess to mean anything.
  if (best === undefined || best.length < 3) return undefined;
  return bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function hint(word: string, allowed: readonly string[]): string {
  const near = nearest(word, allowed);
  return near ? `; did you mean "${near}"?` : "";
}

/**
 * A string from the file as it appears in a message: in double quotes, escaped so that it stays on
 * one line and shows every invisible character, and cut after `max` characters (saying how long it is).
 */
export function quote(text: string, max = MAX_QUOTED): string {
  const escape = (t: string) => JSON.stringify(t).replace(INVISIBLE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  if (text.length <= max) return escape(text);
  // Cut at a code point, so no half of a surrogate pair is shown.
  const points = Array.from(text);
  if (points.length <= max) return escape(text);
  return `${escape(points.slice(0, max).join("")).slice(0, -1)}…" (${points.length} characters)`;
}

/** Text from elsewhere (a YAML parser message, a tag) made into at most `max` characters of one line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " ").replace(INVISIBLE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}

export function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const shown = allowed.filter((k) => k !== "$schema");
  if (keys.length === 1) return `unknown key ${quote(keys[0])} (allowed: ${shown.join(", ")})${hint(keys[0], shown)}`;
  // Several keys share one line: name the first few (shorter), count the rest.
  const named = keys.slice(0, MAX_KEYS_NAMED);
  const more = keys.length - named.length;
  const guesses = named.flatMap((k) => {
    const near = nearest(k, shown);
    return near ? [`"${near}" for ${quote(k, 24)}`] : [];
  });
  return `unknown keys ${named.map((k) => quote(k, 24)).join(", ")}${more > 0 ? ` and ${more} more` : ""} ` +
    `(allowed: ${shown.join(", ")})${guesses.length ? `; did you mean ${guesses.join(", ")}?` : ""}`;
}

/** A short, printable, one-line rendering of a value found in the file (never its whole contents). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) {
    // Short lists of short scalars are shown (like JSON, but NaN and Infinity as such); others are counted.
    const plain = value.length <= 8 && value.every((v) =>
      v === null || typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && v.length <= 20));
    if (plain) return "[" + value.map((v) => (typeof v === "string" ? quote(v) : String(v))).join(",") + "]";
    return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  }
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function typeName(expected: string): string {
  switch (expected) {
    case "object": return "a mapping";
    case "array": return "a list";
    case "number": return "a number";
    case "int": return "a whole number";
    case "string": return "a string";
    case "boolean": return "true or false";
    default: return expected;
  }
}

/** The value at `path` inside `root`, or undefined. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** One message for one schema issue; `root` is the whole parsed file (to quote what was found). */
export function issueMessage(issue: core.$ZodIssue, root: unknown): string {
  const found = describeValue(valueAt(root, issue.path));
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.message;
    case "invalid_type":
      if (found === "nothing") return `missing (expected ${typeName(issue.expected)})`;
      return `expected ${typeName(issue.expected)}, got ${found}`;
    case "invalid_value": {
      const allowed = issue.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      const value = valueAt(root, issue.path);
      const h = typeof value === "string" ? hint(value, allowed) : "";
      if (value === undefined) return `missing (allowed: ${allowed.join(", ")})`;
      return `expected ${allowed.length === 1 ? allowed[0] : "one of " + allowed.join(", ")}, got ${found}${h}`;
    }
    case "invalid_union": {
      if ("discriminator" in issue && Array.isArray((issue as { options?: unknown }).options)) {
        const allowed = ((issue as unknown as { options: unknown[] }).options).map(String);
        const value = valueAt(root, issue.path);
        if (value === undefined) return `missing (allowed: ${allowed.join(", ")})`;
        const h = typeof value === "string" ? hint(value, allowed) : "";
        return `expected one of ${allowed.join(", ")}, got ${found}${h}`;
      }
      return `expected ${unionExpectation(issue)}, got ${found}`;
    }
    case "too_small": {
      const bound = Number(issue.minimum);
      if (issue.origin === "array") return `expected at least ${bound} item${bound === 1 ? "" : "s"}, got ${found}`;
      if (issue.origin === "string") return `expected at least ${bound} characters, got ${found}`;
      return `expected a number ${issue.inclusive ? ">=" : ">"} ${bound}, got ${found}`;
    }
    case "too_big": {
      const bound = Number(issue.maximum);
      if (issue.origin === "array") return `expected at most ${bound} items, got ${Array.isArray(valueAt(root, issue.path)) ? (valueAt(root, issue.path) as unknown[]).length : found}`;
      if (issue.origin === "string") {
        const value = valueAt(root, issue.path);
        return `expected at most ${bound} characters${typeof value === "string" ? `, got ${value.length}` : ""}`;
      }
      return `expected a number ${issue.inclusive ? "<=" : "<"} ${bound}, got ${found}`;
    }
    case "invalid_format":
      return `${issue.message}, got ${found}`;
    case "custom":
      return issue.message;
    default:
      return `${issue.message}, got ${found}`;
  }
}

function unionExpectation(issue: core.$ZodIssueInvalidUnion): string {
  // A union of a name and a mapping (codecs): say both forms.
  const kinds = new Set<string>();
  for (const branch of issue.errors) {
    for (const sub of branch) {
      if (sub.code === "invalid_type") kinds.add(typeName(sub.expected));
      if (sub.code === "invalid_value") kinds.add("one of " + sub.values.join(", "));
    }
  }
  return kinds.size ? [...kinds].join(" or ") : "a valid value";
}

/** `layouts[2].chunks` from `["layouts", 2, "chunks"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(top level)";
}

/** `4 PiB`, `1.5 GiB`: a byte count in binary units, for messages that also give the exact count. */
export function binaryBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  let value = bytes;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${Number.isInteger(value) ? value : value.toPrecision(3)} ${units[i]}`;
}
