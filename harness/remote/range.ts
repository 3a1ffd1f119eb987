/**
 * HTTP byte ranges (RFC 9110 §14): the three single-range forms a client asks for, the header that
 * asks for them, and the server side's resolution of a `Range` header against an object's size.
 * Pure: the client (remote/) and the servers the harness starts (servers/) share it.
 */

/** A byte range of an object: `length` bytes from `offset`, everything from `offset`, or the last `suffix` bytes. */
export type RangeRequest = { readonly offset: number; readonly length: number } | { readonly offset: number } | { readonly suffix: number };

/** The `Range` header value for `range`, e.g. `bytes=0-99`, `bytes=100-`, `bytes=-16`. @throws RangeError for negative or empty ranges. */
export function formatRange(range: RangeRequest): string {
  if ("suffix" in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0) throw new RangeError(`suffix range needs a positive integer, got ${range.suffix}`);
    return `bytes=-${range.suffix}`;
  }
  if (!Number.isSafeInteger(range.offset) || range.offset < 0) throw new RangeError(`range offset must be a non-negative integer, got ${range.offset}`);
  if (!("length" in range)) return `bytes=${range.offset}-`;
  if (!Number.isSafeInteger(range.length) || range.length <= 0) throw new RangeError(`range length must be a positive integer, got ${range.length}`);
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

/** How a server answers a request's `Range` header for an object of a known size. */
export type RangeResolution =
  | { readonly kind: "full" } // no Range header, or one the server ignores (multi-range, other units)
  | { readonly kind: "partial"; readonly start: number; readonly end: number } // inclusive end, as in Content-Range
  | { readonly kind: "unsatisfiable" };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * Resolves a `Range` header against `size` bytes. Multi-range (`bytes=0-1,5-6`) and unknown units
 * get the whole object (RFC 9110 lets a server ignore Range); a malformed single range is ignored
 * the same way; a syntactically valid range that selects nothing is unsatisfiable (416).
 */
export function resolveRange(header: string | undefined, size: number): RangeResolution {
  if (header === undefined) return { kind: "full" };
  const match = SINGLE.exec(header.trim());
  if (!match) return { kind: "full" };
  const [, first, last] = match;
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Number(last);
  if (end < start) return { kind: "full" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}

/** The `Content-Range` header of a partial answer (`bytes 0-99/1000`) or of a 416 (`bytes *\/1000`). */
export function formatContentRange(resolution: RangeResolution, size: number): string | undefined {
  if (resolution.kind === "partial") return `bytes ${resolution.start}-${resolution.end}/${size}`;
  if (resolution.kind === "unsatisfiable") return `bytes */${size}`;
  return undefined;
}

/** The object size a `Content-Range` header states (`bytes 0-99/1000` → 1000); undefined when absent or `*`. */
export function sizeFromContentRange(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /\/(\d+)\s*$/.exec(header);
  return match ? Number(match[1]) : undefined;
}

/** Bytes a range asks for out of an object of `size` bytes (what a correct server returns). */
export function rangeLength(range: RangeRequest | undefined, size: number): number {
  if (range === undefined) return size;
  if ("suffix" in range) return Math.min(range.suffix, size);
  if (!("length" in range)) return Math.max(0, size - range.offset);
  return Math.max(0, Math.min(range.length, size - range.offset));
}
