/**
 * `layoutbench publish RESULTS --to DIR|git:BRANCH[:PATH]`: appends a run to a history (its results
 * file plus an entry in index.json) that `report --history` draws.
 */
import { resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { parseDestination } from "../publish/destination.ts";
import { publishToDir } from "../publish/dir.ts";
import { publishToGit } from "../publish/git.ts";
import { publishToStore } from "../publish/store.ts";
import { S3ObjectStore } from "../remote/index.ts";
import { readResults } from "../run/results-file.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const usage = `Usage: layoutbench publish RESULTS --to DIR|git:BRANCH[:PATH]|s3://BUCKET/PREFIX [options]

Appends a run (a results file, e.g. merged from shards) to a history: the file is stored as
runs/<start time>-<commit>.json and listed in index.json. Publishers never overwrite each other:
a folder is locked while it is updated; a git branch is updated only if it did not move meanwhile
(otherwise the run is appended again on top of the new tip).

Destinations:
  DIR                     a folder (created if needed)
  s3://BUCKET/PREFIX      S3-compatible object storage (credentials, region and endpoint from the
                          AWS_* environment or profile, e.g. AWS_ENDPOINT_URL for MinIO)
  git:BRANCH[:PATH]       a branch of the repository (PATH: a folder inside it); the working tree
                          is not touched; with --remote, fetched from and pushed to that remote

Options:
  --to DEST        where to publish (required)
  --commit SHA     the commit the run measured (default: the one recorded in the results file)
  --remote NAME    git: fetch from and push to this remote (e.g. origin) instead of the local branch
  --repo DIR       git: the repository (default: the current folder)
  -h, --help       this text`;

export const publishCommand: Command = {
  name: "publish",
  summary: "append a results file to a history (folder, git branch or S3)",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("publish", args, {
      to: { type: "string" },
      commit: { type: "string" },
      remote: { type: "string" },
      repo: { type: "string" },
    });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length !== 1) throw new UserError(`layoutbench publish: give exactly one results file (got ${positionals.length})`);
    if (values.to === undefined) throw new UserError("layoutbench publish: --to DIR|git:BRANCH[:PATH] is required");
    if (values.commit !== undefined && !/^[0-9a-f]{7,40}$/.test(values.commit)) {
      throw new UserError(`layoutbench publish: --commit ${JSON.stringify(values.commit)}: expected a commit id (7 to 40 hex digits)`);
    }
    const destination = parseDestination(values.to);
    const results = readResults(positionals[0]);
    if (results.finishedAt === null) {
      const missing = results.missingShards?.length ? ` (missing shards: ${results.missingShards.join(", ")})` : "";
      throw new UserError(
        `layoutbench publish: ${positionals[0]}: the run is not finished${missing}; finish it with run --resume, or merge every shard, then publish`,
      );
    }
    const commit = values.commit ?? results.harness?.commit ?? null;
    let where: string;
    let file: string;
    switch (destination.kind) {
      case "dir":
        file = publishToDir(destination.dir, results, commit).file;
        where = resolve(destination.dir);
        break;
      case "git":
        file = publishToGit({ repo: values.repo ?? ".", branch: destination.branch, path: destination.path, remote: values.remote }, results, commit).file;
        where = `git:${destination.branch}${destination.path ? ":" + destination.path : ""}${values.remote ? ` on ${values.remote}` : ""}`;
        break;
      case "s3": {
        const store = new S3ObjectStore({ bucket: destination.bucket, prefix: destination.prefix });
        try {
          file = (await publishToStore(store, results, commit)).file;
        } finally {
          await store.close();
        }
        where = store.label;
        break;
      }
    }
    console.log(`published ${positionals[0]} as ${file} in ${where}`);
    return 0;
  },
};
