/**
 * Reading and writing results files. Written atomically (temporary file + rename) after every
 * round of every case, so a killed run leaves a complete file holding every case it finished.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../core/errors.ts";
import { type CaseResult, RESULTS_KIND, RESULTS_VERSION, type ResultsFile } from "./results-types.ts";
import type { CaseStamp } from "./shard-record.ts";

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, JSON.stringify(value, null, 1) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Accumulates cases and rewrites the file after each one. */
export class ResultsWriter {
  private results: ResultsFile;
  constructor(
    readonly path: string,
    header: Omit<ResultsFile, "cases" | "finishedAt">,
    cases: readonly CaseResult[] = [],
    /** Fields every case put from now on carries (a sharded run's shard and machine). */
    private readonly stamp: CaseStamp = {},
  ) {
    this.results = { ...header, finishedAt: null, cases: [...cases] };
    writeJsonAtomic(path, this.results);
  }
  get current(): ResultsFile {
    return this.results;
  }
  /** Adds a case, or replaces the record of the same id (a case sampled over several rounds). */
  put(unstamped: CaseResult): void {
    const result = { ...unstamped, ...this.stamp };
    const cases = [...this.results.cases];
    const at = cases.findIndex((c) => c.id === result.id);
    if (at >= 0) cases[at] = result;
    else cases.push(result);
    this.results = { ...this.results, cases };
    writeJsonAtomic(this.path, this.results);
  }
  /** Marks the run finished; an interrupted run keeps `finishedAt: null` so it reads as incomplete. */
  finish(interrupted = false): ResultsFile {
    this.results = { ...this.results, finishedAt: interrupted ? null : new Date().toISOString() };
    writeJsonAtomic(this.path, this.results);
    return this.results;
  }
}

/** Reads a results file, refusing other kinds and versions with the action to take. */
export function readResults(path: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read results file (${code ?? "not valid JSON: " + (err as Error).message})`);
  }
  const file = data as Partial<ResultsFile>;
  if (!file || typeof file !== "object" || file.kind !== RESULTS_KIND) {
    throw new UserError(`${path}: not a layoutbench results file (expected "kind": "${RESULTS_KIND}")`);
  }
  if (file.version !== RESULTS_VERSION) {
    throw new UserError(
      `${path}: this results file has version ${JSON.stringify(file.version)}; this layoutbench reads version ${RESULTS_VERSION}: re-run the scenario or use a matching layoutbench`,
    );
  }
  if (!Array.isArray(file.cases) || !file.context) {
    throw new UserError(`${path}: results file is incomplete (no cases or context)`);
  }
  return file as ResultsFile;
}
