/**
 * The storage servers the harness starts over a local directory, each optionally behind the
 * shaping proxy: `startHttpServer` (our range-correct file server) and `startS3Server` (moto, the
 * directory uploaded into a bucket through our S3 client). None runs in the harness's own process:
 * the file server and the proxy run in a server host child (host.ts), moto in its own. Everything
 * started is registered, so it stops with the registry (lifecycle.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { HttpObjectStore } from "../remote/http-store.ts";
import type { ObjectStore } from "../remote/object-store.ts";
import { S3ObjectStore } from "../remote/s3-store.ts";
import type { TransportOptions } from "../remote/transport.ts";
import { type HostedProxy, type ServerHost, startServerHost } from "./host.ts";
import { type StartedRegistry, started } from "./lifecycle.ts";
import { startMoto } from "./moto.ts";
import type { Fault } from "./shaping-proxy.ts";
import { checkShaping, type ShapingDescription, type ShapingSettings } from "./token-bucket.ts";

export interface ServerOptions {
  /** The directory served; its files are the objects, keyed by their path under it with `/`. */
  readonly root: string;
  /** Shaping of the answers; absent, none (and no proxy). */
  readonly shaping?: ShapingSettings;
  /** A fault to inject from the start (tests); the proxy's `setFault` changes it later. */
  readonly fault?: Fault;
  /** Put a proxy in front even without shaping or fault, so `setFault` can be used later. */
  readonly proxy?: boolean;
  /**
   * The server host to run the file server and the proxy in, owned by the caller (a run starts one
   * for all its servers); absent, a host of the server's own is started and stopped with it.
   */
  readonly host?: ServerHost;
  /** Where to register what is started; the process-wide registry by default. */
  readonly registry?: StartedRegistry;
}

export interface RunningServer {
  readonly kind: "http" | "s3";
  /** What clients connect to: the proxy when there is one, else the server. */
  readonly url: string;
  /** The served directory; the server's side of a cold read is evicting `files()` from the page cache. */
  readonly root: string;
  /** Absolute paths of the served files (for eviction and residency checks on the HTTP server). */
  files(): Promise<string[]>;
  /** How answers are shaped (for results); undefined when they are not. */
  readonly shaping: ShapingDescription | undefined;
  readonly proxy: HostedProxy | undefined;
  /** The pid of the server host running the file server and/or the proxy; undefined when neither runs (S3 without a proxy). */
  readonly hostPid: number | undefined;
  /** A new client of this server; each has its own connections and RequestLog. */
  store(options?: TransportOptions): ObjectStore;
  stop(): Promise<void>;
}

export interface RunningS3Server extends RunningServer {
  readonly kind: "s3";
  readonly bucket: string;
  /** moto's own endpoint, bypassing the proxy. */
  readonly directEndpoint: string;
  readonly pid: number;
  /** The credentials the harness's clients sign with (moto accepts any). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Credentials for the harness's own S3 server; not a secret (moto accepts any signature). */
export const LOCAL_CREDENTIALS = { accessKeyId: "layoutbench", secretAccessKey: "layoutbench-local-server" };

/** Serves `root` over HTTP on 127.0.0.1 with Range support, behind the shaping proxy when shaping or a fault is given. */
export async function startHttpServer(options: ServerOptions): Promise<RunningServer> {
  checkShaping(options.shaping ?? {});
  const registry = options.registry ?? started;
  const own = options.host ? undefined : registry.add(await startServerHost());
  const host = options.host ?? (own as ServerHost);
  const stopped: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    if (own) return registry.stop(own);
    for (const s of stopped.splice(0).reverse()) if (!host.exited) await s.stop(); // a host that is gone took them with it
  };
  try {
    const server = await host.startFileServer(options.root);
    stopped.push(server);
    const proxy = await maybeProxy(host, server.url, options);
    if (proxy) stopped.push(proxy);
    const url = proxy?.url ?? server.url;
    return {
      kind: "http",
      url,
      root: server.root,
      files: () => listFiles(server.root),
      shaping: proxy?.shaping,
      proxy,
      hostPid: host.pid,
      store: (transport) => new HttpObjectStore({ url, ...transport }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts moto on 127.0.0.1, creates `bucket` and uploads every file of `root` through our SigV4 client; behind the shaping proxy when asked. */
export async function startS3Server(options: ServerOptions & { readonly bucket?: string }): Promise<RunningS3Server> {
  checkShaping(options.shaping ?? {});
  const registry = options.registry ?? started;
  const bucket = options.bucket ?? "layoutbench";
  // The proxy's host starts while moto does (each takes a second or more on a busy machine).
  const [motoStart, hostStart] = await Promise.allSettled([
    named(startMoto(), (m) => `moto pid ${m.pid}`),
    wantsProxy(options) && !options.host ? startServerHost() : Promise.resolve(undefined),
  ]);
  const own = hostStart.status === "fulfilled" && hostStart.value ? registry.add(hostStart.value) : undefined;
  if (motoStart.status === "rejected" || hostStart.status === "rejected") {
    if (own) await registry.stop(own);
    if (motoStart.status === "fulfilled") await motoStart.value.stop();
    throw motoStart.status === "rejected" ? motoStart.reason : (hostStart as PromiseRejectedResult).reason;
  }
  const host = wantsProxy(options) ? (options.host ?? own) : undefined;
  const moto = registry.add(motoStart.value);
  let proxy: HostedProxy | undefined;
  const stopAll = async () => {
    if (own) await registry.stop(own);
    else if (proxy && !host?.exited) await proxy.stop(); // a host that is gone took it with it
    await registry.stop(moto);
  };
  try {
    const root = resolve(options.root);
    const uploader = new S3ObjectStore({ bucket, endpoint: moto.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
    try {
      await uploader.createBucket();
      for (const file of await listFiles(root)) {
        await uploader.put(relative(root, file).split(sep).join("/"), await readFile(file));
      }
    } finally {
      await uploader.close();
    }
    proxy = host ? await maybeProxy(host, moto.endpoint, options) : undefined;
    const url = proxy?.url ?? moto.endpoint;
    return {
      kind: "s3",
      url,
      root,
      files: () => listFiles(root),
      shaping: proxy?.shaping,
      proxy,
      hostPid: host?.pid,
      bucket,
      directEndpoint: moto.endpoint,
      pid: moto.pid,
      credentials: LOCAL_CREDENTIALS,
      store: (transport) => new S3ObjectStore({ bucket, endpoint: url, region: "us-east-1", credentials: LOCAL_CREDENTIALS, ...transport }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function wantsProxy(options: ServerOptions): boolean {
  return Boolean(options.shaping || options.fault || options.proxy);
}

async function maybeProxy(host: ServerHost, upstream: string, options: ServerOptions): Promise<HostedProxy | undefined> {
  if (!wantsProxy(options)) return undefined;
  return host.startProxy(upstream, options.shaping ?? {}, options.fault);
}

async function named<T extends object>(starting: Promise<T>, name: (t: T) => string): Promise<T & { name: string }> {
  const value = await starting;
  return Object.assign(value, { name: name(value) });
}

/** Every regular file under `root`, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}
