/**
 * Measuring two or more runs alternately (`layoutbench ab`). Each side — a layoutbench tree and
 * the scenario files it runs — is measured in blocks: block k is one round of every case, taken
 * by `layoutbench run --rounds 1` of that side's tree, and the sides take their block k one after
 * the other before any side starts block k + 1. A slow spell of a shared machine then lands on
 * every side alike instead of on whichever run happened to be running, which is the run-to-run
 * drift that two runs measured apart cannot tell from a change. The order rotates from block to
 * block (A B, B A, ...), so no side always goes first.
 *
 * Every side is run once with one sample per case before the first block: it writes the side's
 * datasets, so no timed block shares the disk with writing, and it shows that the tree can run
 * the scenarios at all before any time is spent. Each side's results file is rewritten after
 * every block that all sides finished; an interrupted alternation keeps the blocks finished.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { forwardInterrupt } from "../run/interrupt.ts";
import { readResults, writeJsonAtomic } from "../run/results-file.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { mergeBlocks } from "./merge.ts";

/** One run of the alternation. */
export interface Side {
  /** Names its files (NAME.json); letters, digits, '-', '_'. */
  readonly name: string;
  /** A layoutbench checkout with its dependencies installed. */
  readonly tree: string;
  readonly files: readonly string[];
  readonly cache: string;
}

export interface AlternateOptions {
  readonly blocks: number;
  readonly samplesPerBlock: number;
  /** Where NAME.json per side, and blocks/ with every block's results and log, are written. */
  readonly outDir: string;
  readonly filter?: string;
  readonly log: (line: string) => void;
  /** Polled between blocks and forwarded to the running block: true ends the alternation early. */
  readonly interrupted?: () => boolean;
}

export interface Alternation {
  /** Each side's merged results file, by side name. */
  readonly paths: ReadonlyMap<string, string>;
  readonly blocks: number;
  readonly interrupted: boolean;
}

/** The command line of a side's `layoutbench run`. */
function binOf(tree: string): string {
  return join(tree, "harness", "cli", "bin.js");
}

/** Runs the sides alternately, block by block; see the file comment. */
export async function runAlternately(sides: readonly Side[], options: AlternateOptions): Promise<Alternation> {
  for (const side of sides) {
    if (!existsSync(binOf(side.tree))) {
      throw new UserError(`${side.tree}: not a layoutbench tree (no harness/cli/bin.js): give a checkout with its dependencies installed (npm ci)`);
    }
  }
  const blocksDir = join(options.outDir, "blocks");
  mkdirSync(blocksDir, { recursive: true });
  const pairingId = `${new Date().toISOString()}-${randomBytes(4).toString("hex")}`;
  const taken = new Map(sides.map((s) => [s.name, [] as ResultsFile[]]));
  const paths = new Map(sides.map((s) => [s.name, join(options.outDir, `${s.name}.json`)]));
  const stopped = () => options.interrupted?.() ?? false;

  for (const side of sides) {
    options.log(`preparing ${side.name} (${side.tree}): one sample per case, writing its datasets`);
    const r = await runBlock(side, "prepare", ["--samples", "1", "--rounds", "1"], blocksDir, options);
    if (r.interrupted) return { paths, blocks: 0, interrupted: true };
  }
  let blocks = 0;
  for (let k = 1; k <= options.blocks && !stopped(); k++) {
    const order = sides.map((_, i) => sides[(i + k - 1) % sides.length]);
    const started = performance.now();
    const block: ResultsFile[] = [];
    for (const side of order) {
      const r = await runBlock(side, String(k).padStart(3, "0"), ["--samples", String(options.samplesPerBlock), "--rounds", "1"], blocksDir, options);
      if (r.interrupted) break;
      block.push(r.results);
    }
    if (block.length < sides.length) break;
    blocks = k;
    order.forEach((side, i) => {
      taken.get(side.name)!.push(block[i]);
    });
    for (const side of sides) {
      writeJsonAtomic(paths.get(side.name)!, mergeBlocks(taken.get(side.name)!, { id: pairingId, side: side.name, tree: side.tree }, options.blocks));
    }
    options.log(`block ${k} of ${options.blocks} (${order.map((s) => s.name).join(", ")}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { paths, blocks, interrupted: blocks < options.blocks };
}

/** One `layoutbench run` of a side; its output goes to blocks/SIDE-LABEL.log. */
async function runBlock(
  side: Side,
  label: string,
  sampling: readonly string[],
  blocksDir: string,
  options: AlternateOptions,
): Promise<{ interrupted: true } | { interrupted: false; results: ResultsFile }> {
  const out = join(blocksDir, `${side.name}-${label}.json`);
  const args = [
    binOf(side.tree),
    "run",
    ...side.files,
    "--out",
    out,
    "--cache",
    side.cache,
    "--no-report",
    ...sampling,
    ...(options.filter === undefined ? [] : ["--filter", options.filter]),
  ];
  const child = spawn(process.execPath, args, { cwd: side.tree, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const stopForwarding = forwardInterrupt(child, options.interrupted);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, signal) => resolve(c ?? (signal === "SIGINT" ? 130 : null)));
  }).finally(stopForwarding);
  const log = join(blocksDir, `${side.name}-${label}.log`);
  writeFileSync(log, output);
  if (code === 130 || options.interrupted?.()) return { interrupted: true };
  // 2: a case failed; the results file holds it as data and compare shows it.
  if (code !== 0 && code !== 2) {
    const tail = output.trim().split("\n").slice(-2).join(" | ");
    throw new UserError(`${side.name} (${side.tree}): layoutbench run exited with ${code} in block ${label}: ${tail} (log: ${log})`);
  }
  return { interrupted: false, results: readResults(out) };
}
