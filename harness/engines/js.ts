/**
 * The layoutbench engine (formerly "js"): the harness's own backends in this process. Each read
 * is timed alone and its data verified right after, outside the timed region: against the
 * generator, or for a dataset read from a file against reference reads (verify.ts).
 */

import type { Backend, Reader, Stored } from "../backends/types.ts";
import type { TypedArray } from "../core/dtype.ts";
import { VerificationError } from "../core/errors.ts";
import type { Selection } from "../core/selection.ts";
import { elementCount, formatSelection, selectionShape } from "../core/selection.ts";
import { generateRegion, verifyRegion } from "../data/generate.ts";
import type { CaseSpec } from "../scenario/types.ts";
import { OutputPool } from "./output-pool.ts";
import type { EngineSession, ReadPath } from "./types.ts";
import { generatorVerifier, type SelectionVerifier } from "./verify.ts";

export { OutputPool };

/** Throws VerificationError naming the selection when `data` is not what the dataset holds. */
function verifySelection(spec: CaseSpec, sel: Selection, data: TypedArray, what: string): void {
  const problem = verifyRegion(spec.dataset, sel, data);
  if (problem) throw new VerificationError(`${what} ${formatSelection(sel)} returned wrong data: ${problem}`);
}

export function jsSession(
  spec: CaseSpec,
  backend: Backend,
  stored: Stored,
  selections: readonly Selection[],
  now: () => number,
  verifier: SelectionVerifier = generatorVerifier(spec.dataset, selections),
  outputs: OutputPool = new OutputPool(),
): EngineSession {
  const writing = spec.pattern.op === "write";
  // Writes store the dataset's own values, so the layout stays valid and can be verified after.
  const writeData = writing ? selections.map((sel) => generateRegion(spec.dataset, sel)) : null;
  let reader: Reader | null = null;
  // A reader opened, used and closed per selection: the open is part of every access.
  const perAccess = spec.pattern.openPerAccess === true && !writing;
  let lastPath: ReadPath | undefined;
  const pathOf = (r: Reader): ReadPath => ({
    engine: "layoutbench",
    // A write case's number was produced by the write path, not the read path.
    ...((writing ? r.writePath?.() : r.readPath?.()) ?? {
      implementation: `layoutbench ${spec.layout.backend} backend`,
      decoder: "not described",
      threads: 1,
      library: "not described",
      ours: "everything",
      fallbacks: [],
    }),
  });
  // Output buffers reused across reads, passes, rounds and cases (output-pool.ts).
  const outputFor = (sel: Selection): TypedArray => outputs.get(spec.dataset.dtype, elementCount(selectionShape(sel)));
  const open = (): Reader => {
    if (!reader) throw new Error("session used before open()");
    return reader;
  };
  // Plain reads, `count` passes in one call: nothing is allocated or awaited between two reads
  // but the read and its verification, which is what an application's loop would do.
  const outputsBySelection = writing || perAccess ? [] : selections.map(outputFor);
  const readPasses = async (count: number) => {
    const r = open();
    let ms = 0;
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < selections.length; i++) {
        const t0 = now();
        const data = await r.read(selections[i], outputsBySelection[i]);
        ms += now() - t0;
        const problem = await verifier.check(i, data);
        if (problem) throw new VerificationError(`read ${formatSelection(selections[i])} returned wrong data: ${problem}`);
      }
    }
    return { ms, io: null, timedRegions: count * selections.length };
  };
  return {
    ...(writing || perAccess ? {} : { passes: readPasses }),
    async open() {
      if (perAccess) return 0;
      const t0 = now();
      reader = await backend.open(stored, { writable: writing });
      return now() - t0;
    },
    async pass() {
      let ms = 0;
      if (perAccess) {
        for (let i = 0; i < selections.length; i++) {
          const out = outputFor(selections[i]);
          const t0 = now();
          const r = await backend.open(stored, { writable: false });
          let data: TypedArray;
          try {
            data = await r.read(selections[i], out);
          } finally {
            await r.close();
          }
          ms += now() - t0;
          lastPath = pathOf(r);
          const problem = await verifier.check(i, data);
          if (problem) throw new VerificationError(`read ${formatSelection(selections[i])} returned wrong data: ${problem}`);
        }
        return { ms, io: null, timedRegions: selections.length };
      }
      const r = open();
      for (let i = 0; i < selections.length; i++) {
        const sel = selections[i];
        if (writeData) {
          if (!r.write) throw new Error(`the ${spec.layout.backend} backend cannot write`);
          const t0 = now();
          await r.write(sel, writeData[i]);
          ms += now() - t0;
        } else {
          const out = outputFor(sel);
          const t0 = now();
          const data = await r.read(sel, out);
          ms += now() - t0;
          const problem = await verifier.check(i, data);
          if (problem) throw new VerificationError(`read ${formatSelection(sel)} returned wrong data: ${problem}`);
        }
      }
      if (!writeData) return { ms, io: null, timedRegions: selections.length };
      // Every write pass is made durable, timed apart: `flush` only picks which time ranks.
      let durableMs: number | null = null;
      if (r.flush) {
        const t0 = now();
        await r.flush();
        durableMs = ms + (now() - t0);
      }
      return { ms: spec.pattern.flush && durableMs !== null ? durableMs : ms, io: null, write: { returnMs: ms, durableMs } };
    },
    async finish() {
      if (!writing) return;
      const r = open();
      if (r.flush) await r.flush();
      for (const sel of selections) verifySelection(spec, sel, await r.read(sel), "read-back after write of");
    },
    async close() {
      const r = reader;
      reader = null;
      if (r) {
        lastPath = pathOf(r);
        await r.close();
      }
    },
    readPath() {
      return reader ? pathOf(reader) : lastPath;
    },
  };
}
