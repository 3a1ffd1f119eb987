/**
 * Progress through the sampling phase and its expected end. Each case round has a budget (the
 * scenario's sampling.timeBudget shared over its rounds); the time still to go is the budget
 * still to spend, scaled by how long the spent budget really took (evictions, opens and cases
 * that stop early on their sample count all show in that ratio). Pure.
 */

/** Where a run stands after a case round (or before the first). */
export interface RunProgress {
  /** The case round just finished; null at the start. */
  readonly caseId: string | null;
  readonly round: number;
  readonly rounds: number;
  /** Case rounds taken, and planned in all (failed cases give up their remaining rounds). */
  readonly done: number;
  readonly total: number;
  /** Cases with every round taken (or failed), of all cases. */
  readonly casesFinished: number;
  readonly cases: number;
  /** Σ sampling budget (ms) of the case rounds taken, and of those still to take. */
  readonly budgetDoneMs: number;
  readonly budgetLeftMs: number;
}

/** Expected milliseconds to the end, from the budgets and the time the sampling has taken so far. */
export function estimateRemainingMs(p: Pick<RunProgress, "budgetDoneMs" | "budgetLeftMs">, elapsedMs: number): number {
  if (p.budgetLeftMs <= 0) return 0;
  // Nothing measured yet: the budget is the best guess.
  if (p.budgetDoneMs <= 0 || elapsedMs <= 0) return p.budgetLeftMs;
  return p.budgetLeftMs * (elapsedMs / p.budgetDoneMs);
}

/** "45s", "3m 20s", "1h 05m": coarse on purpose, an estimate. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** One status line: "[12/40 cases] round 2 of 3 · 31% · ETA 3m 20s · tiles/image/zarr-256/rows/cold". */
export function progressLine(p: RunProgress, elapsedMs: number): string {
  const share = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const round = p.rounds > 1 ? ` round ${p.round} of ${p.rounds} ·` : "";
  const last = p.caseId ? ` · ${p.caseId}` : "";
  return `[${p.casesFinished}/${p.cases} cases]${round} ${share}% · ETA ${formatDuration(estimateRemainingMs(p, elapsedMs))}${last}`;
}
