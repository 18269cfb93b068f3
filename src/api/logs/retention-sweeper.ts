import type { Clock } from "../../core/time.js";
import type { LogStore } from "./log-store.js";

/** How often the sweeper looks for work by default. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export interface RetentionSweeper {
  /** Runs sweep steps until nothing is left to delete right now; resolves with the count. */
  sweepNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The level-triggered loop that enforces retention: every interval it deletes events older than
 * their group's `retentionInDays`, and the events of deleted groups and streams, in bounded
 * batches (yielding to the event loop between them, so API calls are never stalled for long).
 * It keeps no state of its own: a restart, a missed tick or a changed policy is simply picked up
 * on the next pass.
 */
export function startRetentionSweeper(logs: LogStore, clock: Clock, intervalMs = DEFAULT_SWEEP_INTERVAL_MS): RetentionSweeper {
  let stopped = false;
  let running: Promise<number> | undefined;

  const sweep = async (): Promise<number> => {
    let total = 0;
    while (!stopped) {
      const n = logs.sweepStep(clock.now());
      total += n;
      if (n === 0) break;
      await new Promise((r) => setImmediate(r));
    }
    return total;
  };
  const sweepNow = (): Promise<number> => {
    running ??= sweep().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void sweepNow().catch(() => undefined), intervalMs);
  timer.unref();
  return {
    sweepNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
