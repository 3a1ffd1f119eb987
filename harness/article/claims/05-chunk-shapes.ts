/**
 * Claim 5: chunks make both axes cheap. With the article's 3×3 grid of chunks, a row and a column
 * each touch 3 chunks; chunks that span whole rows make rows cheap and columns read everything.
 * Scenario: scenarios/article/05-chunk-shapes.yaml (Zarr, 3×3 grid and row bands; one row, one
 * column, cold).
 * Reads: the four cases' samples (`ms`, `bytesRead`), the dataset's shape and each layout's `chunks`.
 */
import { formatFactor as factor } from "../../report/format.ts";
import type { CaseResult, ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { caseOf, MissingEvidence, ratioOfCases, within } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-05-chunk-shapes";
const GRID = "zarr-3x3";
const BANDS = "zarr-row-bands";

/** Bytes read, column ÷ row, must be within this factor of the chunk count's prediction. */
export const BYTES_TOLERANCE = 1.25;
/** "Cheap on both axes": the whole interval of column ÷ row time within [1/x, x]. */
export const TIME_BALANCE = 2;

/**
 * Chunks a column touches ÷ chunks a row touches, for a 2-D array of `shape` in chunks of
 * `chunks` (whole chunks are read, and equal chunks hold equal bytes): ⌈rows/a⌉ ÷ ⌈cols/b⌉.
 */
export function predictChunkRatio(shape: readonly number[], chunks: readonly number[]): Prediction {
  const [rows, cols] = shape;
  const [a, b] = chunks;
  const down = Math.ceil(rows / a);
  const across = Math.ceil(cols / b);
  return {
    value: down / across,
    unit: "× (column ÷ row)",
    working:
      `${rows}×${cols} in ${a}×${b} chunks is a ${down}×${across} grid: a row reads ${across} chunk${across === 1 ? "" : "s"}, a column ${down}: ` +
      `a column costs ${down} ÷ ${across} = ${factor(down / across)} a row, in bytes and so in time`,
  };
}

/** The rule, on the square grid's column ÷ row ratios of bytes and of time. */
export function judgeChunkShapes(predicted: number, bytes: Interval, time: Interval): Judgement {
  if (!within(bytes.value, predicted / BYTES_TOLERANCE, predicted * BYTES_TOLERANCE)) {
    return {
      verdict: "does not hold here",
      because: `with the 3×3 grid a column read ${factor(bytes.value)} the bytes of a row, not within ${BYTES_TOLERANCE}× of ${factor(predicted)}`,
    };
  }
  if (time.low >= 1 / TIME_BALANCE && time.high <= TIME_BALANCE) {
    return {
      verdict: "holds",
      because: `with the 3×3 grid a column costs ${factor(time.value)} the time of a row (interval ${intervalText(time)}) and ${factor(bytes.value)} its bytes`,
    };
  }
  return {
    verdict: "holds with a caveat",
    because: `a column reads ${factor(bytes.value)} the bytes of a row as predicted, but its time is ${factor(time.value)} a row's (interval ${intervalText(time)}, not within ${TIME_BALANCE}× either way)`,
  };
}

interface LayoutRatios {
  readonly chunks: readonly number[];
  readonly bytes: Interval;
  readonly time: Interval;
}

export interface ChunkShapesEvidence {
  readonly shape: readonly number[];
  readonly grid: LayoutRatios;
  readonly bands: LayoutRatios;
}

function ratios(results: ResultsFile, layout: string): LayoutRatios {
  const row = caseOf(results, SCENARIO, layout, "row", "cold");
  const column = caseOf(results, SCENARIO, layout, "column", "cold");
  const chunks = (row.layout as { chunks?: readonly number[] }).chunks;
  if (!chunks) throw new MissingEvidence(`layout ${layout} of ${SCENARIO} has no chunks`);
  return { chunks, bytes: ratioOfCases(column, row, (s: CaseResult["samples"][number]) => s.bytesRead), time: ratioOfCases(column, row) };
}

function evidence(results: ResultsFile): ChunkShapesEvidence {
  const grid = ratios(results, GRID);
  return { shape: caseOf(results, SCENARIO, GRID, "row", "cold").dataset.shape, grid, bands: ratios(results, BANDS) };
}

function present(e: ChunkShapesEvidence): ClaimOutcome {
  const prediction = predictChunkRatio(e.shape, e.grid.chunks);
  const bands = predictChunkRatio(e.shape, e.bands.chunks);
  const bar = (label: string, i: Interval, group: string) => ({ label, value: i.value, low: i.low, high: i.high, group, text: factor(i.value) });
  const name = (c: readonly number[]) => c.join("×");
  return {
    status: "measured",
    prediction,
    measurement: {
      label: `time of one column ÷ one row, cold, ${name(e.grid.chunks)} chunks (3×3 grid)`,
      interval: e.grid.time,
      unit: "×",
      details: [
        `bytes read, column ÷ row: ${factor(e.grid.bytes.value)} (interval ${intervalText(e.grid.bytes)}) with the 3×3 grid`,
        `row-band chunks ${name(e.bands.chunks)}: a column reads ${factor(e.bands.bytes.value)} a row's bytes (predicted ${factor(bands.value)}) and takes ${factor(e.bands.time.value)} its time (interval ${intervalText(e.bands.time)})`,
      ],
    },
    judgement: judgeChunkShapes(prediction.value, e.grid.bytes, e.grid.time),
    chart: barChart({
      title: `Claim 5: one column vs one row of a ${name(e.shape)} Zarr array, cold`,
      subtitle: [
        "column ÷ row, in bytes read and in time, for a 3×3 chunk grid and for row-band chunks",
        "whisker: 95% interval; dashed: 1× (both axes cost the same)",
      ],
      axis: "column ÷ row (×, log scale)",
      log: true,
      bars: [
        bar(`bytes, 3×3 grid`, e.grid.bytes, "bytes read"),
        bar(`bytes, row bands`, e.bands.bytes, "bytes read"),
        bar(`time, 3×3 grid`, e.grid.time, "time"),
        bar(`time, row bands`, e.bands.time, "time"),
      ],
      prediction: { value: prediction.value, label: `3×3 grid predicted ${factor(prediction.value)}` },
    }),
  };
}

export const chunkShapesClaim: Claim = {
  id: "05-chunk-shapes",
  number: 5,
  title: "Chunks make both axes cheap",
  section: "Zarr and HDF5",
  claim:
    "Zarr and HDF5 store an array as chunks whose shape you choose. With a grid of square chunks (the article draws 3×3), reading a row or a column loads the same number of chunks, so neither axis is the slow one.",
  scenario: "scenarios/article/05-chunk-shapes.yaml",
  rule:
    `holds when, with the 3×3 grid, a column reads within ${BYTES_TOLERANCE}× of the predicted multiple of a row's bytes and the whole 95% interval of column ÷ row time lies within ${TIME_BALANCE}× either way; ` +
    `holds with a caveat when the bytes match but the time does not; does not hold here when the bytes do not match.`,
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
