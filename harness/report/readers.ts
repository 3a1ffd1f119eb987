/**
 * What the report shows of reader processes (docs/readers.md): rows named by their readers beside
 * the one-process rows, each row's memory, each layout's largest memory figures, and the memory
 * rule of the recommendation. Pure.
 *
 * The memory rule: with a scenario `memoryBudget`, a layout one of whose readers grew its anonymous
 * memory past the budget in any case is not recommended (excluded with that reason); the report
 * says which layouts stayed within it while reading an array larger than it, with their anonymous
 * and file-backed figures side by side (a mapping's pages are file-backed: the kernel can drop them
 * under pressure, which it cannot do with a reader's own buffers).
 */

import type { CaseResult } from "../run/results-types.ts";
import { isDefaultReaders, readersLabel } from "../scenario/readers.ts";
import { formatBytes } from "./format.ts";
import type { LayoutMemory, LayoutView, MemoryVerdict, MemoryView, ReadersView, RowView } from "./model-types.ts";

/** Rows of other readers get a name of their own, "npy [4p1t-replicate]", next to the one-process "npy". */
export function readersLabelled(c: CaseResult): CaseResult {
  if (!c.readers || isDefaultReaders(c.readers)) return c;
  return { ...c, layout: { ...c.layout, name: `${c.layout.name} [${readersLabel(c.readers)}]` } };
}

/** The layout's name without a readers label. */
export function baseLayout(name: string): string {
  return name.replace(/ \[[^\]]*\]$/, "");
}

/** The readers and memory parts of a row (none for cases read in the run's own process). */
export function rowReaders(c: CaseResult, row: Pick<RowView, "bytesRequested" | "medianCI">): Pick<RowView, "readers" | "memory"> {
  if (!c.memory && !c.readers) return {};
  const r = c.readers ?? { processes: 1, threads: 1, split: "replicate" as const };
  const bytes = row.bytesRequested;
  const ci = row.medianCI;
  const readers: ReadersView = {
    ...r,
    label: readersLabel(r),
    layout: baseLayout(c.layout.name),
    throughputCI: bytes && ci && ci.low > 0 ? { low: bytes / (ci.high / 1000), high: bytes / (ci.low / 1000) } : null,
  };
  if (!c.memory) return { readers };
  const m = c.memory;
  const memory: MemoryView = {
    pssFileBytes: m.sum.pssFileBytes,
    pssAnonBytes: m.sum.pssAnonBytes,
    pssLayoutBytes: m.sum.pssLayoutBytes,
    hwmBytes: m.sum.hwmBytes,
    maxAnonGrowthBytes: m.maxAnonGrowthBytes,
    anonGrowthBytes: Math.max(0, m.sum.pssAnonBytes - m.sum.baselineAnonBytes),
    pageCacheBytes: m.pageCacheBytes,
  };
  return { readers, memory };
}

/** The largest of each memory figure over a layout's rows, or undefined when none has memory. */
export function layoutMemory(rows: readonly RowView[]): MemoryView | undefined {
  const withMemory = rows.filter((r) => r.memory).map((r) => r.memory!);
  if (withMemory.length === 0) return undefined;
  const max = (k: keyof MemoryView) => Math.max(...withMemory.map((m) => m[k]));
  return {
    pssFileBytes: max("pssFileBytes"),
    pssAnonBytes: max("pssAnonBytes"),
    pssLayoutBytes: max("pssLayoutBytes"),
    hwmBytes: max("hwmBytes"),
    maxAnonGrowthBytes: max("maxAnonGrowthBytes"),
    anonGrowthBytes: max("anonGrowthBytes"),
    pageCacheBytes: max("pageCacheBytes"),
  };
}

/** The memory rule over the layouts (by their base names) of one dataset; undefined without a budget or memory figures. */
export function memoryVerdict(layouts: readonly LayoutView[], budgetBytes: number | undefined, arrayBytes: number): MemoryVerdict | undefined {
  if (budgetBytes === undefined) return undefined;
  const byBase = new Map<string, LayoutMemory>();
  for (const l of layouts) {
    if (!l.memory) continue;
    const base = baseLayout(l.name);
    const prev = byBase.get(base);
    byBase.set(base, {
      layout: base,
      anonGrowthBytes: Math.max(prev?.anonGrowthBytes ?? 0, l.memory.maxAnonGrowthBytes),
      fileBytes: Math.max(prev?.fileBytes ?? 0, l.memory.pssLayoutBytes),
    });
  }
  if (byBase.size === 0) return undefined;
  const all = [...byBase.values()];
  const within = all.filter((m) => m.anonGrowthBytes <= budgetBytes);
  const over = all.filter((m) => m.anonGrowthBytes > budgetBytes);
  const show = (m: LayoutMemory) => `${m.layout} (anonymous +${formatBytes(m.anonGrowthBytes)}, file-backed ${formatBytes(m.fileBytes)})`;
  const larger = arrayBytes > budgetBytes;
  const line =
    `memoryBudget ${formatBytes(budgetBytes)}, array ${formatBytes(arrayBytes)}${larger ? " (larger than the budget)" : " (no larger than the budget)"}: ` +
    (within.length ? `stayed within it: ${within.map(show).join(", ")}` : "no layout stayed within it") +
    (over.length ? `; over it, not recommended: ${over.map(show).join(", ")}` : "");
  return { budgetBytes, arrayBytes, within, over, line };
}

/** Reason a layout is excluded from the recommendation by the memory rule, or undefined. */
export function overBudget(verdict: MemoryVerdict | undefined, layout: string): string | undefined {
  const m = verdict?.over.find((o) => o.layout === baseLayout(layout));
  if (!m || !verdict) return undefined;
  return `a reader's anonymous memory grew by ${formatBytes(m.anonGrowthBytes)}, over the memoryBudget of ${formatBytes(verdict.budgetBytes)}`;
}

/**
 * The layouts the recommendation ranks: those read by one process with one thread when the dataset
 * has them, else those of the first readers label; a case of N replicating readers does N times the
 * work of one, so its time is not a cost to rank against one reader's. Layouts over the memory
 * budget are left out, with their reason.
 */
export function rankedLayouts<D extends { readonly layouts: readonly LayoutView[] }>(
  dataset: D,
  verdict: MemoryVerdict | undefined,
): { names: Set<string>; excluded: { layout: string; reason: string }[] } {
  const labelOf = (n: string) => n.slice(baseLayout(n).length);
  const plain = dataset.layouts.filter((l) => labelOf(l.name) === "");
  const firstLabel = dataset.layouts.map((l) => labelOf(l.name)).find((x) => x !== "");
  const pool = plain.length ? plain : dataset.layouts.filter((l) => labelOf(l.name) === firstLabel);
  const excluded: { layout: string; reason: string }[] = [];
  const names = new Set<string>();
  for (const l of pool) {
    const reason = overBudget(verdict, l.name);
    if (reason) excluded.push({ layout: l.name, reason });
    else names.add(l.name);
  }
  return { names, excluded };
}

/** Lines every renderer prints under the recommendation: the memory rule's verdict and the core count's limit. */
export function readersNotes(d: {
  readonly recommendation: { readonly memory?: MemoryVerdict };
  readonly cores?: number;
  readonly groups: readonly { readonly rows: readonly RowView[] }[];
}): string[] {
  const out: string[] = [];
  if (d.recommendation.memory) out.push(d.recommendation.memory.line);
  if (d.cores !== undefined) {
    const most = Math.max(0, ...d.groups.flatMap((g) => g.rows.map((r) => (r.readers ? r.readers.processes * r.readers.threads : 0))));
    if (most > d.cores)
      out.push(
        `this machine has ${d.cores} cores: cases of more than ${d.cores} readers × threads (up to ${most} here) are capped by the cores, and their scaling says more about the machine than the layout (marked in the scaling chart)`,
      );
  }
  return out;
}
