/**
 * `layoutbench datasets list|clean`: what the materialization cache holds, and removing it.
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { defaultCacheRoot } from "../core/paths.ts";
import { acquireRunLock } from "../store/lock.ts";
import { listCache } from "../store/materialize.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench datasets list|clean [--cache DIR] [--partial]

  list      the materialized layouts in the cache, with size and parameters
  clean     remove every materialized layout (with --partial: only unfinished and damaged ones,
            and scratch copies left by write cases)`;

export const datasetsCommand: Command = {
  name: "datasets",
  summary: "list or clean the materialized dataset cache",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("datasets", args, { cache: { type: "string" }, partial: { type: "boolean" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    const root = resolve(values.cache ?? defaultCacheRoot());
    const action = positionals[0];
    const { entries, partial, scratch, damaged } = listCache(root);
    if (action === "list") {
      if (entries.length === 0) console.log(`${root}: empty`);
      for (const e of entries) {
        const params = Object.entries(e.layout)
          .filter(([k]) => k !== "name" && k !== "backend")
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(" ");
        const encoder = e.encoder ? `  written by ${e.encoder.name}` : "";
        console.log(
          `${e.dir}  ${(e.bytesOnDisk / 2 ** 20).toFixed(1)} MiB  ${e.dataset.dtype}[${e.dataset.shape.join("×")}] ${e.dataset.generator}  ${e.layout.backend} ${params}${encoder}`,
        );
      }
      for (const p of partial) console.log(`${p}  (unfinished: never reused; remove with datasets clean --partial)`);
      for (const p of scratch)
        console.log(`${p}  (scratch copy of a write case left by a failed or killed run, not a dataset; remove with datasets clean --partial)`);
      for (const d of damaged) console.log(`${d.dir}  (damaged: ${d.problem}; run with --rematerialize or datasets clean)`);
      return 0;
    }
    if (action === "clean") {
      const release = acquireRunLock(root, "datasets clean");
      try {
        const targets = [...partial, ...scratch, ...damaged.map((d) => d.dir), ...(values.partial ? [] : entries.map((e) => e.dir))];
        for (const dir of targets) rmSync(dir, { recursive: true, force: true });
        console.log(`removed ${targets.length} folder${targets.length === 1 ? "" : "s"} from ${root}`);
      } finally {
        release();
      }
      return 0;
    }
    throw new UserError(`layoutbench datasets: expected "list" or "clean", got ${action === undefined ? "nothing" : JSON.stringify(action)}`);
  },
};
