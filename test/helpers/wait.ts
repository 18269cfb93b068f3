/**
 * Waiting in tests: a bounded poll for a condition. The timeout is a safety net against a
 * hung test, never a claim about speed; a test that needs to know something did NOT happen
 * waits for an event that proves the system looked (a log line, a poll count, a report)
 * instead of sleeping.
 */
export interface WaitOptions {
  /** What is awaited, for the timeout message ("tasks RUNNING"). */
  what: string;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between tries (default 100 ms). */
  intervalMs?: number;
  /** Extra text for the timeout message (the last state seen, say). */
  detail?: () => unknown;
}

/** Resolves after `ms` (between polls only: never a wait for something to happen). */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `fn` until it returns something other than `undefined`, `null` or `false` and resolves
 * that; errors thrown by `fn` count as "not yet" (the last one is reported on timeout).
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
      lastValue = v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const extra = opts.detail ? ` (last seen: ${describe(opts.detail())})` : "";
      const why = lastError !== undefined ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${why}${extra}${lastError === undefined && !opts.detail && lastValue !== undefined ? ` (got ${describe(lastValue)})` : ""}`);
    }
    await pause(opts.intervalMs ?? 100);
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return v.length > 2000 ? `${v.slice(0, 2000)}…` : v;
  try {
    const s = JSON.stringify(v);
    return s && s.length > 2000 ? `${s.slice(0, 2000)}…` : String(s);
  } catch {
    return String(v);
  }
}

/**
 * Resolves `event` (a promise an event listener settles), or fails after `timeoutMs` with a clear
 * message: for waits on a log line, a report or a notification rather than on polled state.
 */
export function waitEvent<T>(event: Promise<T>, opts: Omit<WaitOptions, "intervalMs">): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const extra = opts.detail ? ` (last seen: ${describe(opts.detail())})` : "";
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${extra}`));
    }, timeoutMs);
  });
  return Promise.race([event, timeout]).finally(() => clearTimeout(timer));
}
