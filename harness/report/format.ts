/**
 * Human units for numbers in reports. Every renderer uses these so a number reads the same in
 * Markdown, HTML and charts. Three significant digits: benchmark noise makes a fourth a lie.
 */

/** `x` with 3 significant digits, without exponent notation or trailing zeros beyond them. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  if (Math.abs(x) >= 1000) return Math.round(x).toString();
  // Round first so 0.99999 becomes "1.00", not "1.000".
  const rounded = Number(x.toPrecision(3));
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(decimals);
}

/** A duration in milliseconds: "84.2 µs", "12.3 ms", "1.23 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${sig3(ms * 1000)} µs`;
  if (ms < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1000)} s`;
}

const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** A size in bytes, binary units (sizes of files and pages are powers of two): "64.0 MiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${BINARY[unit]}`;
}

/** A rate in bytes per second, decimal units as storage vendors quote them: "1.23 GB/s". */
export function formatRate(bytesPerSecond: number): string {
  const units = ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"];
  let value = bytesPerSecond;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${sig3(value)} ${units[unit]}`;
}

/** A multiplicative factor: "912×", "1.19×", "0.0420×". */
export function formatFactor(x: number): string {
  return `${sig3(x)}×`;
}

/** An interval with one formatter: "12.1 – 13.0 ms" style when units agree, else both in full. */
export function formatInterval(low: number, high: number, format: (x: number) => string): string {
  const a = format(low);
  const b = format(high);
  const unitA = a.replace(/^[-\d.]+/, "");
  const unitB = b.replace(/^[-\d.]+/, "");
  return unitA === unitB && unitA !== "" ? `${a.slice(0, a.length - unitA.length)}–${b}` : `${a} – ${b}`;
}

/** A share in [0, 1] as a percentage: "4%", "0.5%". */
export function formatPercent(share: number): string {
  return `${sig3(share * 100)}%`;
}
