/**
 * Turns schema issues into the one-line messages users see: what was found, what is allowed,
 * and the nearest allowed word when a key or value looks misspelt.
 */
import type { core } from "zod";

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

export function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const shown = allowed.filter((k) => k !== "$schema");
  return keys
    .map((k) => `unknown key "${k}" (allowed: ${shown.join(", ")})${hint(k, shown)}`)
    .join("; ");
}

/** A short, printable rendering of a value found in the file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length > 8 ? `a list of ${value.length} items` : JSON.stringify(value);
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
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
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
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
      if (issue.origin === "string") return `expected at most ${bound} characters`;
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
