/**
 * Bring-your-own data: reads what an existing file or folder holds (shape, dtype, and its storage
 * parameters as an "as-is" layout) through the backend that reads its format, without reading or
 * changing its values; and stamps a source so a cache entry linking to it can tell when it changed.
 *
 * Synchronous, so scenario loading stays synchronous: a backend whose library loads asynchronously
 * (HDF5 through h5wasm) throws ProbeNotReady until {@link prepareSourceProbes} has run, and a
 * scenario with such a source is loaded with `loadScenarioAsync`.
 */
import { readdirSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import { backendForSource } from "../backends/registry.ts";
import { type SourceInfo, SourceProblem } from "../backends/source-probe.ts";
import type { SourceFormat } from "../scenario/types.ts";

export { prepareSourceProbes } from "../backends/registry.ts";
export { ProbeNotReady, type SourceInfo, SourceProblem } from "../backends/source-probe.ts";

/** Shape, dtype and as-is layout of the source at `path` (`shown` is the path used in messages). */
export function probeSource(path: string, shown: string, format: SourceFormat, datasetPath?: string): SourceInfo {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceProblem(code === "ENOENT" ? `no such file or folder: ${shown}` : `cannot read ${shown} (${code ?? (err as Error).message})`);
  }
  const info = backendForSource(format).probeSource(path, { shown, stats, datasetPath });
  checkShape(shown, info.shape);
  return info;
}

function checkShape(shown: string, shape: readonly number[]): void {
  if (shape.length < 1 || shape.length > 4) {
    throw new SourceProblem(`${shown} holds a ${shape.length}-D array; layoutbench reads 1 to 4 dimensions`);
  }
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new SourceProblem(`${shown} holds an array of shape [${shape.join(", ")}]; every axis needs at least one element`);
  }
}

/** Size and modification time of a source, for telling when a cached link to it is stale. */
export interface SourceStamp {
  readonly bytes: number;
  readonly files: number;
  readonly mtimeMs: number;
}

/** Total size, file count and latest mtime (over every file of a Zarr folder). */
export function sourceStamp(path: string): SourceStamp {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, files: 1, mtimeMs: st.mtimeMs };
  let bytes = 0;
  let files = 0;
  let mtimeMs = st.mtimeMs;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      const s = statSync(p);
      mtimeMs = Math.max(mtimeMs, s.mtimeMs);
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) {
        bytes += s.size;
        files++;
      }
    }
  };
  walk(path);
  return { bytes, files, mtimeMs };
}
