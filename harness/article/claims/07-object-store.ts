/**
 * Claim 7: mmap cannot read from S3; Zarr can.
 * Not measured yet: it needs the storage dimension. To measure it, add
 * scenarios/article/07-object-store.yaml (one array as .npy, Zarr and HDF5 on `storage: s3-…`,
 * full scan), set `scenario` below, and build `ObjectStoreEvidence` from the results: the memmap
 * case's `status`/`error` (refused), the Zarr and HDF5 cases' `status`, and the
 * download-then-map variant's `summary.medianMs` against the storage's bandwidth (bytes/s) and
 * first-byte latency from its label.
 */
import { formatFactor as factor, formatMs } from "../../report/format.ts";
import { awaiting } from "../outcome.ts";
import type { Claim, Judgement, Prediction } from "../types.ts";

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

export const objectStoreClaim: Claim = {
  id: "07-object-store",
  number: 7,
  title: "mmap needs a filesystem; Zarr reads from object stores",
  section: "Zarr and HDF5",
  claim:
    "mmap works only on files the operating system can page in; Zarr's chunks are just keys and values, so they can live on S3 or behind HTTP and be fetched one by one. With mmap the whole file must be downloaded first.",
  scenario: null,
  needs: "storage",
  rule:
    `holds when mmap is refused on the object store, Zarr and HDF5 read from it, and download-then-map takes at most ${DOWNLOAD_OVERHEAD}× the predicted transfer time; ` +
    "holds with a caveat when mmap is refused and Zarr reads but HDF5 fails or the download costs more; does not hold here otherwise.",
  assess: () => awaiting("storage"),
};
