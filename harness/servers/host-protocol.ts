/**
 * Messages between the harness and its server host (server-host.ts) over the IPC channel. Every
 * request carries an id; the host answers each with the same id, a value or an error message.
 */
import type { Fault, ServedRequest } from "./shaping-proxy.ts";
import type { ShapingDescription, ShapingSettings } from "./token-bucket.ts";

export type HostRequest =
  | { readonly id: number; readonly type: "file-server"; readonly root: string }
  | { readonly id: number; readonly type: "proxy"; readonly upstream: string; readonly settings: ShapingSettings; readonly fault?: Fault }
  | { readonly id: number; readonly type: "set-fault"; readonly handle: number; readonly fault?: Fault }
  | { readonly id: number; readonly type: "served"; readonly handle: number; readonly from: number }
  | { readonly id: number; readonly type: "counters"; readonly handle: number }
  | { readonly id: number; readonly type: "stop"; readonly handle: number }
  | { readonly id: number; readonly type: "event-loop" };

/** What each request type answers. */
export interface HostValues {
  "file-server": { readonly handle: number; readonly url: string; readonly port: number; readonly root: string };
  proxy: { readonly handle: number; readonly url: string; readonly port: number; readonly shaping: ShapingDescription };
  "set-fault": null;
  served: ServedSince;
  counters: { readonly peakServing: number; readonly faultsInjected: number };
  stop: null;
  "event-loop": EventLoopDelay;
}

/** The host's event-loop delay since the previous query (or its start): how late its timers and sockets were served. */
export interface EventLoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The proxy's records from an index on, and the proxy's clock when they were taken. */
export interface ServedSince {
  /** Records `from` … `next - 1`, in order of arrival (a request still open has no `endMs` yet). */
  readonly records: ServedRequest[];
  /** The index to ask from next time: how many requests the proxy has seen. */
  readonly next: number;
  /** The proxy's performance.now() when the records were taken; its times are on this clock, not the caller's. */
  readonly nowMs: number;
}

export type HostReply = { readonly type: "ready" } | { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: string };
