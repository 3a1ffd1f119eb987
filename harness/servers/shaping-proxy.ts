/**
 * A userspace HTTP proxy in front of a server the harness starts, shaping its answers: bandwidth
 * (one token bucket over all connections, body bytes only), time to first byte (the answer's
 * headers are held until `latencyMs` after the request was admitted) and concurrency (requests
 * served at once; the rest wait in arrival order). It can also inject faults for tests. Userspace
 * rather than kernel tbf because latency needs per-request timing no qdisc on this kernel gives
 * (netem is missing), and one mechanism serves both the HTTP and the S3 server.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { closeServer } from "./file-server.ts";
import { burstSize, checkShaping, pieceSize, type ShapingDescription, type ShapingSettings, TokenBucket } from "./token-bucket.ts";

/** A fault the proxy injects: answer a status, never answer, or cut the connection after `afterBytes` of the body. `times` limits it to the first N requests. */
export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly times?: number }
  | { readonly kind: "hang"; readonly times?: number }
  | { readonly kind: "die-mid-body"; readonly afterBytes?: number; readonly times?: number };

/** One request at the proxy: when it arrived, was admitted (a concurrency slot), had the origin's answer, sent its headers, and finished. */
export interface ServedRequest {
  readonly arrivedMs: number;
  admittedMs: number;
  /** When the origin's response headers reached the proxy (undefined for injected answers): after `admittedMs + latencyMs`, the origin made the answer late. */
  originMs?: number;
  headersMs: number | undefined;
  endMs: number | undefined;
  /** Body bytes sent to the client. */
  bytes: number;
  /** Whether the request came over a connection that had carried one before. */
  readonly connectionReused: boolean;
}

export interface ShapingProxy {
  readonly url: string;
  readonly port: number;
  readonly shaping: ShapingDescription;
  /** Most requests the proxy served at once (admitted, not queued). */
  readonly peakServing: number;
  /** Each answered request as the proxy saw it (performance.now() ms), in order of arrival. */
  readonly served: readonly ServedRequest[];
  /** Requests that have met the fault so far. */
  readonly faultsInjected: number;
  /** Sets or clears the fault for the following requests. */
  setFault(fault: Fault | undefined): void;
  stop(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `upstream` (`http://127.0.0.1:PORT`). */
export async function startShapingProxy(upstream: string, settings: ShapingSettings, initialFault?: Fault): Promise<ShapingProxy> {
  checkShaping(settings);
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const bucket = settings.bandwidth ? new TokenBucket(settings.bandwidth, burstSize(settings.bandwidth), performance.now()) : undefined;
  const piece = settings.bandwidth ? pieceSize(settings.bandwidth) : 0;
  const gate = new Gate(settings.concurrency ?? Number.POSITIVE_INFINITY);
  let fault = initialFault;
  let faultsInjected = 0;
  const served: ServedRequest[] = [];
  const seenSockets = new WeakSet<object>();

  const takeFault = (): Fault | undefined => {
    if (!fault) return undefined;
    if (fault.times !== undefined && faultsInjected >= fault.times) return undefined;
    faultsInjected++;
    return fault;
  };

  const server = http.createServer(async (req, res) => {
    const connectionReused = seenSockets.has(req.socket);
    seenSockets.add(req.socket);
    const entry: ServedRequest = { arrivedMs: performance.now(), admittedMs: 0, headersMs: undefined, endMs: undefined, bytes: 0, connectionReused };
    served.push(entry);
    const release = await gate.enter();
    res.on("close", () => {
      entry.endMs = performance.now();
      release();
    });
    const admittedMs = performance.now();
    entry.admittedMs = admittedMs;
    const active = takeFault();
    if (active?.kind === "hang") return; // the client's timeout ends it
    if (active?.kind === "status") {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${active.status === 403 ? "AccessDenied" : "InjectedFault"}</Code></Error>`;
      await sleepUntil(admittedMs + (settings.latencyMs ?? 0));
      res.writeHead(active.status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) }).end(body);
      return;
    }
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent },
      async (upstreamRes) => {
        upstreamRes.pause();
        entry.originMs = performance.now();
        await sleepUntil(admittedMs + (settings.latencyMs ?? 0));
        res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
        entry.headersMs = performance.now();
        res.flushHeaders();
        const cutAfter =
          active?.kind === "die-mid-body" ? (active.afterBytes ?? Math.floor(Number(upstreamRes.headers["content-length"] ?? 0) / 2)) : undefined;
        forwardBody(upstreamRes, res, bucket, piece, cutAfter, entry);
      },
    );
    upstreamReq.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "Content-Length": 0 }).end();
      else res.destroy();
    });
    req.pipe(upstreamReq);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const port = (server.address() as AddressInfo).port;
  const shaping: ShapingDescription = {
    method: "userspace token bucket proxy",
    settings: { ...settings },
    ...(settings.bandwidth ? { burstBytes: burstSize(settings.bandwidth), pieceBytes: piece } : {}),
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    shaping,
    get peakServing() {
      return gate.peak;
    },
    served,
    get faultsInjected() {
      return faultsInjected;
    },
    setFault(next) {
      fault = next;
      faultsInjected = 0;
    },
    async stop() {
      await closeServer(server);
      agent.destroy();
    },
  };
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

/** `headers` without the hop-by-hop ones, so each side keeps its own connection policy (moto closes every connection; our clients keep theirs alive). */
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * Copies `from` into `to` in pieces of `piece` bytes (0: as they come), each piece waiting for its
 * tokens; with `cutAfter`, destroys the connection after that many bytes.
 */
function forwardBody(
  from: http.IncomingMessage,
  to: http.ServerResponse,
  bucket: TokenBucket | undefined,
  piece: number,
  cutAfter: number | undefined,
  entry: ServedRequest,
): void {
  let sent = 0;
  const forward = async (chunk: Buffer): Promise<boolean> => {
    for (let at = 0; at < chunk.byteLength; ) {
      let end = Math.min(chunk.byteLength, at + (piece || chunk.byteLength));
      if (cutAfter !== undefined && sent + (end - at) >= cutAfter) end = at + Math.max(0, cutAfter - sent);
      const part = chunk.subarray(at, end);
      if (bucket && part.byteLength > 0) {
        const now = performance.now();
        const wait = bucket.reserve(part.byteLength, now);
        if (wait > 0) await sleepUntil(now + wait);
      }
      if (to.destroyed) return false;
      sent += part.byteLength;
      entry.bytes = sent;
      if (!to.write(part)) await new Promise((drained) => to.once("drain", drained));
      at = end;
      if (cutAfter !== undefined && sent >= cutAfter) {
        to.socket?.destroy();
        from.destroy();
        return false;
      }
    }
    return true;
  };
  if (bucket) {
    bucket.startTransfer(performance.now());
    to.once("close", () => bucket.endTransfer());
  }
  // One chunk at a time. 'end' can come while the last chunk is still being paced (a paused stream
  // with an empty buffer still ends), so ending waits for the chain.
  let chain = Promise.resolve(true);
  from.on("data", (chunk: Buffer) => {
    from.pause();
    chain = chain.then(async (going) => {
      const next = going && (await forward(chunk));
      if (next) from.resume();
      return next;
    });
  });
  from.on("end", () => {
    void chain.then((going) => {
      if (going && !to.destroyed) to.end();
    });
  });
  // A client that goes away mid-body frees the connection to the origin too.
  to.on("close", () => {
    if (!to.writableFinished) from.destroy();
  });
  from.resume(); // the caller paused it, and a 'data' listener does not restart an explicitly paused stream
}

/** At most `limit` holders at once; the rest wait first-come first-served. */
class Gate {
  #serving = 0;
  peak = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  /** Resolves when admitted, with the function that leaves (idempotent). */
  async enter(): Promise<() => void> {
    if (this.#serving >= this.limit) await new Promise<void>((admit) => this.#waiting.push(admit));
    else this.#serving++;
    this.peak = Math.max(this.peak, this.#serving);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.#waiting.shift();
      if (next)
        next(); // the slot passes straight to the next in line
      else this.#serving--;
    };
  }
}

/** Resolves at `performance.now() >= atMs`: a timer for most of the wait, then short re-checks, so the target is not undershot. */
function sleepUntil(atMs: number): Promise<void> {
  return new Promise((done) => {
    const check = () => {
      const left = atMs - performance.now();
      if (left <= 0) done();
      else setTimeout(check, left > 2 ? left - 1 : 0);
    };
    check();
  });
}
