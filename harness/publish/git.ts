/**
 * Publishing to a git branch without touching any working tree: the new commit is built with a
 * private index file (read-tree, hash-object, update-index, write-tree, commit-tree) on top of the
 * branch's tip, then moved in with a compare-and-swap: `git push` (refused unless it fast-forwards
 * the remote branch) or `git update-ref NEW OLD` for a local branch. When another publisher got
 * there first, it fetches, rebuilds on the new tip and tries again, so no entry is ever lost.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { appendRun, emptyIndex, type HistoryEntry, INDEX_FILE, parseIndex } from "../shard/history.ts";

export interface GitTarget {
  /** The repository (any folder inside it). */
  readonly repo: string;
  readonly branch: string;
  /** Folder inside the branch ("" for its root). */
  readonly path: string;
  /** Remote to fetch from and push to; none: the local branch is updated. */
  readonly remote?: string;
  readonly attempts?: number;
}

const ZERO = "0".repeat(40);

class GitFailed extends Error {}

function git(repo: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync("git", ["-C", repo, ...args], {
      input: options.input,
      env: { ...process.env, ...options.env },
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 1 << 30,
    }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? "")
      .trim()
      .split("\n")
      .at(-1);
    throw new GitFailed(`git ${args[0]}: ${stderr || (err as Error).message}`);
  }
}

function tryGit(repo: string, args: readonly string[]): string | null {
  try {
    return git(repo, args);
  } catch (err) {
    if (err instanceof GitFailed) return null;
    throw err;
  }
}

/** Author and committer for environments without a git identity (CI runners). */
function identityEnv(repo: string): NodeJS.ProcessEnv {
  if (tryGit(repo, ["config", "user.email"])) return {};
  return {
    GIT_AUTHOR_NAME: "layoutbench",
    GIT_AUTHOR_EMAIL: "layoutbench@localhost",
    GIT_COMMITTER_NAME: "layoutbench",
    GIT_COMMITTER_EMAIL: "layoutbench@localhost",
  };
}

/**
 * The branch tip to build on: fetched from the remote into a ref of this process's own (publishers
 * sharing a clone would race on the remote-tracking ref and on FETCH_HEAD), or the local branch;
 * null when it does not exist yet.
 */
function currentTip(t: GitTarget, privateRef: string): string | null {
  if (t.remote) {
    const ls = git(t.repo, ["ls-remote", "--heads", t.remote, `refs/heads/${t.branch}`]);
    if (!ls) return null;
    git(t.repo, ["fetch", "--quiet", "--no-write-fetch-head", t.remote, `+refs/heads/${t.branch}:${privateRef}`]);
    return git(t.repo, ["rev-parse", privateRef]);
  }
  return tryGit(t.repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${t.branch}^{commit}`]);
}

const join2 = (a: string, b: string) => (a ? `${a}/${b}` : b);

export function publishToGit(t: GitTarget, results: ResultsFile, commit: string | null, now: () => string = () => new Date().toISOString()): HistoryEntry {
  if (tryGit(t.repo, ["rev-parse", "--git-dir"]) === null)
    throw new UserError(`${t.repo}: not a git repository (publish --to git:BRANCH needs one; give --repo DIR)`);
  const attempts = t.attempts ?? 8;
  const scratch = mkdtempSync(join(tmpdir(), "layoutbench-publish-"));
  const env = { GIT_INDEX_FILE: join(scratch, "index"), ...identityEnv(t.repo) };
  const privateRef = `refs/layoutbench-publish/${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return publishOnce(t, results, commit, now, env, privateRef);
      } catch (err) {
        // Someone else moved the branch since we read it (or a fetch raced): read it again and rebuild.
        if (!(err instanceof GitFailed)) throw err;
        if (attempt >= attempts) throw new UserError(`publish to git:${t.branch}: ${err.message} (after ${attempt} attempt${attempt === 1 ? "" : "s"})`);
        // A random pause, so publishers that collided do not collide again in step.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + Math.floor(Math.random() * 200 * attempt));
      }
    }
  } finally {
    if (t.remote) tryGit(t.repo, ["update-ref", "-d", privateRef]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One attempt: build the commit on the current tip and move the branch to it if it has not moved. */
function publishOnce(t: GitTarget, results: ResultsFile, commit: string | null, now: () => string, env: NodeJS.ProcessEnv, privateRef: string): HistoryEntry {
  const tip = currentTip(t, privateRef);
  const indexPath = join2(t.path, INDEX_FILE);
  const existing = tip ? tryGit(t.repo, ["show", `${tip}:${indexPath}`]) : null;
  const before = existing === null ? emptyIndex() : parseIndex(JSON.parse(existing), `${t.branch}:${indexPath}`);
  const { index, entry } = appendRun(before, results, commit, now());
  git(t.repo, tip ? ["read-tree", tip] : ["read-tree", "--empty"], { env });
  const runBlob = git(t.repo, ["hash-object", "-w", "--stdin"], { input: JSON.stringify(results, null, 1) + "\n" });
  const indexBlob = git(t.repo, ["hash-object", "-w", "--stdin"], { input: JSON.stringify(index, null, 1) + "\n" });
  git(t.repo, ["update-index", "--add", "--cacheinfo", `100644,${runBlob},${join2(t.path, entry.file)}`], { env });
  git(t.repo, ["update-index", "--add", "--cacheinfo", `100644,${indexBlob},${indexPath}`], { env });
  const tree = git(t.repo, ["write-tree"], { env });
  const message = `Publish run ${entry.file} (commit ${commit ? commit.slice(0, 12) : "unknown"}, ${entry.cases} cases)`;
  const created = git(t.repo, ["commit-tree", tree, ...(tip ? ["-p", tip] : []), "-m", message], { env });
  if (t.remote) git(t.repo, ["push", "--quiet", t.remote, `${created}:refs/heads/${t.branch}`]);
  else git(t.repo, ["update-ref", `refs/heads/${t.branch}`, created, tip ?? ZERO]);
  return entry;
}
