/**
 * The arithmetic of bandwidth shaping: a token bucket shared by all connections of one server, in
 * the reservation form (each send reserves its bytes on a virtual timeline and waits out its
 * delay), so waiting is first-come first-served and timer lateness never accumulates into drift.
 * Like a link, it does not save up bandwidth while idle: tokens accrue only while a transfer is
 * running (up to the burst, which makes up for the sender's own lateness), and the first transfer
 * after a pause starts from an empty bucket, so S bytes take S/rate however long the pause (a
 * latency wait, a client's turnaround) was. Pure: the clock is passed in.
 */

export class TokenBucket {
  /** Tokens (bytes) at `#atMs`; negative while reservations are outstanding. */
  #tokens = 0;
  #atMs: number;
  #transfers = 0;

  /**
   * @param bytesPerSecond the sustained rate
   * @param capacity the most tokens that accrue during a transfer, in bytes (the bucket starts empty)
   */
  constructor(
    readonly bytesPerSecond: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    if (!(bytesPerSecond > 0) || !(capacity > 0))
      throw new RangeError(`token bucket needs a positive rate and capacity, got ${bytesPerSecond} B/s and ${capacity} B`);
    this.#atMs = nowMs;
  }

  /** A transfer starts at `nowMs`. After a pause with none running, the tokens the pause would have added are dropped. */
  startTransfer(nowMs: number): void {
    this.#refill(nowMs);
    if (this.#transfers++ === 0) this.#tokens = Math.min(this.#tokens, 0);
  }

  /** A transfer ended (completed or cut). */
  endTransfer(): void {
    this.#transfers = Math.max(0, this.#transfers - 1);
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
 * Burst: 20 ms of the rate and at least two pieces. While transfers run, the sender's own pauses
 * shorter than that (timer lateness on a busy machine, waiting for the origin) cost no bandwidth.
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
