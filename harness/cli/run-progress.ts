/**
 * How `run` shows where it is. On a terminal: one status line on stderr, redrawn after every
 * case round, with the ETA; the per-case lines go to stdout above it. Otherwise (CI logs): the
 * per-case lines only, each carrying the ETA at that point. -q prints neither, -v adds a line per
 * case round.
 */
import { estimateRemainingMs, formatDuration, progressLine, type RunProgress } from "../run/eta.ts";
import { output, paint, type Verbosity } from "./output.ts";

export interface RunReporter {
  log(line: string): void;
  progress(p: RunProgress): void;
  /** Clears the status line (call once the run is over). */
  end(): void;
}

interface Streams {
  readonly out: { write(text: string): unknown };
  readonly err: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

export function runReporter(
  verbosity: Verbosity = output.verbosity,
  streams: Streams = { out: process.stdout, err: process.stderr },
  now: () => number = () => performance.now(),
  colour: boolean = output.colourErr,
): RunReporter {
  const tty = streams.err.isTTY === true;
  let started: number | null = null;
  let status = "";
  let pendingEta: string | null = null;
  let lastFinished = 0;
  const draw = () => {
    if (!tty || !status) return;
    const width = Math.max(20, (streams.err.columns || 100) - 1);
    const text = status.length > width ? `${status.slice(0, width - 1)}…` : status;
    streams.err.write(`\r${paint(colour, "dim", text)}\x1b[K`);
  };
  const clear = () => {
    if (tty && status) streams.err.write("\r\x1b[K");
  };
  return {
    log(line) {
      if (verbosity === "quiet") return;
      clear();
      const eta = !tty && pendingEta ? `  (ETA ${pendingEta})` : "";
      pendingEta = null;
      streams.out.write(`${line}${eta}\n`);
      draw();
    },
    progress(p) {
      if (verbosity === "quiet") return;
      const t = now();
      started ??= t;
      const elapsed = t - started;
      status = progressLine(p, elapsed);
      if (p.casesFinished > lastFinished) pendingEta = formatDuration(estimateRemainingMs(p, elapsed));
      lastFinished = p.casesFinished;
      if (verbosity === "verbose" && p.caseId) {
        clear();
        streams.out.write(`round ${p.round} done: ${p.caseId}\n`);
      }
      draw();
    },
    end() {
      clear();
      status = "";
    },
  };
}
