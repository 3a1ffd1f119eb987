/**
 * Progress lines on stderr: a redrawn bar on a terminal, a line at start and end otherwise.
 */
const MiB = 1024 * 1024;

export interface ProgressBar {
  update(done: number, total: number): void;
  end(message: string): void;
}

let silenced = false;

/** -q: no progress bars and no end lines (errors still surface through the run's results). */
export function silenceProgress(on: boolean): void {
  silenced = on;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (silenced) return { update() {}, end() {} };
  const started = performance.now();
  let last = 0;
  const tty = stream.isTTY === true;
  if (!tty) stream.write(`${label} …\n`);
  return {
    update(done, total) {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const fraction = total > 0 ? done / total : 1;
      const width = 24;
      const filled = Math.round(fraction * width);
      const rate = done / MiB / Math.max((now - started) / 1000, 1e-3);
      stream.write(
        `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
          `${(done / MiB).toFixed(0)}/${(total / MiB).toFixed(0)} MiB ${rate.toFixed(0)} MiB/s`,
      );
    },
    end(message) {
      stream.write(`${tty ? "\r\x1b[K" : ""}${label}: ${message}\n`);
    },
  };
}
