/**
 * The arithmetic of bandwidth shaping: a token bucket shared by all connections of one server, in
 * the reservation form (each send reserves its bytes on a virtual timeline and waits out its
 * delay), so waiting is first-come first-served and timer lateness never accumulates into drift.
 * Pure: the clock is passed in.
 */

export class TokenBucket {
  /** Tokens (bytes) at `#atMs`; negative while reservations are outstanding. */
  #tokens: number;
  #atMs: number;

  /**
   * @param bytesPerSecond the sustained rate
   * @param capacity the largest burst, in bytes (the bucket starts full)
   */
  constructor(
    readonly bytesPerSecond: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    if (!(bytesPerSecond > 0) || !(capacity > 0))
      throw new RangeError(`token bucket needs a positive rate and capacity, got ${bytesPerSecond} B/s and ${capacity} B`);
    this.#tokens = capacity;
    this.#atMs = nowMs;
  }

  /** Reserves `bytes` at `nowMs`; returns how long (ms) to wait before sending them (0 when the bucket holds enough). */
  reserve(bytes: number, nowMs: number): number {
    this.#refill(nowMs);
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.bytesPerSecond) * 1000;
  }

  /** Tokens available at `nowMs` (negative: bytes reserved ahead of the rate). */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#atMs) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((nowMs - this.#atMs) / 1000) * this.bytesPerSecond);
      this.#atMs = nowMs;
    }
  }
}

/** Shaping of one server's answers; each field optional (absent: not shaped). */
export interface ShapingSettings {
  /** Body bytes per second over all connections together. */
  readonly bandwidth?: number;
  /** Minimum time to first byte, counted from when a request is admitted (ms). */
  readonly latencyMs?: number;
  /** Requests served at once; further requests wait in arrival order. */
  readonly concurrency?: number;
}

/** How the answers were shaped, for results. */
export interface ShapingDescription {
  readonly method: "userspace token bucket proxy";
  readonly settings: ShapingSettings;
  /** Bucket burst and send granularity in bytes, when bandwidth is shaped. */
  readonly burstBytes?: number;
  readonly pieceBytes?: number;
}

/** Send granularity: about 2 ms of the rate, between 16 KiB and 64 KiB (smaller pieces cost a timer and a write each for no accuracy). */
export function pieceSize(bytesPerSecond: number): number {
  return Math.round(Math.min(64 * 1024, Math.max(16 * 1024, bytesPerSecond * 0.002)));
}

/**
 * Burst: 20 ms of the rate and at least two pieces. Gaps between requests shorter than that (a
 * client's turnaround, timer lateness on a busy machine) cost no bandwidth; the price is that a
 * transfer starting on a full bucket gets its first `burst` bytes at once: S bytes take (S − burst)/rate.
 */
export function burstSize(bytesPerSecond: number): number {
  return Math.round(Math.max(2 * pieceSize(bytesPerSecond), bytesPerSecond * 0.02));
}

/** @throws RangeError naming the field when a setting is out of range. */
export function checkShaping(settings: ShapingSettings): void {
  const { bandwidth, latencyMs, concurrency } = settings;
  if (bandwidth !== undefined && !(Number.isFinite(bandwidth) && bandwidth >= 1024))
    throw new RangeError(`shaping bandwidth: expected at least 1024 bytes/s, got ${bandwidth}`);
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0 && latencyMs <= 60_000))
    throw new RangeError(`shaping latency: expected 0 to 60000 ms, got ${latencyMs}`);
  if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`shaping concurrency: expected a positive integer, got ${concurrency}`);
}
