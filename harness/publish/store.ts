/**
 * Publishing to S3-compatible object storage (`--to s3://bucket/prefix`) through the remote
 * ObjectStore. Object stores offer this client no compare-and-swap, so the history's truth is one
 * small entry object per run (entries/NAME.json, written after the run's results file); index.json
 * is rebuilt from the listed entries by every publish, and readers rebuild it the same way. Two
 * publishers at once can leave index.json one run behind until the next publish, but never lose a
 * run.
 */
import { UserError } from "../core/errors.ts";
import type { ObjectStore } from "../remote/index.ts";
import { RESULTS_KIND, RESULTS_VERSION, type ResultsFile } from "../run/results-types.ts";
import { appendRun, emptyIndex, type HistoryEntry, type HistoryIndex, INDEX_FILE } from "../shard/history.ts";

const ENTRIES = "entries/";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 1) + "\n");

async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  const text = new TextDecoder().decode(await store.get(key));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${store.label}${key}: not valid JSON (${(err as Error).message})`);
  }
}

/** The index as the entry objects say: every published run, in start order. */
export async function indexFromStore(store: ObjectStore): Promise<HistoryIndex> {
  const keys = (await store.list(ENTRIES)).filter((k) => k.endsWith(".json"));
  const entries = (await Promise.all(keys.map((k) => getJson(store, k)))) as HistoryEntry[];
  entries.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.file < b.file ? -1 : 1));
  return { ...emptyIndex(), runs: entries };
}

export async function publishToStore(
  store: ObjectStore,
  results: ResultsFile,
  commit: string | null,
  now: () => string = () => new Date().toISOString(),
): Promise<HistoryEntry> {
  const { entry } = appendRun(await indexFromStore(store), results, commit, now());
  const name = entry.file.slice(entry.file.lastIndexOf("/") + 1);
  await store.put(entry.file, encode(results));
  await store.put(ENTRIES + name, encode(entry));
  await store.put(INDEX_FILE, encode(await indexFromStore(store)));
  return entry;
}

/** Every published run with its results, in index order. */
export async function readStoreHistory(store: ObjectStore): Promise<{ entry: HistoryEntry; results: ResultsFile }[]> {
  const index = await indexFromStore(store);
  if (index.runs.length === 0) throw new UserError(`${store.label}: no published runs (nothing under ${ENTRIES})`);
  return Promise.all(
    index.runs.map(async (entry) => {
      const results = (await getJson(store, entry.file)) as Partial<ResultsFile>;
      if (results?.kind !== RESULTS_KIND || results.version !== RESULTS_VERSION || !Array.isArray(results.cases)) {
        throw new UserError(`${store.label}${entry.file}: not a layoutbench results file of version ${RESULTS_VERSION}`);
      }
      return { entry, results: results as ResultsFile };
    }),
  );
}
