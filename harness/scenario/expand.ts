/**
 * A scenario's lists expand into a matrix of cases: dataset × layout × pattern × cache state ×
 * storage × readers × engine (a dataset with a source has one layout, its file as it is; one with
 * several sources has those and the scenario's).
 * `--filter` keeps the cases whose id contains every given word (or matches a /regex/).
 */

import { DEFAULT_ENGINE, engineNamed } from "./engines.ts";
import { DEFAULT_READERS, isDefaultReaders, readersLabel } from "./readers.ts";
import { patternFor } from "./resolve.ts";
import { LOCAL_STORAGE } from "./storage.ts";
import type { CaseSpec, DatasetSpec, LayoutSpec, ReadersSpec, Scenario } from "./types.ts";

/** Segments a case id gains for dimensions whose value is not the default (`storage=LABEL`). */
export interface CaseIdExtras {
  /** The storage's label; "local" (the default) adds nothing. */
  readonly storage?: string;
  /** Who reads; one process with one thread (the default) adds nothing. */
  readonly readers?: ReadersSpec;
}

/**
 * `scenario/dataset/layout/pattern/cache[/storage=LABEL][/readers=LABEL]`, with `@engine` appended
 * for engines other than layoutbench's own. Default values add nothing, so ids from before engines,
 * storage and readers existed stay as they were and baselines still match.
 */
export function caseId(
  scenario: string,
  dataset: string,
  layout: string,
  pattern: string,
  cache: string,
  engine: string = DEFAULT_ENGINE,
  extras: CaseIdExtras = {},
): string {
  const e = engineNamed(engine) ?? engine;
  const storage = extras.storage && extras.storage !== LOCAL_STORAGE.label ? `/storage=${extras.storage}` : "";
  const readers = extras.readers && !isDefaultReaders(extras.readers) ? `/readers=${readersLabel(extras.readers)}` : "";
  return `${scenario}/${dataset}/${layout}/${pattern}/${cache}${storage}${readers}${e === DEFAULT_ENGINE ? "" : "@" + e}`;
}

export function expandCases(scenario: Scenario): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const dataset of scenario.datasets) {
    for (const [layout, view] of layoutsOf(dataset, scenario.layouts)) {
      for (const pattern of scenario.patterns) {
        for (const cache of scenario.cache) {
          for (const storage of scenario.storage) {
            for (const readers of scenario.readers ?? [DEFAULT_READERS]) {
              for (const engine of scenario.engines) {
                cases.push({
                  id: caseId(scenario.name, dataset.name, layout.name, pattern.name, cache, engine, { storage: storage.label, readers }),
                  scenario,
                  dataset: view,
                  layout,
                  pattern: patternFor(pattern, dataset.shape.length),
                  cache,
                  storage,
                  engine,
                  readers,
                });
              }
            }
          }
        }
      }
    }
  }
  return cases;
}

/**
 * The layouts a dataset is measured in, each with the dataset as its cases see it. A dataset read
 * from one file: its own layout only ("as-is"). One with several sources: each source as a layout
 * (the case's `source` is that one), then the scenario's layouts, written from the first source's
 * values (the case has no `source`). A generated dataset: the scenario's layouts.
 */
export function layoutsOf(dataset: DatasetSpec, layouts: readonly LayoutSpec[]): [LayoutSpec, DatasetSpec][] {
  if (dataset.sources) {
    const { source: _first, ...written } = dataset;
    return [
      ...dataset.sources.map((s): [LayoutSpec, DatasetSpec] => [s.layout, { ...dataset, source: s }]),
      ...layouts.map((l): [LayoutSpec, DatasetSpec] => [l, written]),
    ];
  }
  if (dataset.source) return [[dataset.source.layout, dataset]];
  return layouts.map((l) => [l, dataset]);
}

/** A predicate from a filter: `/re/` is a regular expression, otherwise every word must appear. */
export function caseFilter(filter: string | undefined): (id: string) => boolean {
  if (!filter) return () => true;
  const re = /^\/(.*)\/$/.exec(filter);
  if (re) {
    const regex = new RegExp(re[1]);
    return (id) => regex.test(id);
  }
  const words = filter.split(/\s+/).filter(Boolean);
  return (id) => words.every((w) => id.includes(w));
}
