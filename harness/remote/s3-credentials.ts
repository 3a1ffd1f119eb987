/**
 * AWS credentials and region the way the AWS CLI and SDKs find them, for the subset a benchmark
 * needs: the environment variables first, then the shared credentials and config files under a
 * profile. Pure over an injected environment and file reader, so tests need no real home directory.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Where they came from, for messages (never the values): `environment` or `profile NAME (FILE)`. */
  readonly source: string;
}

/** What to set when requests are refused: every error about credentials names these. */
export const CREDENTIALS_HINT =
  "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE naming a profile in ~/.aws/credentials";

export interface CredentialSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Returns a file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
}

/** Credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else from the profile (AWS_PROFILE or `default`) in AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials; undefined when neither has them. */
export function findCredentials({ env, readFile }: CredentialSources): AwsCredentials | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      source: "environment",
    };
  }
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
  const file = env.AWS_SHARED_CREDENTIALS_FILE || join(env.HOME || homedir(), ".aws", "credentials");
  const text = readFile(file);
  const section = text === undefined ? undefined : parseIni(text).get(profile);
  const accessKeyId = section?.get("aws_access_key_id");
  const secretAccessKey = section?.get("aws_secret_access_key");
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: section?.get("aws_session_token") || undefined, source: `profile ${profile} (${file})` };
}

/** AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in AWS_CONFIG_FILE or ~/.aws/config, else us-east-1 (what MinIO and moto accept). */
export function findRegion({ env, readFile }: CredentialSources): string {
  if (env.AWS_REGION) return env.AWS_REGION;
  if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), ".aws", "config");
  const text = readFile(file);
  const sections = text === undefined ? undefined : parseIni(text);
  // The config file names non-default profiles `[profile NAME]`.
  const section = sections?.get(profile === "default" ? "default" : `profile ${profile}`) ?? sections?.get(profile);
  return section?.get("region") || "us-east-1";
}

/** Sections of an INI file (`[name]`, `key = value`, `#`/`;` comments), keys lower-cased. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]) ?? new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0 && current) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}
