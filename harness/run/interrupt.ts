/**
 * Ctrl-C for long commands: the first stops the work at the next safe point (after the current
 * case), keeping what finished; the second exits at once. Work running in a child process is
 * told too, so it can finish its case the same way.
 */
import type { ChildProcess } from "node:child_process";

/** Catches SIGINT until `release`; `interrupted()` turns true at the first. `message` says what is kept. */
export function catchInterrupt(message: string): { readonly interrupted: () => boolean; readonly release: () => void } {
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\ninterrupted: ${message} (Ctrl-C again to quit now)`);
  };
  process.on("SIGINT", onSigint);
  return { interrupted: () => interrupted, release: () => process.off("SIGINT", onSigint) };
}

/**
 * Sends SIGINT to `child` once `interrupted()` turns true (a Ctrl-C at a terminal reaches the
 * whole process group anyway; this covers a signal sent to this process alone). Returns the
 * function that stops watching.
 */
export function forwardInterrupt(child: ChildProcess, interrupted: (() => boolean) | undefined): () => void {
  const poll = setInterval(() => {
    if (interrupted?.()) {
      clearInterval(poll);
      child.kill("SIGINT");
    }
  }, 50);
  return () => clearInterval(poll);
}
