/**
 * The Python reference engine: NumPy (`np.load(mmap_mode="r")`), h5py and zarr-python 2.13 reading
 * the same files the js backends read, in a long-lived subprocess (harness/engines/reference.py)
 * with the same cache control and I/O accounting. Side by side with the layoutbench engine it separates what
 * a format costs from what one implementation of it costs.
 *
 * The worker measures in its own process: it times each read (forced into a C-order array) with
 * perf_counter_ns, takes /proc/self/io and major faults around the pass, and returns a sha256 per
 * selection instead of data; {@link verifyDigests} checks those against the generator.
 *
 * Protocol: JSON lines on stdin/stdout, one response per request, in order. A failure is
 * `{"error": "<one line>"}`; it rejects that request only and the worker keeps serving.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { relative, sep } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { backendFor } from "../backends/registry.ts";
import { requireCapability, type Stored } from "../backends/types.ts";
import { digestOf } from "../core/digest.ts";
import { numpyDescr } from "../core/dtype.ts";
import { formatSelection, type Selection } from "../core/selection.ts";
import { generateRegion } from "../data/generate.ts";
import { redactUrl } from "../remote/errors.ts";
import type { DatasetSpec, Hdf5Layout, LayoutSpec } from "../scenario/types.ts";

/** How errors and reports name this engine. */
export const ENGINE_NAME = "python engine";
/** Debian's interpreter, which sees the python3-* packages (a pyenv `python3` on PATH does not). */
const DEFAULT_PYTHON = "/usr/bin/python3";
/** Everything the engine can use, as one command. */
export const PYTHON_INSTALL = "apt-get install -y python3-numpy python3-h5py python3-zarr hdf5-filter-plugin hdf5-filter-plugin-blosc-serial";

const SCRIPT = fileURLToPath(new URL("./reference.py", import.meta.url));
/** stderr lines kept to explain a crash. */
const STDERR_LINES = 20;
/** How long `quit` waits for the worker to exit before killing it. */
const QUIT_GRACE_MS = 5000;

/** What the worker runs on, from its `hello` reply. A missing package is null. */
export interface PythonVersions {
  readonly python: string;
  readonly executable: string;
  readonly numpy: string | null;
  readonly h5py: string | null;
  /** The libhdf5 h5py is built against. */
  readonly hdf5: string | null;
  readonly zarr: string | null;
  readonly numcodecs: string | null;
  /** HDF5_PLUGIN_PATH as the worker set it (Debian's plugin folder appended to any user setting). */
  readonly hdf5PluginPath: string | null;
  /** Whether libhdf5 can load each filter the harness writes (deflate, shuffle, blosc, lz4, zstd). */
  readonly hdf5Filters: Readonly<Record<string, boolean>>;
  /** Compressors numcodecs' blosc was built with. */
  readonly bloscCompressors: readonly string[];
  /** Threads numcodecs' Blosc decodes with (null: unknown). */
  readonly bloscThreads: number | null;
  /** tensorstore's version, or null when it does not import. */
  readonly tensorstore: string | null;
  /** The packages remote reads use (engines/python-remote.ts); null for one that does not import. */
  readonly remote: { readonly fsspec: string | null; readonly aiohttp: string | null; readonly s3fs: string | null; readonly boto3: string | null };
}

/** Where a remote open reads: an HTTP base URL, or an S3 bucket and key prefix (never credentials: the worker's environment has them). */
export type PythonRemote = (
  | { readonly kind: "http"; readonly url: string; readonly concurrency: number }
  | {
      readonly kind: "s3";
      readonly endpoint: string | null;
      readonly bucket: string;
      readonly prefix: string;
      readonly region: string | null;
      /** The harness's own server: the worker signs with the LAYOUTBENCH_MANAGED_S3_* variables it was started with. */
      readonly managed: boolean;
      readonly concurrency: number;
    }
) & {
  /** A request fails after this long without an answer: the harness's remote timeout (TRANSPORT_DEFAULTS.timeoutMs unless set). */
  readonly timeoutMs?: number;
};

/** One timed pass over a list of selections, measured inside the worker. */
export interface PythonPass {
  /** Sum of the reads' wall times (digests and bookkeeping excluded). */
  readonly ms: number;
  /** The worker's /proc/self/io read_bytes over the pass: bytes fetched from storage. */
  readonly readBytes: number;
  readonly writeBytes: number;
  /** The worker's major page faults over the pass. */
  readonly majorFaults: number;
  /** sha256 (hex) of each selection's result in C order, in request order. */
  readonly digests: readonly string[];
}

export interface PythonWorker {
  readonly versions: PythonVersions;
  /** Opens the layout with fresh library state; `openMs` is measured in the worker. Read-only. */
  open(stored: Stored, options: { writable: boolean; remote?: PythonRemote }): Promise<{ openMs: number }>;
  /** Reads every selection once through the open array. */
  pass(selections: readonly Selection[]): Promise<PythonPass>;
  /** Closes the array and unmaps it, so its pages can be evicted; the worker checks nothing stays open. */
  close(): Promise<void>;
  /** Ends the worker (killing it if it does not exit in time). Idempotent. */
  quit(): Promise<void>;
}

/** A failure in the Python engine; `message` is one line starting with the engine's name. */
class PythonEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`${ENGINE_NAME}: ${oneLine(message)}`, options);
    this.name = "PythonEngineError";
  }
}

/** The interpreter to run: LAYOUTBENCH_PYTHON, or Debian's /usr/bin/python3. */
function pythonExecutable(): string {
  return process.env.LAYOUTBENCH_PYTHON || DEFAULT_PYTHON;
}

/**
 * Checks the worker's digests against the generator: undefined when every selection matches, else
 * one line naming the first selection that does not (the data never crosses the pipe).
 */
export function verifyDigests(dataset: DatasetSpec, selections: readonly Selection[], digests: readonly string[]): string | undefined {
  if (digests.length !== selections.length) return `${ENGINE_NAME}: ${digests.length} digests for ${selections.length} selections`;
  for (let i = 0; i < selections.length; i++) {
    const expected = digestOf(generateRegion(dataset, selections[i]));
    if (digests[i] !== expected) {
      return `${ENGINE_NAME}: read ${formatSelection(selections[i])} returned wrong data (sha256 ${digests[i].slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`;
    }
  }
  return undefined;
}

/**
 * Why the reference engine cannot run this layout (and operation), or undefined when it can.
 * Without `versions` it answers for Debian 12's packages; with a worker's versions it also checks
 * what is installed (packages, HDF5 filter plugins, blosc compressors).
 */
export function pythonSupport(layout: LayoutSpec, options: { op?: "read" | "write"; versions?: PythonVersions } = {}): string | undefined {
  const v = options.versions;
  if (options.op === "write") return "the python reference engine only reads; write patterns run in the layoutbench engine only";
  if (v && v.numpy === null) return "python3-numpy not installed: apt-get install python3-numpy";
  switch (layout.backend) {
    case "memmap":
      return undefined;
    case "zarr":
      if (layout.format !== 2) return `zarr-python 2.13 reads Zarr format 2 only; layout ${layout.name} is format ${layout.format}`;
      if (layout.shards !== null) return "zarr-python 2.13 cannot read sharding (a Zarr format 3 codec)";
      if (v && v.zarr === null) return "python3-zarr not installed: apt-get install python3-zarr";
      if (v && layout.codec.name === "blosc" && !v.bloscCompressors.includes(layout.codec.cname)) {
        return `numcodecs ${v.numcodecs} blosc here has no ${layout.codec.cname} compressor (it has ${v.bloscCompressors.join(", ")})`;
      }
      return undefined;
    case "hdf5":
      if (v && v.h5py === null) return "python3-h5py not installed: apt-get install python3-h5py";
      return hdf5FilterProblem(layout, v);
    default:
      // A backend added since: the reference stack reads it only once it is taught to here.
      return `the python reference engine does not read ${(layout as LayoutSpec).backend} layouts`;
  }
}

const HDF5_FILTER_INFO: Record<string, { id: number; missing: string }> = {
  deflate: { id: 1, missing: "libhdf5 was built without deflate" },
  shuffle: { id: 2, missing: "libhdf5 was built without shuffle" },
  blosc: { id: 32001, missing: "apt-get install hdf5-filter-plugin-blosc-serial" },
  lz4: { id: 32004, missing: "apt-get install hdf5-filter-plugin" },
  zstd: {
    id: 32015,
    missing:
      "no Debian 12 package ships this filter plugin (hdf5-filter-plugin has lz4, bzip2, bitshuffle; " +
      "the blosc one has blosc); put a zstd HDF5 plugin on HDF5_PLUGIN_PATH",
  },
};

function hdf5FilterProblem(layout: Hdf5Layout, v: PythonVersions | undefined): string | undefined {
  const names = layout.codec.name === "none" ? (layout.shuffle ? ["shuffle"] : []) : [layout.codec.name === "gzip" ? "deflate" : layout.codec.name];
  for (const name of names) {
    const info = HDF5_FILTER_INFO[name];
    // Without versions: what Debian 12 provides (zstd is the one filter it lacks).
    const available = v ? v.hdf5Filters[name] === true : name !== "zstd";
    if (!available) {
      const where = v ? ` (HDF5_PLUGIN_PATH=${v.hdf5PluginPath ?? "unset"})` : "";
      return `h5py cannot load the HDF5 ${name} filter (id ${info.id})${where}: ${info.missing}`;
    }
  }
  return undefined;
}

/**
 * Whether the engine can run here: ok when numpy, h5py and zarr-python all import. Never throws.
 * `versions` is there whenever the worker started, so callers can ask {@link pythonSupport} per layout
 * even when one package is missing.
 */
export async function pythonAvailable(): Promise<{ ok: boolean; reason: string; versions?: PythonVersions }> {
  let worker: PythonWorker;
  try {
    worker = await startPythonWorker();
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  await worker.quit();
  const v = worker.versions;
  const missing = (["h5py", "zarr"] as const).filter((p) => v[p] === null).map((p) => `python3-${p}`);
  if (missing.length > 0) return { ok: false, reason: `${missing.join(", ")} not installed: apt-get install ${missing.join(" ")}`, versions: v };
  return { ok: true, reason: describeVersions(v), versions: v };
}

/** One line for logs and results: interpreter, libraries, plugin folder. */
function describeVersions(v: PythonVersions): string {
  const lib = (name: string, version: string | null) => `${name} ${version ?? "missing"}`;
  return (
    `Python ${v.python} (${v.executable}): ${lib("numpy", v.numpy)}, ${lib("h5py", v.h5py)}` +
    `${v.hdf5 ? ` (HDF5 ${v.hdf5})` : ""}, ${lib("zarr", v.zarr)}, ${lib("numcodecs", v.numcodecs)}; ` +
    `HDF5 plugins from ${v.hdf5PluginPath ?? "nowhere"}`
  );
}

/** Where the backend keeps the array, so the worker opens exactly what the js backend wrote. */
function openTarget(stored: Stored): { path: string; datasetPath?: string } {
  const backend = backendFor(stored.layout);
  requireCapability(backend, "locate");
  return backend.locate(stored);
}

/**
 * Starts a worker and waits for its `hello`. Rejects with a PythonEngineError when the interpreter
 * cannot run, the script fails, or NumPy is missing (the one package every backend needs).
 */
export async function startPythonWorker(options: { env?: Readonly<Record<string, string>> } = {}): Promise<PythonWorker> {
  const python = pythonExecutable();
  const child = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...options.env, PYTHONUNBUFFERED: "1" } });
  const channel = new Channel(child, python);
  let hello: Record<string, unknown>;
  try {
    hello = await channel.request({ op: "hello" }, "hello");
  } catch (error) {
    await channel.quit();
    throw error;
  }
  const versions = toVersions(hello, python);
  if (versions.numpy === null) {
    await channel.quit();
    throw new PythonEngineError(`python3-numpy not installed for ${python}: apt-get install python3-numpy`);
  }
  return new Worker(channel, versions);
}

function toVersions(h: Record<string, unknown>, python: string): PythonVersions {
  const str = (k: string) => (typeof h[k] === "string" ? (h[k] as string) : null);
  return {
    python: str("python") ?? "unknown",
    executable: str("executable") ?? python,
    numpy: str("numpy"),
    h5py: str("h5py"),
    hdf5: str("hdf5"),
    zarr: str("zarr"),
    numcodecs: str("numcodecs"),
    hdf5PluginPath: str("hdf5_plugin_path"),
    hdf5Filters: (h.hdf5_filters ?? {}) as Record<string, boolean>,
    bloscCompressors: Array.isArray(h.blosc_compressors) ? (h.blosc_compressors as string[]) : [],
    bloscThreads: typeof h.blosc_threads === "number" ? h.blosc_threads : null,
    tensorstore: str("tensorstore"),
    remote: remoteVersions(h.remote),
  };
}

function remoteVersions(r: unknown): PythonVersions["remote"] {
  const o = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : null);
  return { fsspec: str("fsspec"), aiohttp: str("aiohttp"), s3fs: str("s3fs"), boto3: str("boto3") };
}

class Worker implements PythonWorker {
  #opened: Stored | null = null;
  constructor(
    private readonly channel: Channel,
    readonly versions: PythonVersions,
  ) {}

  async open(stored: Stored, options: { writable: boolean; remote?: PythonRemote }): Promise<{ openMs: number }> {
    const what = options.remote ? `open ${stored.layout.backend} ${remoteWhere(options.remote)}` : `open ${stored.layout.backend} ${stored.dir}`;
    const reason = pythonSupport(stored.layout, { op: options.writable ? "write" : "read", versions: this.versions });
    if (reason) throw new PythonEngineError(`${what}: ${reason}`);
    const { dataset, layout } = stored;
    const target = openTarget(stored);
    // The array's key under the layout's prefix: where the local path sits inside the layout's folder.
    const remote = options.remote ? { ...options.remote, path: relative(stored.dir, target.path).split(sep).join("/") } : undefined;
    const reply = await this.channel.request(
      {
        op: "open",
        backend: layout.backend,
        ...target,
        layout,
        writable: false,
        shape: dataset.shape,
        dtype: numpyDescr(dataset.dtype),
        ...(remote ? { remote } : {}),
      },
      what,
    );
    this.#opened = stored;
    return { openMs: reply.openMs as number };
  }

  async pass(selections: readonly Selection[]): Promise<PythonPass> {
    const target = this.#opened ? `${this.#opened.layout.backend} ${this.#opened.dir}` : "nothing open";
    const reply = await this.channel.request(
      {
        op: "pass",
        selections: selections.map((sel) => sel.map((s) => [s.start, s.stop, s.step])),
      },
      `pass of ${selections.length} selections (${target})`,
    );
    const digests = reply.digests as string[];
    if (!Array.isArray(digests) || digests.length !== selections.length) {
      throw new PythonEngineError(`pass: ${Array.isArray(digests) ? digests.length : "no"} digests for ${selections.length} selections`);
    }
    return {
      ms: reply.ms as number,
      readBytes: reply.readBytes as number,
      writeBytes: reply.writeBytes as number,
      majorFaults: reply.majorFaults as number,
      digests,
    };
  }

  async close(): Promise<void> {
    const what = this.#opened ? `close ${this.#opened.layout.backend} ${this.#opened.dir}` : "close";
    this.#opened = null;
    await this.channel.request({ op: "close" }, what);
  }

  async quit(): Promise<void> {
    await this.channel.quit();
  }
}

interface Pending {
  readonly what: string;
  resolve(reply: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** The pipe to one worker process: requests go out in order, replies are matched in order. */
class Channel {
  readonly #pending: Pending[] = [];
  readonly #stderr: string[] = [];
  #exited: string | null = null;
  readonly #exit: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly python: string,
  ) {
    let onExit!: () => void;
    this.#exit = new Promise((resolve) => (onExit = resolve));
    createInterface({ input: child.stdout! }).on("line", (line) => this.#reply(line));
    createInterface({ input: child.stderr! }).on("line", (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_LINES) this.#stderr.shift();
    });
    // A write to a dead worker fails with EPIPE; the exit handler reports why it died.
    child.stdin!.on("error", () => {});
    child.on("error", (error: NodeJS.ErrnoException) => {
      const hint = error.code === "ENOENT" ? `; install Debian's Python with ${PYTHON_INSTALL}, or set LAYOUTBENCH_PYTHON` : "";
      this.#fail(`cannot start ${this.python} (${error.code ?? error.message})${hint}`);
      onExit();
    });
    child.on("close", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = this.#stderr.filter((l) => l.trim()).at(-1);
      this.#fail(`worker (${this.python} ${SCRIPT}) ${how}${last ? `: ${last.trim()}` : ""}`);
      onExit();
    });
  }

  /** Sends one request; resolves with its reply, rejects on an `error` reply or a dead worker. */
  request(message: Record<string, unknown>, what: string): Promise<Record<string, unknown>> {
    if (this.#exited !== null) return Promise.reject(new PythonEngineError(`${what}: ${this.#exited}`));
    return new Promise((resolve, reject) => {
      this.#pending.push({ what, resolve, reject });
      this.child.stdin!.write(JSON.stringify(message) + "\n");
    });
  }

  #reply(line: string): void {
    const pending = this.#pending.shift();
    if (!pending) return; // the worker never writes unasked; ignore rather than crash
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      pending.reject(new PythonEngineError(`${pending.what}: unreadable reply ${JSON.stringify(line.slice(0, 120))}`));
      return;
    }
    if (typeof reply !== "object" || reply === null) {
      pending.reject(new PythonEngineError(`${pending.what}: unexpected reply ${line.slice(0, 120)}`));
    } else if (typeof (reply as { error?: unknown }).error === "string") {
      pending.reject(new PythonEngineError(`${pending.what}: ${(reply as { error: string }).error}`));
    } else {
      pending.resolve(reply as Record<string, unknown>);
    }
  }

  #fail(reason: string): void {
    this.#exited ??= oneLine(reason);
    for (const p of this.#pending.splice(0)) p.reject(new PythonEngineError(`${p.what}: ${this.#exited}`));
  }

  /** Asks the worker to quit, then waits for it to exit; kills it after a grace period. */
  async quit(): Promise<void> {
    if (this.#exited === null) {
      this.request({ op: "quit" }, "quit").catch(() => {});
      this.child.stdin!.end();
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), QUIT_GRACE_MS);
    await this.#exit;
    clearTimeout(timer);
  }
}

function oneLine(text: string): string {
  return text
    .split(/\s*\n\s*/)
    .join(" ")
    .trim();
}

/** Where a remote open reads, for messages: the URL, or the bucket, prefix and endpoint (never credentials). */
function remoteWhere(remote: PythonRemote): string {
  if (remote.kind === "http") return `over http ${redactUrl(remote.url)}`;
  return `over s3 s3://${remote.bucket}/${remote.prefix}${remote.endpoint ? ` at ${redactUrl(remote.endpoint)}` : ""}`;
}
