/**
 * Retry delays, one rule for every retry loop of Wharf (agent reports, log shipping, health
 * monitoring, the agent channel, the controllers' work queue): exponential from `initialMs`,
 * capped at `maxMs`, with ±`jitter` (a fraction; amazon-ecs-agent's event handler uses ±20 %).
 * The random source is injected so a run can be replayed.
 */
export interface BackoffOptions {
  /** Delay of attempt 0 (default 250 ms). */
  initialMs?: number;
  /** Upper bound before jitter (default 30 s). */
  maxMs?: number;
  /** ± this fraction of the delay, drawn from `random` (default 0.2; 0 = exact). */
  jitter?: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = Math.min((opts.initialMs ?? 250) * 2 ** Math.min(attempt, 40), opts.maxMs ?? 30_000);
  const jitter = opts.jitter ?? 0.2;
  return Math.round(jitter === 0 ? base : base * (1 - jitter + random() * 2 * jitter));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
