/**
 * sha256 digests: of text, of canonical JSON (keys sorted, so a hash does not depend on key order),
 * and of an array's bytes (how reads are verified without keeping their values).
 */
import { createHash } from "node:crypto";
import type { TypedArray } from "./dtype.ts";

/** Stable JSON: keys sorted, so the hash does not depend on key order in the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return "{" + entries.map(([k, v]) => JSON.stringify(k) + ":" + canonicalJson(v)).join(",") + "}";
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 (hex) of the array's bytes: for generator output, the C-order bytes the worker digests. */
export function digestOf(data: TypedArray): string {
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}
