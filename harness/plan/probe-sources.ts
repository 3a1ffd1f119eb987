/**
 * The one I/O of loading a scenario: what each dataset's files hold (shape, dtype, their own layout),
 * read from their headers; for a dataset with several sources, that they hold one shape and dtype.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { ProbedSource } from "../scenario/resolve.ts";
import type { ScenarioFile } from "../scenario/schema.ts";
import { probeSource, SourceProblem } from "../store/source.ts";

/**
 * Reads each dataset's source (paths relative to the scenario file): its shape, dtype and as-is
 * layout, or the problem that keeps it from being benchmarked.
 */
export function probeSources(data: ScenarioFile, file: string): (ProbedSource | SourceProblem | undefined)[] {
  return data.datasets.map((d) => {
    try {
      if (d.source) return probeOne(d.source, file);
      if (d.sources) return probeSeveral(d.sources, file);
      return undefined;
    } catch (err) {
      if (err instanceof SourceProblem) return err;
      throw err;
    }
  });
}

type FileSource = NonNullable<ScenarioFile["datasets"][number]["source"]>;

function shownPath(p: string, file: string): string {
  return isAbsolute(p) ? p : join(dirname(file), p);
}

function probeOne(s: FileSource, file: string, layoutName?: string): ProbedSource {
  const path = resolve(dirname(file), s.path);
  const info = probeSource(path, shownPath(s.path, file), s.format, s.dataset);
  const layout = layoutName === undefined ? info.layout : { ...info.layout, name: layoutName };
  return {
    shape: info.shape,
    dtype: info.dtype,
    source: { path, format: s.format, ...(info.datasetPath !== undefined ? { dataset: info.datasetPath } : {}), layout },
  };
}

/** Every source of a dataset with several, which must hold arrays of one shape and dtype. */
function probeSeveral(sources: readonly (FileSource & { name: string })[], file: string): ProbedSource {
  const probed = sources.map((s, i) => {
    try {
      return probeOne(s, file, s.name);
    } catch (err) {
      if (err instanceof SourceProblem) throw new SourceProblem(err.message, i);
      throw err;
    }
  });
  const [first] = probed;
  probed.forEach((p, i) => {
    if (i === 0 || (sameShape(p.shape, first.shape) && p.dtype === first.dtype)) return;
    const what = (q: ProbedSource) => `[${q.shape.join(", ")}] ${q.dtype}`;
    throw new SourceProblem(
      `${shownPath(sources[i].path, file)} holds ${what(p)}, but sources[0] (${shownPath(sources[0].path, file)}) holds ${what(first)}: the sources of one dataset must hold the same array`,
      i,
    );
  });
  return { ...first, sources: probed.map((p) => p.source) };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
