/**
 * The advisor's reasoning, one line per proposal, and the scenario it writes: a sweep of the
 * proposed chunk shapes × codecs next to a contiguous baseline, with the file's patterns. Pure.
 */
import { Document, isScalar, visit } from "yaml";
import { formatShape } from "../scenario/describe.ts";
import type { DatasetSpec } from "../scenario/types.ts";
import type { Advice, PatternCost, Proposal } from "./suggest.ts";

/**
 * The codecs swept, each with why. Both are Blosc with byte shuffle, zarr-python's default
 * compressor: without the shuffle, LZ4 and zstd find little to match in the bytes of smooth
 * floating-point data (the low bytes of neighbours differ), with it the high bytes line up.
 */
export const SUGGESTED_CODECS: readonly {
  readonly codec: { readonly name: "blosc"; readonly cname: string; readonly level: number; readonly shuffle: "byte" };
  readonly label: string;
  readonly why: string;
}[] = [
  {
    codec: { name: "blosc", cname: "lz4", level: 5, shuffle: "byte" },
    label: "blosc lz4, byte shuffle",
    why: "decodes fastest (zarr-python's default): for data in the page cache or on fast local disks, where decoding is the cost",
  },
  {
    codec: { name: "blosc", cname: "zstd", level: 5, shuffle: "byte" },
    label: "blosc zstd, byte shuffle",
    why: "smaller chunks for slower decoding: for network or cold storage, where each byte read costs more than decoding it",
  },
];

/** `32 KiB`, `8 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
  return `${text} ${units[i]}`;
}

function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function patternPart(p: PatternCost, unit: "chunk" | "page"): string {
  const units = `${count(p.unitsPerSelection)} ${unit}${p.unitsPerSelection === 1 ? "" : "s"}`;
  return `${p.pattern} ${units}, ${formatBytes(p.bytesReadPerSelection)} read for ${formatBytes(p.bytesRequestedPerSelection)} asked (${p.amplification.toFixed(p.amplification < 10 ? 2 : 0)}×)`;
}

/** `chunks 1x8192 (32 KiB, 8192 chunks; best for rows): per selection rows 1 chunk, …; weighted 1.41× the bytes asked`. */
export function proposalLine(p: Proposal): string {
  const per = p.patterns.map((k) => patternPart(k, "chunk")).join("; ");
  return `chunks ${formatShape(p.chunks)} (${formatBytes(p.chunkBytes)} each, ${p.gridChunks} chunks; ${p.because.join(", ")}): per selection ${per}; weighted ${p.amplification.toFixed(2)}× the bytes asked`;
}

export function contiguousLine(advice: Advice): string | undefined {
  if (!advice.contiguous) return undefined;
  const per = advice.contiguous.patterns.map((k) => patternPart(k, "page")).join("; ");
  return `contiguous C order (baseline, 4 KiB pages, before readahead): per selection ${per}; weighted ${advice.contiguous.amplification.toFixed(2)}× the bytes asked`;
}

/** Every line of reasoning for one dataset's advice. */
export function adviceLines(advice: Advice): string[] {
  const d = advice.dataset;
  return [
    `${d.name} (${formatShape(d.shape)} ${d.dtype}): ${advice.candidates} chunk shapes costed, ${advice.proposals.length} proposed:`,
    ...advice.proposals.map((p) => `  ${proposalLine(p)}`),
    ...(contiguousLine(advice) ? [`  ${contiguousLine(advice)}`] : []),
    ...SUGGESTED_CODECS.map((c) => `  codec ${c.label}: ${c.why}`),
  ];
}

/** A dataset as a scenario file writes it (a source becomes the first of its `sources`, so layouts are written from it). */
function writtenDataset(d: DatasetSpec): object {
  const sources = d.sources ?? (d.source ? [{ ...d.source, layout: { ...d.source.layout, name: "given" } }] : undefined);
  if (!sources) return { name: d.name, shape: [...d.shape], dtype: d.dtype, generator: d.generator, seed: d.seed };
  return {
    name: d.name,
    sources: sources.map((s) => ({ name: s.layout.name, path: s.path, format: s.format, ...(s.dataset ? { dataset: s.dataset } : {}) })),
  };
}

/** Keys of the scenario file copied as written. */
export const COPIED_KEYS = ["patterns", "cache", "eviction", "sampling", "recommendation", "engines"] as const;

/**
 * The suggested scenario: the proposals of every dataset as one sweep of chunks × codecs, a
 * contiguous baseline, and the file's own patterns and settings (`copied`, as written).
 */
export function suggestedScenario(name: string, from: string, advice: readonly Advice[], copied: Readonly<Record<string, unknown>>): string {
  const chunks: number[][] = [];
  for (const a of advice) for (const p of a.proposals) if (!chunks.some((c) => c.join("x") === p.chunks.join("x"))) chunks.push([...p.chunks]);
  const body = {
    version: 1,
    name: `${name}-suggested`.slice(0, 64),
    description: `Chunk shapes and codecs proposed by layoutbench suggest for the patterns of ${from}.`,
    datasets: advice.map((a) => writtenDataset(a.dataset)),
    layouts: [
      { sweep: { chunks, codec: SUGGESTED_CODECS.map((c) => c.codec) }, backend: "zarr", name: "zarr-{chunks}-blosc-{codec.cname}" },
      { name: "contiguous", backend: "memmap" },
    ],
    ...Object.fromEntries(COPIED_KEYS.filter((k) => copied[k] !== undefined).map((k) => [k, copied[k]])),
  };
  const comments = advice.flatMap(adviceLines).map((l) => `# ${l}`);
  const doc = new Document(body);
  // Lists of numbers (shapes, chunks) on one line, as people write them.
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
    Map(_, node) {
      if (node.items.every((pair) => isScalar(pair.value))) node.flow = true;
    },
  });
  return [`# Written by layoutbench suggest from ${from}.`, ...comments, doc.toString({ lineWidth: 0 })].join("\n");
}
