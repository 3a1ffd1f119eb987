/**
 * The calibration block of a sharded run, measured once at its start: the floors a machine puts
 * under every number (a cold sequential read from the dataset cache's storage, a memory copy, a
 * loopback round trip), so numbers from different machines or shards can be judged side by side.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { evictFilesSync } from "../cache/evict.ts";
import { residency } from "../cache/residency.ts";
import type { Calibration } from "./shard-record.ts";

const PROBE_BYTES = 32 * 1024 * 1024;
const READ_BLOCK = 1024 * 1024;
const COPY_BYTES = 64 * 1024 * 1024;
const COPY_REPEATS = 3;
const ROUND_TRIPS = 40;
/** Resident share after eviction still counted as cold. */
const COLD_LIMIT = 0.02;

export async function measureCalibration(cacheRoot: string, now: () => number = () => performance.now()): Promise<Calibration> {
  const storage = storageFloor(cacheRoot, now);
  return {
    storageBytesPerS: storage.bytesPerS,
    storageProbeBytes: PROBE_BYTES,
    storageCold: storage.cold,
    memoryCopyBytesPerS: memoryCopy(now),
    loopbackRoundTripUs: await loopbackRoundTrip(now),
    measuredAt: new Date().toISOString(),
  };
}

/** Writes a probe file of random bytes, flushes and evicts it, then times one sequential read. */
function storageFloor(dir: string, now: () => number): { bytesPerS: number; cold: boolean } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `.calibration-probe-${process.pid}.tmp`);
  try {
    const fd = openSync(path, "w");
    try {
      for (let at = 0; at < PROBE_BYTES; at += READ_BLOCK) writeSync(fd, randomBytes(READ_BLOCK));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    evictFilesSync([path], "fadvise");
    const cold = residency([path]).fraction <= COLD_LIMIT;
    const buffer = Buffer.allocUnsafe(READ_BLOCK);
    const rfd = openSync(path, "r");
    const start = now();
    let total = 0;
    try {
      for (let n = readSync(rfd, buffer, 0, READ_BLOCK, null); n > 0; n = readSync(rfd, buffer, 0, READ_BLOCK, null)) total += n;
    } finally {
      closeSync(rfd);
    }
    return { bytesPerS: total / ((now() - start) / 1000), cold };
  } finally {
    rmSync(path, { force: true });
  }
}

/** Best of a few copies of a 64 MiB buffer (the best, as a floor, is least disturbed by other load). */
function memoryCopy(now: () => number): number {
  const from = Buffer.alloc(COPY_BYTES, 1);
  const to = Buffer.alloc(COPY_BYTES);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < COPY_REPEATS; i++) {
    const start = now();
    from.copy(to);
    best = Math.min(best, now() - start);
  }
  return COPY_BYTES / (Math.max(best, 1e-3) / 1000);
}

/** Median of ROUND_TRIPS one-byte echoes over TCP on 127.0.0.1 (inside a network namespace, its own loopback). */
async function loopbackRoundTrip(now: () => number): Promise<number> {
  const server = createServer((socket) => socket.on("data", (d) => socket.write(d)));
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  let socket: Socket | undefined;
  try {
    socket = connect({ port, host: "127.0.0.1", noDelay: true });
    await new Promise<void>((ok, fail) => socket!.once("connect", ok).once("error", fail));
    const times: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const start = now();
      await new Promise<void>((ok) => {
        socket!.once("data", () => ok());
        socket!.write("x");
      });
      times.push(now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] * 1000;
  } finally {
    socket?.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}
