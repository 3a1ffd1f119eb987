/**
 * D for the bandwidth model of remote cases read by our Zarr chunk reader: the decode-only speed of
 * the decoder their read path names (backends/decode-speed.ts), measured after the case's first
 * round, outside every timed read, once per dataset and layout in this process (one run).
 */
import { chunkReaderDecodeRate, type DecodeRate } from "../backends/decode-speed.ts";
import type { ReadPath } from "../engines/types.ts";
import type { CaseSpec } from "../scenario/types.ts";

const measured = new Map<string, Promise<DecodeRate | undefined>>();

/** The decode rate of `spec`'s remote reads, or undefined for local cases and other read paths. */
export async function remoteDecodeRate(spec: CaseSpec, readPath: ReadPath | undefined): Promise<DecodeRate | undefined> {
  if (spec.storage.kind === "local" || !readPath?.implementation.startsWith("layoutbench chunk reader")) return undefined;
  const key = JSON.stringify([spec.dataset, spec.layout]);
  let rate = measured.get(key);
  if (!rate) {
    rate = chunkReaderDecodeRate(spec.dataset, spec.layout);
    measured.set(key, rate);
  }
  const r = await rate;
  // The read path's label may add where the decoder ran ("… on libuv's thread pool").
  return r && readPath.decoder.startsWith(r.decoder) ? r : undefined;
}
