/**
 * `--small`: the same suite on arrays SMALL_FACTOR times smaller along each axis, with few
 * samples, so the end-to-end test runs every claim in seconds. The scenario file is shrunk as data
 * before it is validated: dataset shapes, chunk shapes, tile shapes and band widths are divided
 * (rounding up, so a 3×3 chunk grid stays 3×3), sampling is replaced.
 */
import { parse, stringify } from "yaml";

export const SMALL_FACTOR = 4;

/** Sampling of a small run: enough samples for an interval, one round. */
export const SMALL_SAMPLING = { samples: 3, minSamples: 3, timeBudget: 10, warmup: 1, rounds: 1, minSampleMs: 0 } as const;

type Entry = Record<string, unknown>;

const shrink = (values: unknown) =>
  Array.isArray(values) ? values.map((v) => (typeof v === "number" ? Math.max(1, Math.ceil(v / SMALL_FACTOR)) : v)) : values;

function shrinkEach(list: unknown, keys: readonly string[]): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((entry: Entry) => {
    const out: Entry = { ...entry };
    for (const key of keys) {
      if (key in out)
        out[key] = Array.isArray(out[key])
          ? shrink(out[key])
          : typeof out[key] === "number"
            ? Math.max(1, Math.ceil((out[key] as number) / SMALL_FACTOR))
            : out[key];
    }
    return out;
  });
}

/** The text of a scenario file shrunk for `--small` (pure: YAML in, YAML out). */
export function smallScenarioText(text: string): string {
  const data = parse(text) as Entry;
  // A scenario whose measure means nothing on a smaller array (`x-small: keep`, a key the loader
  // ignores) keeps its sizes and only takes the small sampling.
  if (data["x-small"] === "keep") return stringify({ ...data, sampling: SMALL_SAMPLING });
  return stringify({
    ...data,
    datasets: shrinkEach(data.datasets, ["shape"]),
    layouts: shrinkEach(data.layouts, ["chunks", "shards"]),
    patterns: shrinkEach(data.patterns, ["shape", "width"]),
    sampling: SMALL_SAMPLING,
  });
}
