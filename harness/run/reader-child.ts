/**
 * A reader process: one of a case's N readers (readers-round.ts starts them). It opens the case's
 * layout with the same engine code as the run's own process, reads its share of the selections
 * when told to go, and answers each request of reader-protocol.ts. It ignores Ctrl-C (the
 * coordinator stops it at the next safe point) and exits as soon as the coordinator goes away, so
 * no reader outlives its run.
 */
import { readFileSync } from "node:fs";
import { expandPattern } from "../access/patterns.ts";
import { capReaderThreads } from "../backends/concurrency.ts";
import { itemSize } from "../core/dtype.ts";
import { OutputPool } from "../engines/output-pool.ts";
import type { EngineSession } from "../engines/types.ts";
import { verifierFor } from "../engines/verify.ts";
import { sessionFor } from "./engines-start.ts";
import { readIoCounters } from "./io-counters.ts";
import { parseSmapsRollup } from "./memory.ts";
import type { ReaderReply, ReaderRequest } from "./reader-protocol.ts";
import { realRunDeps } from "./real-deps.ts";

process.on("SIGINT", () => {});
process.on("disconnect", () => process.exit(0));

const wallNow = () => performance.timeOrigin + performance.now();
let session: EngineSession | null = null;
let open = false;
let shareSize = 0;

function reply(r: ReaderReply): Promise<void> {
  return new Promise((resolve, reject) => process.send!(r, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function handle(req: ReaderRequest): Promise<ReaderReply> {
  switch (req.type) {
    case "init": {
      capReaderThreads(req.threads);
      const deps = realRunDeps();
      const { spec } = req;
      const backend = deps.backendFor(spec.layout);
      const all = expandPattern(spec.pattern, spec.dataset.shape, itemSize(spec.dataset.dtype));
      const selections = req.share.map((i) => all[i]);
      shareSize = selections.length;
      const first = req.firstSource ? { backend: deps.backendFor(req.firstSource.layout), stored: req.firstSource } : undefined;
      const verifier = await verifierFor(spec.dataset, backend, req.stored, selections, new OutputPool(), first);
      session = sessionFor(
        spec,
        { backend, stored: req.stored, selections, verifier, now: () => performance.now(), outputs: new OutputPool(), python: null },
        deps.engines,
      );
      const baseline = parseSmapsRollup(readFileSync("/proc/self/smaps_rollup", "latin1"));
      return { type: "ready", baselineAnonBytes: baseline.pssAnonBytes, verifier: verifier.kind };
    }
    case "open": {
      const openMs = await session!.open();
      open = true;
      return { type: "opened", openMs };
    }
    case "close":
      if (open) await session!.close();
      open = false;
      return { type: "closed" };
    case "warmup": {
      let fastest = Number.POSITIVE_INFINITY;
      const n = req.calibrate ? Math.max(req.count, 2) : req.count;
      for (let i = 0; i < n; i++) fastest = Math.min(fastest, (await session!.pass()).ms);
      return { type: "warmed", fastestMs: Number.isFinite(fastest) ? fastest : 0 };
    }
    case "go": {
      // Sleep to just before the start time, then spin to it: a timer alone is late by a millisecond or more.
      const early = req.at - wallNow() - 2;
      if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
      while (wallNow() < req.at);
      const before = readIoCounters();
      const startedAt = wallNow();
      let ms = 0;
      for (let p = 0; p < req.passes; p++) ms += (await session!.pass()).ms;
      const endedAt = wallNow();
      const after = readIoCounters();
      return {
        type: "done",
        ms,
        startedAt,
        endedAt,
        bytesRead: after.readBytes - before.readBytes,
        majorFaults: after.majorFaults - before.majorFaults,
        selections: shareSize,
      };
    }
    case "finish": {
      if (open) await session!.finish();
      const readPath = session?.readPath?.();
      if (open) await session!.close();
      open = false;
      return { type: "finished", ...(readPath ? { readPath } : {}) };
    }
  }
}

// Requests come one at a time: the coordinator waits for each reply before the next.
process.on("message", (req: ReaderRequest) => {
  handle(req).then(reply, async (err) => {
    await reply({ type: "error", message: (err as Error).message.split("\n")[0] }).catch(() => {});
    process.exit(1);
  });
});
