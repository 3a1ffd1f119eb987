/**
 * A session for an engine that reads through a library's own API as a user would call it (zarrita's
 * `zarr.get`, h5wasm's `Dataset.slice`): each read is timed alone and returns a fresh array, which
 * is verified right after, outside the timed region, the same way the layoutbench engine's reads are.
 * The library allocates the result: that is part of what calling it costs.
 */

import type { TypedArray } from "../core/dtype.ts";
import { VerificationError } from "../core/errors.ts";
import { formatSelection, type Selection } from "../core/selection.ts";
import type { CaseSpec } from "../scenario/types.ts";
import type { EngineSession, ReadPath } from "./types.ts";
import type { SelectionVerifier } from "./verify.ts";

/** One open handle of a library: reads selections, and closes every file it holds. */
export interface LibraryHandle {
  /** The selection's elements; `settle` turns them into C order outside the timed region. */
  read(sel: Selection): Promise<TypedArray> | TypedArray;
  /** Library results not in C order become C order here, untimed (a user would get them as they are). */
  settle?(sel: Selection, data: TypedArray): TypedArray;
  close(): Promise<void> | void;
}

export interface LibraryEngine {
  /** How errors name it: "zarrita engine". */
  readonly name: string;
  open(): Promise<LibraryHandle>;
  readonly readPath: ReadPath;
}

export function librarySession(
  spec: CaseSpec,
  engine: LibraryEngine,
  selections: readonly Selection[],
  verifier: SelectionVerifier,
  now: () => number,
): EngineSession {
  if (spec.pattern.op === "write") throw new Error(`the ${engine.name} only reads`);
  let handle: LibraryHandle | null = null;
  let opened = false;
  return {
    async open() {
      const t0 = now();
      handle = await engine.open();
      opened = true;
      return now() - t0;
    },
    async pass() {
      if (!handle) throw new Error(`${engine.name}: session used before open()`);
      let ms = 0;
      for (let i = 0; i < selections.length; i++) {
        const sel = selections[i];
        const t0 = now();
        const data = await handle.read(sel);
        ms += now() - t0;
        const problem = await verifier.check(i, handle.settle ? handle.settle(sel, data) : data);
        if (problem) throw new VerificationError(`${engine.name}: read ${formatSelection(sel)} returned wrong data: ${problem}`);
      }
      return { ms, io: null, timedRegions: selections.length };
    },
    async finish() {},
    async close() {
      const h = handle;
      handle = null;
      if (h) await h.close();
    },
    readPath: () => (opened ? engine.readPath : undefined),
  };
}
