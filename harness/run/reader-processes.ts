/**
 * A case's reader processes as a group: started together, asked the same thing at once (the
 * barrier: every reply is in before the next request goes out), and stopped together. The first
 * reader that fails (an error reply, a crash, a kill) fails the whole group with its own words;
 * `stop` kills every reader still alive and waits for it, so none outlives its case.
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { ReaderReply, ReaderRequest } from "./reader-protocol.ts";

const CHILD = join(import.meta.dirname, "reader-child.ts");
/** tsx's loader by absolute URL: a reader must load it whatever directory the run started in. */
const TSX = import.meta.resolve("tsx");
/** Last characters of a reader's stderr kept for its error. */
const STDERR_TAIL = 2000;

class ReaderProcess {
  readonly child: ChildProcess;
  #pending: { resolve: (r: ReaderReply) => void; reject: (e: Error) => void } | null = null;
  #dead: Error | null = null;
  #stderr = "";
  readonly exited: Promise<void>;

  constructor(
    readonly index: number,
    threads: number,
  ) {
    // UV_THREADPOOL_SIZE: node:zlib decodes on libuv's pool, which is sized from it at start-up.
    this.child = fork(CHILD, [], {
      execArgv: ["--import", TSX],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
    });
    this.child.stderr!.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-STDERR_TAIL);
    });
    this.child.on("message", (r: ReaderReply) => {
      const p = this.#pending;
      this.#pending = null;
      if (!p) return;
      if (r.type === "error") p.reject(new Error(`reader ${this.index + 1} (pid ${this.child.pid}): ${r.message}`));
      else p.resolve(r);
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        const last = this.#stderr.trim().split("\n").pop();
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.#dead = new Error(`reader ${this.index + 1} (pid ${this.child.pid}) ${how}${last ? `: ${last}` : ""}`);
        this.#pending?.reject(this.#dead);
        this.#pending = null;
        resolve();
      });
      this.child.on("error", (err) => {
        this.#dead = new Error(`reader ${this.index + 1}: ${err.message}`);
        this.#pending?.reject(this.#dead);
        this.#pending = null;
      });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  ask(req: ReaderRequest): Promise<ReaderReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.child.send(req, (err) => {
        if (err && this.#pending) {
          this.#pending = null;
          reject(this.#dead ?? new Error(`reader ${this.index + 1}: ${err.message}`));
        }
      });
    });
  }
}

export class ReaderGroup {
  readonly #readers: ReaderProcess[];

  constructor(processes: number, threads: number) {
    this.#readers = Array.from({ length: processes }, (_, i) => new ReaderProcess(i, threads));
  }

  get pids(): number[] {
    return this.#readers.map((r) => r.child.pid!);
  }

  /**
   * Sends each reader its request (`req(i)`) and resolves to every reply, in reader order. Rejects
   * with the first reader's failure: an error reply, or the reader's end while a reply was due.
   */
  async all<T extends ReaderReply["type"]>(type: T, req: (i: number) => ReaderRequest): Promise<Extract<ReaderReply, { type: T }>[]> {
    const replies = await Promise.all(this.#readers.map((r, i) => r.ask(req(i))));
    for (const r of replies) if (r.type !== type) throw new Error(`a reader answered ${r.type} where ${type} was due`);
    return replies as Extract<ReaderReply, { type: T }>[];
  }

  /** Kills every reader still alive and waits until each has exited. */
  async stop(): Promise<void> {
    for (const r of this.#readers) if (r.alive) r.child.kill("SIGKILL");
    await Promise.all(this.#readers.map((r) => r.exited));
  }
}
