#!/usr/bin/env node
// Entry point. --help and --version are answered here, in plain JavaScript: compiling the
// TypeScript sources takes seconds and neither needs them. Everything else registers tsx so the
// sources run as they are, then starts the CLI (main.ts loads only the command that runs).
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const only = args.length === 1 ? args[0] : null;
if (args.length === 0 || only === "--help" || only === "-h" || only === "help") {
  process.stdout.write(readFileSync(new URL("./help.txt", import.meta.url), "utf8"));
  process.exitCode = args.length === 0 ? 1 : 0;
} else if (only === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  process.stdout.write(`layoutbench ${version}\n`);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("./main.ts");
  process.exitCode = await main(args);
}
