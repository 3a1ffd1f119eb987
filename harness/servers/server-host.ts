/**
 * The server host: a child process of the harness that runs its file servers and shaping proxies,
 * so what a remote case times is the client alone, as against a store on another machine, and not
 * the servers' work on the client's own thread. It answers host-protocol.ts requests over IPC,
 * ignores Ctrl-C (the harness stops it at its safe point) and exits as soon as the harness goes
 * away, however it ends.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { startFileServer } from "./file-server.ts";
import type { HostReply, HostRequest, HostValues } from "./host-protocol.ts";
import { type ShapingProxy, startShapingProxy } from "./shaping-proxy.ts";

process.on("SIGINT", () => {});
process.on("disconnect", () => process.exit(0));

const stoppers = new Map<number, () => Promise<void>>();
const proxies = new Map<number, ShapingProxy>();
let nextHandle = 1;
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

function proxy(handle: number): ShapingProxy {
  const p = proxies.get(handle);
  if (!p) throw new Error(`no proxy ${handle} in this server host`);
  return p;
}

async function handle(req: HostRequest): Promise<HostValues[HostRequest["type"]]> {
  switch (req.type) {
    case "file-server": {
      const server = await startFileServer(req.root);
      const handle = nextHandle++;
      stoppers.set(handle, server.stop);
      return { handle, url: server.url, port: server.port, root: server.root };
    }
    case "proxy": {
      const p = await startShapingProxy(req.upstream, req.settings, req.fault);
      const handle = nextHandle++;
      proxies.set(handle, p);
      stoppers.set(handle, p.stop);
      return { handle, url: p.url, port: p.port, shaping: p.shaping };
    }
    case "set-fault":
      proxy(req.handle).setFault(req.fault);
      return null;
    case "served": {
      const served = proxy(req.handle).served;
      return { records: served.slice(req.from), next: served.length, nowMs: performance.now() };
    }
    case "counters": {
      const p = proxy(req.handle);
      return { peakServing: p.peakServing, faultsInjected: p.faultsInjected };
    }
    case "event-loop": {
      const delay = { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
      loop.reset();
      return delay;
    }
    case "stop": {
      const stop = stoppers.get(req.handle);
      stoppers.delete(req.handle);
      proxies.delete(req.handle);
      await stop?.();
      return null;
    }
  }
}

function send(reply: HostReply): void {
  if (process.connected) process.send!(reply);
}

process.on("message", (req: HostRequest) => {
  handle(req).then(
    (value) => send({ id: req.id, value }),
    (error: unknown) => send({ id: req.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
send({ type: "ready" });
