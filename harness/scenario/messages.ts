/**
 * Turns schema issues into the one-line messages users see: what was found, what is allowed,
 * and the nearest allowed word when a key or value looks misspelt.
 */
import type { core } from "zod";
import { hint, INVISIBLE, quote } from "../core/words.ts";

export { nearest, quote, unknownKeysMessage } from "../core/words.ts";

/** Text from elsewhere (a YAML parser message, a tag) made into at most `max` characters of one line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " ").replace(INVISIBLE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}

/** A short, printable, one-line rendering of a value found in the file (never its whole contents). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) {
    // Short lists of short scalars are shown (like JSON, but NaN and Infinity as such); others are counted.
    const plain =
      value.length <= 8 && value.every((v) => v === null || typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && v.length <= 20));
    if (plain) return "[" + value.map((v) => (typeof v === "string" ? quote(v) : String(v))).join(",") + "]";
    return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  }
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function typeName(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    default:
      return expected;
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
        const allowed = (issue as unknown as { options: unknown[] }).options.map(String);
        const value = valueAt(root, issue.path);
        if (value === undefined) return `missing (allowed: ${allowed.join(", ")})`;
        const h = typeof value === "string" ? hint(value, allowed) : "";
        return `expected one of ${allowed.join(", ")}, got ${found}${h}`;
      }
      // A schema that words its own union message (scenario/storage-schema.ts) is taken at its word.
      if (issue.message && issue.message !== "Invalid input") return issue.message;
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
      if (issue.origin === "array")
        return `expected at most ${bound} items, got ${Array.isArray(valueAt(root, issue.path)) ? (valueAt(root, issue.path) as unknown[]).length : found}`;
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
