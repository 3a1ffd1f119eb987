/**
 * Claim 4: mmap reads that cut across the layout on disk cost ~1000× more I/O: one column of a
 * C-order 4096×4096 int32 array touches a 4096-byte page per element, one row only 4 pages.
 * Scenario: scenarios/article/04-column-vs-row.yaml (one row, one column, cold; readahead off with
 * advice random, on with advice normal).
 * Reads: the four cases' samples (`bytesRead`, `ms`), the dataset's shape and dtype, and
 * `storage.bytesOnDisk` (the .npy header is what the file holds beyond the array).
 */
import { itemSize } from "../../core/dtype.ts";
import { formatFactor as factor, formatBytes } from "../../report/format.ts";
import type { CaseResult, ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseOf, ratioOfCases, within } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-04-column-vs-row";

/** The measured ratio of bytes read must be within this factor of the page arithmetic. */
export const PAGES_TOLERANCE = 2;

/** What the page arithmetic needs of a C-order 2-D file. */
export interface PageGeometry {
  readonly rows: number;
  readonly cols: number;
  readonly itemBytes: number;
  /** Bytes before the array's first element (the .npy header). */
  readonly offset: number;
  readonly pageBytes: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const pagesOf = (start: number, length: number, page: number) => Math.floor((start + length - 1) / page) - Math.floor(start / page) + 1;

/**
 * Pages touched by one column (the first; every column touches as many when a row spans a page or
 * more) ÷ pages touched by one row, averaged over rows, with readahead off: the claim's arithmetic
 * made exact for the file's header offset.
 */
export function predictColumnOverRow(g: PageGeometry): Prediction {
  const rowBytes = g.cols * g.itemBytes;
  let rowPages = 0;
  let columnPages = 0;
  let lastPage = -1;
  for (let i = 0; i < g.rows; i++) {
    rowPages += pagesOf(g.offset + i * rowBytes, rowBytes, g.pageBytes);
    const page = Math.floor((g.offset + i * rowBytes) / g.pageBytes);
    if (page !== lastPage) columnPages++;
    lastPage = page;
  }
  rowPages /= g.rows;
  const article = g.rows / Math.ceil(rowBytes / g.pageBytes);
  const value = columnPages / rowPages;
  return {
    value,
    unit: "× the bytes of a row",
    working:
      `the article's arithmetic: a row is ${rowBytes} bytes = ${plural(Math.ceil(rowBytes / g.pageBytes), "page")} of ${g.pageBytes} bytes, a column ${g.rows} elements ${rowBytes} bytes apart = ${g.rows} pages: ${factor(article)}; ` +
      `with the file's ${g.offset}-byte header a row straddles ${rowPages.toFixed(2)} pages on average, so ${columnPages} ÷ ${rowPages.toFixed(2)} = ${factor(value)}`,
  };
}

/**
 * With readahead, each fault reads a window around it: one row pulls one window, a column (a page
 * in every window) the whole file, so column ÷ row ≈ file ÷ window (1 when the window holds the file).
 */
export function predictWithReadahead(fileBytes: number, windowBytes: number): number {
  return fileBytes / Math.min(fileBytes, windowBytes);
}

/** The rule, on the ratios of bytes read (column ÷ row) without and with readahead. */
export function judgeColumnOverRow(predicted: number, noReadahead: Interval, readahead: Interval): Judgement {
  const lo = predicted / PAGES_TOLERANCE;
  const hi = predicted * PAGES_TOLERANCE;
  if (!within(noReadahead.value, lo, hi)) {
    return {
      verdict: "does not hold here",
      because: `without readahead a column read ${factor(noReadahead.value)} the bytes of a row, not within ${PAGES_TOLERANCE}× of ${factor(predicted)}`,
    };
  }
  if (within(readahead.value, lo, hi)) {
    return {
      verdict: "holds",
      because: `a column read ${factor(noReadahead.value)} the bytes of a row without readahead and ${factor(readahead.value)} with it (predicted ${factor(predicted)})`,
    };
  }
  return {
    verdict: "holds with a caveat",
    because:
      `without readahead a column read ${factor(noReadahead.value)} the bytes of a row (predicted ${factor(predicted)}); with the kernel's default readahead the ratio is ${factor(readahead.value)} ` +
      `(interval ${intervalText(readahead)}), because readahead makes a row read far more than its pages too`,
  };
}

export interface ColumnOverRowEvidence {
  readonly geometry: PageGeometry;
  /** The file's readahead window (RunContext.readaheadKiB), when known. */
  readonly readaheadBytes: number | null;
  readonly bytes: { readonly random: Interval; readonly normal: Interval };
  readonly time: { readonly random: Interval; readonly normal: Interval };
}

function geometryOf(c: CaseResult, pageBytes: number): PageGeometry {
  const [rows, cols] = c.dataset.shape;
  const itemBytes = itemSize(c.dataset.dtype);
  const offset = (c.storage?.bytesOnDisk ?? rows * cols * itemBytes) - rows * cols * itemBytes;
  return { rows, cols, itemBytes, offset, pageBytes };
}

function evidence(results: ResultsFile): ColumnOverRowEvidence {
  const at = (layout: string, pattern: string) => caseOf(results, SCENARIO, layout, pattern, "cold");
  const pair = (layout: string, field?: (s: CaseResult["samples"][number]) => number) => ratioOfCases(at(layout, "column"), at(layout, "row"), field);
  const bytesRead = (s: CaseResult["samples"][number]) => s.bytesRead;
  return {
    geometry: geometryOf(at("npy-random", "row"), results.context.pageSize),
    readaheadBytes: results.context.readaheadKiB === null ? null : results.context.readaheadKiB * 1024,
    bytes: { random: pair("npy-random", bytesRead), normal: pair("npy-normal", bytesRead) },
    time: { random: pair("npy-random"), normal: pair("npy-normal") },
  };
}

/** The readahead prediction in words, when the window is known. */
function readaheadNote(e: ColumnOverRowEvidence): string {
  if (e.readaheadBytes === null) return "";
  const { rows, cols, itemBytes, offset } = e.geometry;
  const file = offset + rows * cols * itemBytes;
  return `; predicted: a row pulls one ${formatBytes(e.readaheadBytes)} readahead window, a column the whole ${formatBytes(file)} file: ${factor(predictWithReadahead(file, e.readaheadBytes))}`;
}

function present(e: ColumnOverRowEvidence): ClaimOutcome {
  const prediction = predictColumnOverRow(e.geometry);
  const bar = (label: string, i: Interval, group: string) => ({ label, value: i.value, low: i.low, high: i.high, group, text: factor(i.value) });
  const { rows, cols } = e.geometry;
  return {
    status: "measured",
    prediction,
    measurement: {
      label: "bytes read from storage by one column ÷ by one row, cold, readahead off (advice random)",
      interval: e.bytes.random,
      unit: "×",
      details: [
        `with readahead (advice normal): ${factor(e.bytes.normal.value)} the bytes (interval ${intervalText(e.bytes.normal)})${readaheadNote(e)}`,
        `time, column ÷ row: ${factor(e.time.random.value)} without readahead (interval ${intervalText(e.time.random)}), ${factor(e.time.normal.value)} with it (interval ${intervalText(e.time.normal)})`,
      ],
    },
    judgement: judgeColumnOverRow(prediction.value, e.bytes.random, e.bytes.normal),
    chart: barChart({
      title: `Claim 4: one column vs one row of a ${rows}×${cols} C-order .npy, cold`,
      subtitle: ["column ÷ row, in bytes read from storage and in time; whisker: 95% interval", "dashed: the page arithmetic's prediction (readahead off)"],
      axis: "column ÷ row (×, log scale)",
      log: true,
      bars: [
        bar("bytes, advice random", e.bytes.random, "bytes read"),
        bar("bytes, advice normal", e.bytes.normal, "bytes read"),
        bar("time, advice random", e.time.random, "time"),
        bar("time, advice normal", e.time.normal, "time"),
      ],
      prediction: { value: prediction.value, label: `predicted ${factor(prediction.value)}` },
    }),
  };
}

export const columnVsRowClaim: Claim = {
  id: "04-column-vs-row",
  number: 4,
  title: "mmap slices across the layout cost ~1000× more reads",
  section: "mmap()",
  claim:
    "A memory-mapped file is read a page at a time. In a C-order array a row is contiguous, but the elements of a column are a row's length apart, so each one pulls in its own page: for 4096×4096 4-byte integers, 4096 pages for a column against 4 for a row.",
  scenario: "scenarios/article/04-column-vs-row.yaml",
  rule:
    `holds when, without readahead, a column reads within ${PAGES_TOLERANCE}× of the predicted multiple of a row's bytes and readahead keeps it there; ` +
    `holds with a caveat when only the no-readahead ratio is within ${PAGES_TOLERANCE}× of the prediction; does not hold here otherwise.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
