/** Reading a published history folder: its index and every run it lists, in index order. */
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { readResults } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import type { HistoryEntry } from "../shard/history.ts";
import { readIndexFile } from "./dir.ts";

export function readHistory(dir: string): { entry: HistoryEntry; results: ResultsFile }[] {
  const index = readIndexFile(dir);
  if (index.runs.length === 0)
    throw new UserError(
      `${dir}: no published runs (no ${join(dir, "index.json")}, or it lists none); publish one with layoutbench publish RESULTS --to ${dir}`,
    );
  return index.runs.map((entry) => ({ entry, results: readResults(join(dir, entry.file)) }));
}
