/**
 * One or two plain sentences drawn from the numbers: the most telling of the largest read
 * amplification, the largest cold/warm gap and the best compression. Write cases are called
 * writes: their read amplification is what they read per byte written. Each candidate fact has a
 * salience (log10 of its factor, so "900×" beats "3×" whatever its kind) and a threshold below
 * which it is not worth saying.
 */
import { formatBytes, formatFactor, formatMs, formatPercent } from "./format.ts";
import type { DatasetView, PatternView, RowView } from "./model-types.ts";

/** At most this many facts per dataset: a report should not read like a log. */
const MAX_FACTS = 2;
const MIN_AMPLIFICATION = 4;
const MIN_CACHE_GAP = 3;
const MIN_COMPRESSION = 1.5;

interface Fact {
  readonly salience: number;
  readonly text: string;
}

type DatasetInput = Pick<DatasetView, "groups" | "layouts">;

/** "columns reads of npy" or "columns writes to npy": a write case is never called a read. */
function casesOf(pattern: PatternView, layout: string): string {
  return pattern.op === "write" ? `${pattern.label} writes to ${layout}` : `${pattern.label} reads of ${layout}`;
}

function amplificationFact(dataset: DatasetInput): Fact | null {
  let best: { row: RowView; pattern: PatternView; cache: string } | null = null;
  for (const g of dataset.groups) {
    for (const row of g.rows) {
      if (row.stats && row.readAmplification !== null && (best === null || row.readAmplification > best.row.readAmplification!)) {
        best = { row, pattern: g.pattern, cache: g.cache };
      }
    }
  }
  if (!best || best.row.readAmplification! < MIN_AMPLIFICATION) return null;
  const { row } = best;
  const factor = formatFactor(row.readAmplification!);
  const [read, requested] = [formatBytes(row.bytesRead!), formatBytes(row.bytesRequested!)];
  // A write's requested bytes are the bytes it writes; what it reads is the read-modify-write.
  const of =
    best.pattern.op === "write"
      ? `the bytes written from storage (${read} read for ${requested} written)`
      : `the bytes requested from storage (${read} for ${requested})`;
  return {
    salience: Math.log10(row.readAmplification!),
    text: `${best.cache === "cold" ? "Cold" : "Warm"} ${casesOf(best.pattern, row.layout)} read ${factor} ${of}.`,
  };
}

function cacheGapFact(dataset: DatasetInput): Fact | null {
  let best: { layout: string; pattern: PatternView; cold: number; warm: number } | null = null;
  for (const cold of dataset.groups.filter((g) => g.cache === "cold")) {
    const warm = dataset.groups.find((g) => g.cache === "warm" && g.pattern.name === cold.pattern.name);
    for (const row of cold.rows) {
      const other = warm?.rows.find((r) => r.layout === row.layout);
      if (!row.stats || !other?.stats || other.stats.median <= 0) continue;
      if (best === null || row.stats.median / other.stats.median > best.cold / best.warm) {
        best = { layout: row.layout, pattern: cold.pattern, cold: row.stats.median, warm: other.stats.median };
      }
    }
  }
  if (!best || best.cold / best.warm < MIN_CACHE_GAP) return null;
  return {
    salience: Math.log10(best.cold / best.warm),
    text:
      `With a cold page cache, ${casesOf(best.pattern, best.layout)} took ${formatFactor(best.cold / best.warm)} as long as with a warm one ` +
      `(${formatMs(best.cold)} vs ${formatMs(best.warm)}).`,
  };
}

function compressionFact(dataset: DatasetInput): Fact | null {
  const best = [...dataset.layouts]
    .filter((l) => l.compressionRatio !== null && l.bytesOnDisk !== null)
    .sort((a, b) => b.compressionRatio! - a.compressionRatio! || a.name.localeCompare(b.name))[0];
  if (!best || best.compressionRatio! < MIN_COMPRESSION) return null;
  return {
    salience: Math.log10(best.compressionRatio!),
    text:
      `${best.name} compresses best: ${formatBytes(best.bytesOnDisk!)} on disk, ${formatPercent(1 / best.compressionRatio!)} of the raw size ` +
      `(${formatFactor(best.compressionRatio!)} compression).`,
  };
}

/** The most telling facts about a dataset's results, most salient first (at most MAX_FACTS). */
export function pickFacts(dataset: DatasetInput): string[] {
  return [amplificationFact(dataset), cacheGapFact(dataset), compressionFact(dataset)]
    .filter((f): f is Fact => f !== null)
    .sort((a, b) => b.salience - a.salience)
    .slice(0, MAX_FACTS)
    .map((f) => f.text);
}
