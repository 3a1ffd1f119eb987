/**
 * The harness's side of its server host (server-host.ts): starts the child, asks it to start file
 * servers and shaping proxies, and queries or stops them over IPC. The host is one `Started` with a
 * synchronous `kill()`; it also exits by itself when the harness's IPC channel closes, so even a
 * SIGKILL of the harness leaves no host behind. A host that dies fails every pending and later
 * request with one line naming its pid and how it ended.
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { EventLoopDelay, HostReply, HostRequest, HostValues, ServedSince } from "./host-protocol.ts";
import type { Started } from "./lifecycle.ts";
import type { Fault } from "./shaping-proxy.ts";
import { checkShaping, type ShapingDescription, type ShapingSettings } from "./token-bucket.ts";

const CHILD = join(import.meta.dirname, "server-host.ts");
/** tsx's loader by absolute URL: the host must load it whatever directory the run started in. */
const TSX = import.meta.resolve("tsx");
const STDERR_TAIL = 2000;

/** A shaping proxy running in a server host; its records and counters are queried over IPC. */
export interface HostedProxy {
  readonly url: string;
  readonly port: number;
  readonly shaping: ShapingDescription;
  /** The requests the proxy has seen from index `from` on (0: all), with the proxy's clock. */
  served(from?: number): Promise<ServedSince>;
  /** Most requests the proxy served at once (admitted, not queued). */
  peakServing(): Promise<number>;
  /** Requests that have met the fault so far. */
  faultsInjected(): Promise<number>;
  /** Sets or clears the fault for the requests that arrive after this resolves. */
  setFault(fault: Fault | undefined): Promise<void>;
  stop(): Promise<void>;
}

export interface HostedFileServer {
  readonly url: string;
  readonly port: number;
  readonly root: string;
  stop(): Promise<void>;
}

export interface ServerHost extends Started {
  readonly pid: number;
  /** Whether the child has exited (a host that died mid-run, or one stopped). */
  readonly exited: boolean;
  /** Serves `root` over HTTP with Range support on a free loopback port, in the host. */
  startFileServer(root: string): Promise<HostedFileServer>;
  /** Starts a shaping proxy in the host in front of `upstream`. */
  startProxy(upstream: string, settings: ShapingSettings, fault?: Fault): Promise<HostedProxy>;
  /** The host's event-loop delay since the previous call: a busy machine's stalls of the servers. */
  eventLoopDelay(): Promise<EventLoopDelay>;
  kill(): void;
  stop(): Promise<void>;
}

type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** Starts a server host and resolves once it can take requests. */
export async function startServerHost(options: { readyTimeoutMs?: number } = {}): Promise<ServerHost> {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ["--import", TSX], stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const pid = child.pid!;
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  let ended: Error | undefined;
  let stopping = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ready: (() => void) | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      const last = stderr.trim().split("\n").pop();
      const how = stopping ? "was stopped" : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      ended = new Error(`server host (pid ${pid}) ${how}${last && !stopping ? `: ${last.slice(0, 200)}` : ""}`);
      for (const p of pending.values()) p.reject(ended);
      pending.clear();
      resolve();
    });
  });
  child.on("error", () => {}); // an exit follows, which says what happened
  child.on("message", (reply: HostReply) => {
    if ("type" in reply) {
      ready?.();
      return;
    }
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ("error" in reply) p.reject(new Error(`server host (pid ${pid}): ${reply.error}`));
    else p.resolve(reply.value);
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const ask = <T extends Request["type"]>(req: Extract<Request, { type: T }>): Promise<HostValues[T]> => {
    if (ended) return Promise.reject(ended);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id }, (error) => {
        if (error && pending.delete(id)) reject(ended ?? new Error(`server host (pid ${pid}): ${error.message}`));
      });
    });
  };

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`server host (pid ${pid}) did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    ready = () => {
      clearTimeout(timer);
      resolve();
    };
    void exit.then(() => {
      clearTimeout(timer);
      reject(ended);
    });
  });

  return {
    name: `server host pid ${pid}`,
    pid,
    get exited() {
      return ended !== undefined;
    },
    async startFileServer(root) {
      const s = await ask({ type: "file-server", root });
      return { url: s.url, port: s.port, root: s.root, stop: () => ask({ type: "stop", handle: s.handle }).then(() => {}) };
    },
    async startProxy(upstream, settings, fault) {
      checkShaping(settings); // a RangeError naming the field, before anything is sent
      const p = await ask({ type: "proxy", upstream, settings, ...(fault ? { fault } : {}) });
      const handle = p.handle;
      return {
        url: p.url,
        port: p.port,
        shaping: p.shaping,
        served: (from = 0) => ask({ type: "served", handle, from }),
        peakServing: () => ask({ type: "counters", handle }).then((c) => c.peakServing),
        faultsInjected: () => ask({ type: "counters", handle }).then((c) => c.faultsInjected),
        setFault: (next) => ask({ type: "set-fault", handle, ...(next ? { fault: next } : {}) }).then(() => {}),
        stop: () => ask({ type: "stop", handle }).then(() => {}),
      };
    },
    eventLoopDelay: () => ask({ type: "event-loop" }),
    kill,
    async stop() {
      if (ended) return;
      stopping = true;
      if (child.connected) child.disconnect(); // the host exits when its channel closes
      const timer = setTimeout(kill, 2000);
      await exit;
      clearTimeout(timer);
    },
  };
}
