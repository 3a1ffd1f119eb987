/**
 * A process-wide pool of worker threads that read and decode chunks (decode-worker.ts), so a read
 * touching several compressed chunks decodes them on every core: each worker gets the read's chunk
 * list in one message, and the workers and the main thread take chunks from it one at a time through
 * a shared counter. Used for the codecs decoded in JavaScript or WASM (zstd, blosc and lz4 when the
 * addon lacks its C decoders, which are faster on one thread than these workers on two, see
 * chunk-decoders.ts); node:zlib already decodes on libuv's thread pool. Spreading chunks over the
 * cores shortens reads of several chunks when other cores are free, and costs nothing measurable when
 * they are busy; `npm run bench:read-paths` measures it.
 *
 * Decoded chunks land in a SharedArrayBuffer arena owned by the reader, which copies them into the
 * result. The pool starts on first use (readers await it at open, outside timed code), its workers
 * do not keep the process alive when idle, and they hold no chunk data between batches: decoded
 * data still never outlives the read that decoded it.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { readerThreads } from "../concurrency.ts";
import type { CompressorSpec } from "./chunk-decoders.ts";
import type { DecodeJob, DecodeReply } from "./decode-worker.ts";

/**
 * Code that loads decode-worker.ts in a worker. The harness runs its TypeScript through tsx, whose
 * loader is registered per thread, so the worker registers it (tsx's API) before importing the
 * module; the worker then says it is ready with one message. Throws when tsx cannot be found.
 */
function workerBootstrap(): string {
  const module = new URL("./decode-worker.ts", import.meta.url).href;
  const loader = module.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : null;
  return `
const { parentPort } = require("node:worker_threads");
const loader = ${JSON.stringify(loader)};
(loader ? import(loader).then((api) => api.register()) : Promise.resolve())
  .then(() => import(${JSON.stringify(module)}))
  .then(() => parentPort.postMessage("ready"));
`;
}

/** What a worker did with a batch: the indices it decoded, and those whose file does not exist. */
export interface BatchResult {
  readonly done: number[];
  readonly missing: number[];
}

interface Pending {
  readonly resolve: (result: BatchResult) => void;
  readonly reject: (e: Error) => void;
}

/** Decodes chunks in worker threads; see the file comment. */
export class DecodePool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: { job: DecodeJob; pending: Pending }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #ready: Promise<void>;
  #failed: Error | undefined;
  /** Whether the workers are referenced: they are from creation until started. */
  #referenced = true;

  constructor(size: number) {
    this.size = size;
    const started: Promise<void>[] = [];
    const bootstrap = workerBootstrap();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(bootstrap, { eval: true });
      started.push(
        new Promise((resolve, reject) => {
          worker.once("message", () => {
            worker.on("message", (reply: DecodeReply) => this.#settle(worker, reply));
            resolve();
          });
          worker.once("error", reject);
        }),
      );
      worker.on("error", (error) => this.#fail(error));
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
    // Referenced while starting or decoding (or an awaited read would let the process exit under
    // it), unreferenced when idle so the pool never keeps the process alive.
    this.#ready = Promise.all(started).then(() => this.#refresh());
    // A failed start is reported by decode() (and ready()); never as an unhandled rejection.
    this.#ready.catch(() => {});
  }

  /** Resolves once every worker runs (module loading takes a while: await it outside timed code). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Has one idle worker take chunk files from `paths` by the shared counter `next` (see DecodeJob)
   * and decode each into `arena` at index × chunkBytes; resolves when the list is exhausted.
   */
  decode(spec: CompressorSpec, chunkBytes: number, paths: readonly string[], arena: SharedArrayBuffer, next: SharedArrayBuffer): Promise<BatchResult> {
    if (this.#failed) return Promise.reject(this.#failed);
    const job: DecodeJob = { id: this.#nextId++, spec, chunkBytes, paths, arena, next };
    return new Promise<BatchResult>((resolve, reject) => {
      const pending = { resolve, reject };
      const worker = this.#idle.pop();
      if (worker) this.#start(worker, job, pending);
      else this.#queue.push({ job, pending });
      this.#refresh();
    });
  }

  /** Refs the workers while jobs are outstanding, unrefs them when none are. */
  #refresh(): void {
    const busy = this.#pending.size + this.#queue.length > 0;
    if (busy === this.#referenced) return;
    this.#referenced = busy;
    for (const w of this.#workers) busy ? w.ref() : w.unref();
  }

  #start(worker: Worker, job: DecodeJob, pending: Pending): void {
    this.#pending.set(job.id, pending);
    worker.postMessage(job);
  }

  #settle(worker: Worker, reply: DecodeReply): void {
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    const next = this.#queue.shift();
    if (next) this.#start(worker, next.job, next.pending);
    else this.#idle.push(worker);
    this.#refresh();
    if (!pending) return;
    if ("error" in reply) pending.reject(new Error(reply.error));
    else pending.resolve({ done: reply.done, missing: reply.missing });
  }

  #fail(error: Error): void {
    this.#failed = new Error(`a chunk decode worker failed: ${error.message}`, { cause: error });
    for (const p of this.#pending.values()) p.reject(this.#failed);
    this.#pending.clear();
    for (const q of this.#queue.splice(0)) q.pending.reject(this.#failed);
    this.#refresh();
  }
}

let shared: DecodePool | undefined;
/** Why the pool could not be built, when it could not: reads then decode on the main thread. */
let startProblem: string | undefined;

/** Why decode workers are not used although the machine has several cores, or undefined. */
export function decodePoolProblem(): string | undefined {
  return startProblem;
}

/**
 * The process-wide pool: one worker per core besides the main thread's. None on a single core, where
 * it cannot help, or when workers cannot load the decoders: reads then decode on the main thread.
 */
export function decodePool(): DecodePool | undefined {
  // A reader process given M threads decodes on M-1 workers and its own thread.
  const cores = readerThreads(availableParallelism());
  if (cores < 2) return undefined;
  try {
    shared ??= new DecodePool(cores - 1);
  } catch (error) {
    startProblem = (error as Error).message;
    return undefined;
  }
  return shared;
}
