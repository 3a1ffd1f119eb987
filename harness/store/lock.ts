/**
 * One run at a time per dataset cache: two runs evicting and reading the same files would disturb
 * each other's measurements and could race on materialization. The lock is a file holding the
 * owner's pid, created exclusively; a lock whose process is gone is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";

export const LOCK_FILE = ".run.lock";

/** True while a process with this pid exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the cache's run lock or throws a UserError naming the run that holds it. Returns the release. */
export function acquireRunLock(root: string, purpose: string): () => void {
  mkdirSync(root, { recursive: true });
  const path = join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n${purpose}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const [pidText, what, since] = readFileSync(path, "utf8").split("\n");
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && pid !== process.pid) {
        throw new UserError(
          `${root}: another layoutbench process (pid ${pid}, ${what || "a run"}, since ${since || "?"}) is using this dataset cache; ` +
            `runs at once would disturb each other's measurements: wait for it to finish, or use another --cache`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new UserError(`${root}: could not take the run lock ${LOCK_FILE}`);
}
