/**
 * When does compression pay over a link of bandwidth B? The article's model: reading S bytes
 * stored with compression ratio r takes t = S/(r·B) + S/D, the transfer of S/r bytes plus decoding
 * at speed D (bytes of output per second). Compression beats raw (r = 1, D_raw, usually ∞: no
 * decode) below the crossover bandwidth, where the two times are equal. Pure.
 */

/** What the model needs about one layout. */
export interface TransferModel {
  /** Logical bytes ÷ stored bytes (1 for raw). */
  readonly ratio: number;
  /** Decode speed in logical bytes per second; Infinity when nothing is decoded. */
  readonly decodeBytesPerSecond: number;
}

/** Seconds to read `bytes` logical bytes at `bandwidth` bytes per second: S/(r·B) + S/D. */
export function modelSeconds(bytes: number, bandwidth: number, m: TransferModel): number {
  return bytes / (m.ratio * bandwidth) + bytes / m.decodeBytesPerSecond;
}

/**
 * The bandwidth below which `compressed` reads faster than `raw`: solving
 * S/(r·B) + S/D = S/(r₀·B) + S/D₀ gives B* = (1/r₀ − 1/r) / (1/D − 1/D₀). Infinity when the
 * compressed layout wins at every bandwidth (smaller and no slower to decode), null when it never
 * does (no smaller, or no faster anywhere).
 */
export function crossoverBandwidth(compressed: TransferModel, raw: TransferModel = { ratio: 1, decodeBytesPerSecond: Infinity }): number | null {
  const transferSaving = 1 / raw.ratio - 1 / compressed.ratio; // seconds per byte per (1/B) saved
  const decodeCost = 1 / compressed.decodeBytesPerSecond - 1 / raw.decodeBytesPerSecond;
  if (transferSaving <= 0) return decodeCost < 0 && transferSaving === 0 ? Infinity : null;
  if (decodeCost <= 0) return Infinity;
  // Against a raw layout that decodes nothing this is (1/r₀ − 1/r)·D, computed so to stay exact.
  if (raw.decodeBytesPerSecond === Infinity) return transferSaving * compressed.decodeBytesPerSecond;
  return transferSaving / decodeCost;
}

/** A straight line t = slope·(1/B) + intercept, the form the model takes in 1/B. */
export interface InverseBandwidthFit {
  /** Seconds × bytes per second: S/r for the model. */
  readonly slope: number;
  /** Seconds: S/D plus whatever does not depend on bandwidth (latency, opening). */
  readonly intercept: number;
}

/**
 * Least-squares fit of measured (bandwidth, seconds) points to t = a/B + c. Needs two distinct
 * bandwidths; with exactly two it passes through both.
 */
export function fitInverseBandwidth(points: readonly { readonly bandwidth: number; readonly seconds: number }[]): InverseBandwidthFit {
  const xs = points.map((p) => 1 / p.bandwidth);
  const ys = points.map((p) => p.seconds);
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (n < 2 || sxx === 0) throw new Error("fitInverseBandwidth: needs points at two or more distinct bandwidths");
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * The bandwidth where two fitted lines cross (a₁/B + c₁ = a₂/B + c₂): below it the one with the
 * smaller slope (fewer bytes to move) is faster. null when they do not cross at a positive
 * bandwidth; Infinity when the smaller-slope one is faster everywhere.
 */
export function measuredCrossover(compressed: InverseBandwidthFit, raw: InverseBandwidthFit): number | null {
  const slopeSaving = raw.slope - compressed.slope;
  const extra = compressed.intercept - raw.intercept;
  if (slopeSaving <= 0) return null;
  if (extra <= 0) return Infinity;
  return slopeSaving / extra;
}
