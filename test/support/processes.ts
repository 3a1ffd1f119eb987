/** Process checks the lifecycle and fault tests share. */
import { readFileSync } from "node:fs";

/** Whether `pid` is a live process (a zombie counts as gone: it runs nothing and holds no port). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
