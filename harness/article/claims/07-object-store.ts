/**
 * Claim 7: mmap cannot read from S3; Zarr can.
 * Scenario: scenarios/article/07-object-store.yaml (one array on moto's S3, shaped: Zarr, and .npy
 * with `remote: download`, full read, cold).
 * Reads: both cases' `status` and `summary.medianMs`, the .npy case's `storage.bytesOnDisk` and
 * `storageLocation.shaping` (bandwidth, latencyMs), its samples' `remote.requests`; and the refusal
 * of a plain .npy layout on remote storage, asked of the memmap backend's `remoteProblem` (the
 * check `validate` runs) rather than run. HDF5 has no remote read path in layoutbench yet, so it
 * is reported as not read.
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
/** Why HDF5 is not read here (docs/scenarios-storage.md, "What reads remote storage"). */
const HDF5_NOT_READ = "layoutbench has no remote read path for HDF5 yet (h5wasm opens whole files in memory)";

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
    because: `mmap was refused and Zarr read, but ${e.hdf5Read ? "" : "HDF5 did not read; "}downloading first took ${factor(overhead)} the transfer time`,
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
}

const msOf = (c: CaseResult) =>
  medianInterval(
    c.samples.map((s) => s.ms),
    c.id,
  );

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
  return {
    mmapRefused: refusal !== undefined,
    zarrRead: true,
    hdf5Read: false,
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
        `HDF5 not read: ${HDF5_NOT_READ}`,
      ],
    },
    judgement: judgeObjectStore(prediction.value, e),
    chart: barChart({
      title: `Claim 7: a full read from S3 (moto, ${e.storageLabel}), cold`,
      subtitle: [
        "median time; whisker: 95% interval; .npy without remote: download is refused, so it has no bar",
        "dashed: the predicted download time (latency + size ÷ bandwidth)",
      ],
      axis: "time (ms)",
      bars: [bar("Zarr (Blosc-LZ4), chunk GETs", e.zarrMs, "Zarr"), bar(".npy, downloaded then mapped", e.downloadInterval, "mmap after download")],
      prediction: { value: prediction.value, label: `download predicted ${formatMs(prediction.value)}` },
    }),
  };
}

export const objectStoreClaim: Claim = {
  id: "07-object-store",
  number: 7,
  title: "mmap needs a filesystem; Zarr reads from object stores",
  section: "Zarr and HDF5",
  claim:
    "mmap works only on files the operating system can page in; Zarr's chunks are just keys and values, so they can live on S3 or behind HTTP and be fetched one by one. With mmap the whole file must be downloaded first.",
  scenario: "scenarios/article/07-object-store.yaml",
  rule:
    `holds when mmap is refused on the object store, Zarr and HDF5 read from it, and download-then-map takes at most ${DOWNLOAD_OVERHEAD}× the predicted transfer time; ` +
    "holds with a caveat when mmap is refused and Zarr reads but HDF5 fails or the download costs more; does not hold here otherwise.",
  assess: (results) => assessFrom(results, SCENARIO, () => evidence(results), present),
};
