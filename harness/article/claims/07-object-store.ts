/**
 * Claim 7: mmap cannot read from S3; Zarr and HDF5 can.
 * Scenario: scenarios/article/07-object-store.yaml (one array on moto's S3, shaped: Zarr, HDF5
 * (chunked, the same codec, read by ranged GETs of the one file), and .npy with `remote:
 * download`, full read, cold).
 * Reads: the cases' `status` and samples' `ms`, the .npy case's `storage.bytesOnDisk` and
 * `storageLocation.shaping` (bandwidth, latencyMs), the Zarr and HDF5 cases' `summary.remote.requests`
 * and the HDF5 case's `readPath.implementation`; and the refusal of a plain .npy layout on remote
 * storage, asked of the memmap backend's `remoteProblem` (the check `validate` runs) rather than run.
 * An HDF5 case that failed is evidence too: HDF5 did not read (its error is shown).
 */
import { backendFor } from "../../backends/registry.ts";
import { formatFactor as factor, formatBytes, formatMs } from "../../report/format.ts";
import type { CaseResult, ResultsFile } from "../../run/results-types.ts";
import type { LayoutSpec } from "../../scenario/types.ts";
import { barChart } from "../chart.ts";
import { caseWhere, MissingEvidence, medianInterval, ratioOfCases } from "../evidence.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Interval, Judgement, Prediction } from "../types.ts";

const SCENARIO = "article-07-object-store";
const ZARR = "zarr-blosc-lz4";
const DOWNLOAD = "npy-download";
const HDF5 = "hdf5-blosc-lz4";

/** Downloading then mapping costs at least the transfer; more than this × it is a caveat. */
export const DOWNLOAD_OVERHEAD = 1.5;

/** Download-then-map's least time: one first-byte latency plus the file at the storage's bandwidth. */
export function predictDownload(fileBytes: number, bandwidth: number, latencyMs: number): Prediction {
  const value = latencyMs + (fileBytes / bandwidth) * 1000;
  return { value, unit: "ms", working: `${latencyMs} ms + ${fileBytes} bytes ÷ ${bandwidth} bytes/s = ${formatMs(value)}` };
}

export interface ObjectStoreEvidence {
  readonly mmapRefused: boolean;
  readonly zarrRead: boolean;
  readonly hdf5Read: boolean;
  readonly downloadMs: number;
}

/** The rule: mmap is refused, Zarr reads, and downloading first costs about the transfer. */
export function judgeObjectStore(predictedDownloadMs: number, e: ObjectStoreEvidence): Judgement {
  if (!e.mmapRefused || !e.zarrRead) {
    return {
      verdict: "does not hold here",
      because: `mmap ${e.mmapRefused ? "was refused" : "read from the object store"}, Zarr ${e.zarrRead ? "read" : "failed"}`,
    };
  }
  const overhead = e.downloadMs / predictedDownloadMs;
  if (e.hdf5Read && overhead <= DOWNLOAD_OVERHEAD) {
    return { verdict: "holds", because: `mmap was refused, Zarr and HDF5 read; downloading first took ${factor(overhead)} the transfer time` };
  }
  return {
    verdict: "holds with a caveat",
    because: e.hdf5Read
      ? `mmap was refused and Zarr and HDF5 read, but downloading first took ${factor(overhead)} the transfer time`
      : `mmap was refused and Zarr read, but HDF5 did not read; downloading first took ${factor(overhead)} the transfer time`,
  };
}

interface Measured extends ObjectStoreEvidence {
  readonly refusal: string | undefined;
  readonly fileBytes: number;
  readonly bandwidth: number;
  readonly latencyMs: number;
  readonly storageLabel: string;
  readonly zarrMs: Interval;
  readonly downloadInterval: Interval;
  /** Download-then-map time ÷ Zarr's. */
  readonly vsZarr: Interval;
  readonly zarrRequests: number;
  readonly hdf5: Hdf5Evidence;
}

const msOf = (c: CaseResult) =>
  medianInterval(
    c.samples.map((s) => s.ms),
    c.id,
  );

/** The HDF5 case: read (its time, GETs and read path) or not (why). */
export type Hdf5Evidence =
  | { readonly read: true; readonly ms: Interval; readonly requests: number; readonly implementation: string }
  | { readonly read: false; readonly why: string };

/** What the scenario's HDF5 case shows: its finished measurement, or the reason it has none. */
export function hdf5Evidence(results: ResultsFile): Hdf5Evidence {
  try {
    const c = caseWhere(results, SCENARIO, `layout ${HDF5}`, (x) => x.layout.name === HDF5);
    return { read: true, ms: msOf(c), requests: c.summary?.remote?.requests ?? 0, implementation: c.readPath?.implementation ?? "unknown read path" };
  } catch (error) {
    if (error instanceof MissingEvidence) return { read: false, why: error.message };
    throw error;
  }
}

function evidence(results: ResultsFile): Measured {
  const zarr = caseWhere(results, SCENARIO, `layout ${ZARR}`, (c) => c.layout.name === ZARR);
  const npy = caseWhere(results, SCENARIO, `layout ${DOWNLOAD}`, (c) => c.layout.name === DOWNLOAD);
  const shaping = npy.storageLocation?.shaping;
  if (!shaping?.bandwidth || shaping.latencyMs === null || !npy.storage)
    throw new MissingEvidence(`case ${npy.id} has no shaped storage to predict the download from`);
  // The same layout without `remote: download`: what validate says of it on this storage.
  const plain = { ...npy.layout, remote: undefined } as LayoutSpec;
  const refusal = backendFor(plain).remoteProblem?.(plain);
  const downloadInterval = msOf(npy);
  const hdf5 = hdf5Evidence(results);
  return {
    mmapRefused: refusal !== undefined,
    zarrRead: true,
    hdf5Read: hdf5.read,
    hdf5,
    downloadMs: downloadInterval.value,
    refusal,
    fileBytes: npy.storage.bytesOnDisk,
    bandwidth: shaping.bandwidth,
    latencyMs: shaping.latencyMs,
    storageLabel: npy.storageLocation?.label ?? "remote",
    zarrMs: msOf(zarr),
    downloadInterval,
    vsZarr: ratioOfCases(npy, zarr),
    zarrRequests: zarr.summary?.remote?.requests ?? 0,
  };
}

function present(e: Measured): ClaimOutcome {
  const prediction = predictDownload(e.fileBytes, e.bandwidth, e.latencyMs);
  const bar = (label: string, i: Interval, group: string) => ({ label, value: i.value, low: i.low, high: i.high, group, text: formatMs(i.value) });
  return {
    status: "measured",
    prediction,
    measurement: {
      label: `download-then-map of the ${formatBytes(e.fileBytes)} .npy from ${e.storageLabel}, cold, median time`,
      interval: e.downloadInterval,
      unit: "ms",
      details: [
        `a .npy layout without remote: download is refused at validate: ${e.refusal ?? "(not refused)"}`,
        `Zarr read the same array from S3 in ${formatMs(e.zarrMs.value)} (interval ${intervalText(e.zarrMs, formatMs)}, ${e.zarrRequests} GETs); download-then-map took ${factor(e.vsZarr.value)} Zarr's time (interval ${intervalText(e.vsZarr)})`,
        e.hdf5.read
          ? `HDF5 (the same chunks and codec, one file) read from S3 in ${formatMs(e.hdf5.ms.value)} (interval ${intervalText(e.hdf5.ms, formatMs)}, ${e.hdf5.requests} GETs) by ${e.hdf5.implementation}`
          : `HDF5 not read: ${e.hdf5.why}`,
      ],
    },
    judgement: judgeObjectStore(prediction.value, e),
    chart: barChart({
      title: `Claim 7: a full read from S3 (moto, ${e.storageLabel}), cold`,
      subtitle: [
        `median time; whisker: 95% interval; .npy without remote: download is refused, so it has no bar${e.hdf5.read ? "" : "; HDF5 did not read"}`,
        "dashed: the predicted download time (latency + size ÷ bandwidth)",
      ],
      axis: "time (ms)",
      bars: [
        bar("Zarr (Blosc-LZ4), chunk GETs", e.zarrMs, "Zarr"),
        ...(e.hdf5.read ? [bar("HDF5 (Blosc-LZ4), ranged GETs of one file", e.hdf5.ms, "HDF5")] : []),
        bar(".npy, downloaded then mapped", e.downloadInterval, "mmap after download"),
      ],
      prediction: { value: prediction.value, label: `download predicted ${formatMs(prediction.value)}` },
    }),
  };
}

export const objectStoreClaim: Claim = {
  id: "07-object-store",
  number: 7,
  title: "mmap needs a filesystem; Zarr and HDF5 read from object stores",
  section: "Zarr and HDF5",
  claim:
    "mmap works only on files the operating system can page in; Zarr's chunks are just keys and values, so they can live on S3 or behind HTTP and be fetched one by one. With mmap the whole file must be downloaded first.",
  scenario: "scenarios/article/07-object-store.yaml",
  rule:
    `holds when mmap is refused on the object store, Zarr and HDF5 read from it, and download-then-map takes at most ${DOWNLOAD_OVERHEAD}× the predicted transfer time; ` +
    "holds with a caveat when mmap is refused and Zarr reads but HDF5 fails or the download costs more; does not hold here otherwise.",
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
