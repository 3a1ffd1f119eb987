/**
 * Where `publish --to` sends a run: a folder (`DIR`), a git branch (`git:BRANCH[:PATH]`, PATH a
 * folder inside the branch, default the branch's root), or S3-compatible object storage
 * (`s3://bucket/prefix`). Pure.
 */
import { UserError } from "../core/errors.ts";

export type Destination =
  | { readonly kind: "dir"; readonly dir: string }
  | { readonly kind: "git"; readonly branch: string; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string };

const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![./])$/;

export function parseDestination(text: string, flag = "layoutbench publish: --to"): Destination {
  if (text.startsWith("git:")) {
    const [branch, ...rest] = text.slice(4).split(":");
    const path = rest.join(":").replace(/^\/+|\/+$/g, "");
    if (!BRANCH.test(branch))
      throw new UserError(`${flag} ${JSON.stringify(text)}: expected git:BRANCH[:PATH] with a valid branch name, e.g. git:bench-history:runs`);
    if (path.split("/").some((p) => p === ".." || p === "."))
      throw new UserError(`${flag} ${JSON.stringify(text)}: PATH must be a folder inside the branch, without . or ..`);
    return { kind: "git", branch, path };
  }
  if (text.startsWith("s3://")) {
    const [bucket, ...rest] = text.slice(5).split("/");
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new UserError(`${flag} ${JSON.stringify(text)}: expected s3://BUCKET[/PREFIX] with a valid bucket name`);
    return { kind: "s3", bucket, prefix: rest.filter(Boolean).join("/") };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw new UserError(`${flag} ${JSON.stringify(text)}: unknown destination (allowed: a folder, git:BRANCH[:PATH], s3://BUCKET/PREFIX)`);
  if (text === "") throw new UserError(`${flag}: give a folder, git:BRANCH[:PATH] or s3://BUCKET/PREFIX`);
  return { kind: "dir", dir: text };
}
