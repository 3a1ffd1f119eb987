/** The public surface of the storage servers the harness starts, their shaping, faults and lifecycle. */

export { type HostedFileServer, type HostedProxy, type ServerHost, startServerHost } from "./host.ts";
export type { EventLoopDelay, ServedSince } from "./host-protocol.ts";
export { type Started, StartedRegistry, started, withStarted } from "./lifecycle.ts";
export { motoPython } from "./moto.ts";
export type { Fault, ServedRequest } from "./shaping-proxy.ts";
export { listFiles, type RunningS3Server, type RunningServer, type ServerOptions, startHttpServer, startS3Server } from "./start.ts";
export { checkShaping, type ShapingDescription, type ShapingSettings } from "./token-bucket.ts";
