/**
 * moto's S3 server mode as a child process: started on a free loopback port, waited for, and
 * stopped. The child exits by itself when its stdin closes, so it dies with the harness even when
 * the harness is killed outright.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.ts";

const SCRIPT = fileURLToPath(new URL("moto-server.py", import.meta.url));
const INSTALL_HINT = "install it with `pip install 'moto[server]'` for that python3, or set LAYOUTBENCH_MOTO_PYTHON to a python3 that has it";

export interface MotoProcess {
  /** `http://127.0.0.1:PORT/`. */
  readonly endpoint: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Whether the child has exited (a server that died mid-run). */
  readonly exited: boolean;
  /** Kills the child at once (synchronous, for exit handlers). */
  kill(): void;
  /** Ends the child and waits for it. */
  stop(): Promise<void>;
}

/** The python3 that runs moto: LAYOUTBENCH_MOTO_PYTHON, else `python3` on PATH. */
export function motoPython(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.LAYOUTBENCH_MOTO_PYTHON || "python3";
}

export interface MotoOptions {
  readonly python?: string;
  readonly readyTimeoutMs?: number;
  /**
   * Check signatures: after this many requests without (moto's INITIAL_NO_AUTH_ACTION_COUNT), every
   * request must be SigV4-signed with an access key of an IAM user moto knows, else 403
   * (InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied). The free requests are for creating
   * that user, its policy and key (0 leaves no way to create one). Absent, moto accepts any signature.
   */
  readonly unauthenticatedRequests?: number;
}

/** Starts moto's server and resolves once it listens. @throws UserError naming what to install when moto is missing. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoProcess> {
  const python = options.python ?? motoPython();
  const env =
    options.unauthenticatedRequests === undefined ? process.env : { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(options.unauthenticatedRequests) };
  const child = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env });
  let exited = false;
  const stderr: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
  });
  const exit = new Promise<void>((done) =>
    child.once("exit", () => {
      exited = true;
      done();
    }),
  );
  const kill = () => {
    if (!exited) child.kill("SIGKILL");
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      kill();
      reject(new UserError(`S3 server: moto (${python}) did not start listening within ${timeoutMs} ms`));
    }, timeoutMs);
    let buffered = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      buffered += text;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      const line = buffered.slice(0, newline);
      try {
        const message = JSON.parse(line) as { port?: number; error?: string };
        if (message.port) resolve(message.port);
        else reject(new UserError(`S3 server: ${message.error ?? line}; ${INSTALL_HINT}`));
      } catch {
        kill();
        reject(new UserError(`S3 server: unexpected output from moto: ${line.slice(0, 200)}`));
      }
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new UserError(`S3 server: cannot run ${python} (${error.code ?? error.message}); ${INSTALL_HINT}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = stderr.join("").trim().split("\n").pop() ?? "";
      reject(
        new UserError(`S3 server: ${python} exited (${signal ?? `code ${code}`}) before listening${last ? `: ${last.slice(0, 200)}` : ""}; ${INSTALL_HINT}`),
      );
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    pid: child.pid!,
    child,
    get exited() {
      return exited;
    },
    kill,
    async stop() {
      if (exited) return;
      child.stdin!.end(); // the script exits at end of stdin
      const timer = setTimeout(kill, 2000);
      await exit;
      clearTimeout(timer);
    },
  };
}
