/**
 * HDF5 objects with no local copy (a user's bucket or HTTP server): the byte ranges libhdf5 reads
 * are planned from the object itself, through a sparse image filled by ranged GETs. The objects
 * here are copies of materialized files in a directory of their own, served by the harness's HTTP
 * server and by moto; the readers are given a layout folder that does not exist, so nothing can be
 * read locally. The plans must equal those recorded on the local file, and the timed reads must
 * send exactly the same GETs (method, range, bytes) as a reader planned from the local copy.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { localTarget, remotePlanId } from "../harness/backends/hdf5/plan-target.ts";
import { knownFilePlan, knownSelectionPlan, planFile, planningCost, planSelection } from "../harness/backends/hdf5/remote-plan.ts";
import { HDF5_FILE, hdf5Backend } from "../harness/backends/hdf5.ts";
import type { Stored } from "../harness/backends/types.ts";
import { type Selection, slice } from "../harness/core/selection.ts";
import { generateRegion } from "../harness/data/generate.ts";
import type { ObjectStore } from "../harness/remote/index.ts";
import type { DatasetSpec, Hdf5Layout } from "../harness/scenario/types.ts";
import { type RunningServer, StartedRegistry, startHttpServer, startS3Server } from "../harness/servers/index.ts";
import { ensureMaterialized } from "../harness/store/materialize.ts";
import { makeTestDir } from "./support/contract.ts";
import { CONTIGUOUS, layout } from "./support/hdf5-layouts.ts";

const dir = makeTestDir("hdf5-remote-object");
const registry = new StartedRegistry();

// 512 × 512 float32: rows of 2 KiB, 1 MiB in all; gzip chunks of 64 × 64 (64 chunks).
const DATASET = { name: "d", shape: [512, 512], dtype: "float32", generator: "smooth", seed: 3 } as DatasetSpec;
const GZIP = layout("gz", { name: "gzip", level: 4 }, [64, 64]);
const SELECTIONS: Selection[] = [
  [slice(0, 512), slice(0, 512)],
  [slice(100, 101), slice(0, 512)],
  [slice(0, 512), slice(7, 8)],
  [slice(64, 192), slice(128, 320)],
];

interface Served {
  readonly name: string;
  readonly local: Stored<Hdf5Layout>;
  readonly prefix: string;
}
const files: Served[] = [];
const servers: RunningServer[] = [];

before(async () => {
  const served = join(dir, "served");
  for (const l of [CONTIGUOUS, GZIP]) {
    const local = (await ensureMaterialized(join(dir, "cache"), DATASET, l)).stored as Stored<Hdf5Layout>;
    const prefix = basename(local.dir);
    mkdirSync(join(served, prefix), { recursive: true });
    // A copy: another inode, no link to the cached file.
    copyFileSync(join(local.dir, HDF5_FILE), join(served, prefix, HDF5_FILE));
    files.push({ name: l.name, local, prefix });
  }
  servers.push(await startHttpServer({ root: served, registry }), await startS3Server({ root: served, registry }));
});
after(async () => {
  await registry.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The requests of `store` as sent: method, range and bytes, in order of the range. */
const sent = (store: ObjectStore) =>
  store.requests
    .since(0)
    .map((r) => `${r.method} ${r.range} ${r.bytes}`)
    .sort();

/** The layout as a reader with no local copy sees it: a folder that does not exist. */
const nowhere = (s: Stored<Hdf5Layout>): Stored<Hdf5Layout> => ({ ...s, dir: join(dir, "no-local-copy", basename(s.dir)) });

describe("HDF5 objects with no local copy: plans from the object itself", () => {
  for (const kind of ["http", "s3"] as const) {
    for (const which of ["contiguous", "gz"]) {
      test(`${which} over ${kind}: the same plans and the same GETs as from the local copy`, async () => {
        const server = servers[kind === "http" ? 0 : 1];
        const f = files.find((x) => x.name === which)!;
        const remote = nowhere(f.local);
        assert.ok(!existsSync(remote.dir));
        const key = `${f.prefix}/${HDF5_FILE}`;
        const planner = server.store();
        await hdf5Backend.planRemote!(remote, { store: planner, prefix: f.prefix, concurrency: 4, localCopy: false }, SELECTIONS);
        const planning = sent(planner);
        assert.ok(planning.length >= 2, `a HEAD and at least one GET: ${planning.join(", ")}`);
        await planner.close();

        const id = remotePlanId(planner, key);
        const local = localTarget(join(f.local.dir, HDF5_FILE));
        const filePlan = await planFile(f.local, local);
        assert.deepEqual(knownFilePlan(id), filePlan);
        assert.equal(planningCost(id)?.requests, planning.length);
        if (which === "contiguous") assert.ok(filePlan.contiguous, "the contiguous file is read by the sieve replay");
        else {
          assert.equal(filePlan.contiguous, undefined);
          for (const sel of SELECTIONS) assert.deepEqual(knownSelectionPlan(id, sel), await planSelection(f.local, local, sel));
        }

        // Planning again sends nothing: the plans are kept.
        const again = server.store();
        await hdf5Backend.planRemote!(remote, { store: again, prefix: f.prefix, concurrency: 4, localCopy: false }, SELECTIONS);
        assert.deepEqual(sent(again), []);
        await again.close();

        const fromObject = server.store();
        const fromLocal = server.store();
        const a = await hdf5Backend.openRemote!(remote, { store: fromObject, prefix: f.prefix, concurrency: 4, localCopy: false });
        const b = await hdf5Backend.openRemote!(f.local, { store: fromLocal, prefix: f.prefix, concurrency: 4, localCopy: true });
        try {
          for (const sel of SELECTIONS) {
            const expected = generateRegion(DATASET, sel);
            assert.deepEqual(await a.read(sel), expected);
            assert.deepEqual(await b.read(sel), expected);
          }
          assert.deepEqual(sent(fromObject), sent(fromLocal));
          const path = a.readPath?.();
          assert.match(`${path?.library} ${path?.ours}`, /in the object itself \(no local copy\)/);
        } finally {
          await a.close();
          await b.close();
          await fromObject.close();
          await fromLocal.close();
        }
      });
    }
  }

  test("no sparse images are left behind", () => {
    const shm = existsSync("/dev/shm") ? "/dev/shm" : undefined;
    if (!shm) return;
    assert.deepEqual(
      readdirSync(shm).filter((x) => x.startsWith("layoutbench-h5-plan-")),
      [],
    );
  });
});
