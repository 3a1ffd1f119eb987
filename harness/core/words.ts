/**
 * Words from a user's file in one-line messages: quoted safely, and the nearest allowed word when
 * one looks misspelt. Pure and dependency-free, so every schema (the scenario's and the backends'
 * layout vocabularies) can name unknown keys the same way.
 */
/** Words longer than this get no "did you mean" guess. */
const MAX_GUESS_LENGTH = 64;
/** Characters of a string from the file shown in a message; the rest is elided. */
const MAX_QUOTED = 40;
/** Unknown keys named in one message; the rest are counted. */
const MAX_KEYS_NAMED = 3;
/** Characters that would break a one-line message or change how a terminal shows it: C0/C1
 * controls (JSON.stringify escapes C0 only), line and paragraph separators, bidi overrides,
 * zero-width and byte-order marks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose of this pattern
export const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

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

export function hint(word: string, allowed: readonly string[]): string {
  const near = nearest(word, allowed);
  return near ? `; did you mean "${near}"?` : "";
}

/**
 * A string from the file as it appears in a message: in double quotes, escaped so that it stays on
 * one line and shows every invisible character, and cut after `max` characters (saying how long it is).
 */
export function quote(text: string, max = MAX_QUOTED): string {
  const escapeInvisible = (t: string) => JSON.stringify(t).replace(INVISIBLE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  if (text.length <= max) return escapeInvisible(text);
  // Cut at a code point, so no half of a surrogate pair is shown.
  const points = Array.from(text);
  if (points.length <= max) return escapeInvisible(text);
  return `${escapeInvisible(points.slice(0, max).join("")).slice(0, -1)}…" (${points.length} characters)`;
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
  return (
    `unknown keys ${named.map((k) => quote(k, 24)).join(", ")}${more > 0 ? ` and ${more} more` : ""} ` +
    `(allowed: ${shown.join(", ")})${guesses.length ? `; did you mean ${guesses.join(", ")}?` : ""}`
  );
}
