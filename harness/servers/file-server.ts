/**
 * An HTTP server over a directory on 127.0.0.1, for remote reads the harness can measure: GET and
 * HEAD with single byte ranges (`bytes=a-b`, `bytes=a-`, `bytes=-N`), 416 for unsatisfiable ones,
 * 404, keep-alive. A multi-range request gets the whole object (200), as RFC 9110 allows.
 * Read-only: PUT and other methods get 405.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { resolve, sep } from "node:path";
import { formatContentRange, resolveRange } from "../remote/range.ts";

export interface FileServer {
  /** `http://127.0.0.1:PORT/`: keys are paths under `root`. */
  readonly url: string;
  readonly port: number;
  readonly root: string;
  stop(): Promise<void>;
}

/** Starts serving `root` on a free loopback port. */
export async function startFileServer(root: string): Promise<FileServer> {
  const base = resolve(root);
  const server = http.createServer((req, res) => {
    serve(base, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" }).end(`${String(error)}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    root: base,
    stop: () => closeServer(server),
  };
}

async function serve(base: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Length": 0 }).end();
    return;
  }
  const path = fileOf(base, req.url ?? "/");
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  if (path === undefined || !info?.isFile()) {
    const body = "not found\n";
    res.writeHead(404, { "Content-Type": "text/plain", "Content-Length": body.length }).end(req.method === "HEAD" ? undefined : body);
    return;
  }
  const size = info.size;
  const range = resolveRange(req.headers.range, size);
  const common = { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", "Last-Modified": info.mtime.toUTCString() };
  if (range.kind === "unsatisfiable") {
    res.writeHead(416, { ...common, "Content-Range": formatContentRange(range, size)!, "Content-Length": 0 }).end();
    return;
  }
  const [start, end] = range.kind === "partial" ? [range.start, range.end] : [0, size - 1];
  const length = end - start + 1;
  const headers = { ...common, "Content-Length": length, ...(range.kind === "partial" ? { "Content-Range": formatContentRange(range, size)! } : {}) };
  res.writeHead(range.kind === "partial" ? 206 : 200, headers);
  if (req.method === "HEAD" || length === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

/** The file a request path names under `base`, or undefined when it escapes it or is malformed. */
export function fileOf(base: string, requestPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(new URL(requestPath, "http://x").pathname);
  } catch {
    return undefined;
  }
  const path = resolve(base, `.${decoded}`);
  return path.startsWith(base + sep) ? path : undefined;
}

/** Closes `server` and its idle and active connections. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
