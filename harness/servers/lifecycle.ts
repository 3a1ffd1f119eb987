/**
 * One registry of everything the harness started (servers, proxies, child processes), so all of it
 * stops on a normal end, on a thrown error and on SIGINT/SIGTERM. Signal handling only fills gaps:
 * while something is registered, a SIGTERM, or a SIGINT nobody else handles (run/interrupt.ts
 * handles its own), stops children and then ends the process as the signal would have; at
 * `process.exit` (e.g. the second Ctrl-C) children are killed synchronously. Children also watch
 * their stdin (moto-server.py) or their IPC channel (server-host.ts), so even a SIGKILL of the
 * harness leaves none behind.
 */

export interface Started {
  /** What it is, for messages: `http server 127.0.0.1:41234`, `moto pid 1234`. */
  readonly name: string;
  stop(): Promise<void>;
  /** Synchronous last resort at process exit: children are killed; in-process servers need nothing. */
  kill?(): void;
}

export class StartedRegistry {
  readonly #started = new Set<Started>();
  #hooked = false;

  get size(): number {
    return this.#started.size;
  }

  /** What is running, oldest first. */
  get names(): string[] {
    return [...this.#started].map((s) => s.name);
  }

  add<T extends Started>(started: T): T {
    this.#started.add(started);
    this.#hook();
    return started;
  }

  /** Stops `started` and forgets it. */
  async stop(started: Started): Promise<void> {
    if (!this.#started.delete(started)) return;
    try {
      await started.stop();
    } finally {
      if (this.#started.size === 0) this.#unhook();
    }
  }

  /** Stops everything, newest first (a proxy before the server behind it); every stop is tried, the first failure rethrown. */
  async stopAll(): Promise<void> {
    let failure: unknown;
    for (const started of [...this.#started].reverse()) {
      try {
        await this.stop(started);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Kills what can be killed synchronously and forgets everything. */
  killAll(): void {
    for (const started of this.#started) started.kill?.();
    this.#started.clear();
    this.#unhook();
  }

  readonly #onExit = () => this.killAll();
  readonly #onSigterm = () => this.#endBySignal("SIGTERM");
  readonly #onSigint = () => {
    // run/interrupt.ts's handler (or a caller's) decides what Ctrl-C means; its process.exit reaches #onExit.
    if (process.listenerCount("SIGINT") > 1) return;
    this.#endBySignal("SIGINT");
  };

  #endBySignal(signal: "SIGINT" | "SIGTERM"): void {
    this.killAll();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal); // default action: end as the signal would
  }

  #hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    process.on("exit", this.#onExit);
    process.on("SIGTERM", this.#onSigterm);
    process.on("SIGINT", this.#onSigint);
  }

  #unhook(): void {
    if (!this.#hooked) return;
    this.#hooked = false;
    process.off("exit", this.#onExit);
    process.off("SIGTERM", this.#onSigterm);
    process.off("SIGINT", this.#onSigint);
  }
}

/** The process-wide registry the server starters use unless given another. */
export const started = new StartedRegistry();

/** Runs `fn` and then stops everything it registered in `registry`, whether `fn` returned or threw. */
export async function withStarted<T>(fn: (registry: StartedRegistry) => Promise<T>, registry = new StartedRegistry()): Promise<T> {
  try {
    return await fn(registry);
  } finally {
    await registry.stopAll();
  }
}
