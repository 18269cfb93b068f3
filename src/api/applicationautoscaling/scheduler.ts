import { causeScheduled } from "../../core/autoscaling/activities.js";
import { parseSchedule, runsBetween } from "../../core/autoscaling/schedule.js";
import { clampIntoRange } from "./capacity.js";
import { aasLock, getTarget, listScheduled, scheduledOp, storeOf, targetOp, type AasDeps } from "./deps.js";
import type { ScheduledActionDoc } from "./docs.js";
import { pruneActivities } from "./activities.js";

/** How often scheduled actions are checked by default, and the shortest interval allowed. */
export const DEFAULT_SCHEDULE_INTERVAL_MS = 60_000;
export const MIN_SCHEDULE_INTERVAL_MS = 10_000;

/**
 * Runs one scheduled action if a run of its schedule fell in (checkedUntil, now] inside
 * [StartTime, EndTime]: the target's min/max become the action's, and the service's desiredCount
 * is brought into the new range. Runs missed while Wharf was down collapse into one (the latest).
 * Answers whether it ran.
 */
export async function runScheduledAction(deps: AasDeps, a: ScheduledActionDoc, now: number): Promise<boolean> {
  return deps.ecs.lock(aasLock(a.targetKey), async () => {
    const cur = (await storeOf(deps).get<ScheduledActionDoc>("aas-scheduled-action", `${a.targetKey}|${a.ScheduledActionName}`))?.value;
    if (!cur || cur.checkedUntil >= now) return false;
    const target = await getTarget(deps, cur.targetKey);
    const from = Math.max(cur.checkedUntil, (cur.StartTime ?? -Infinity) - 1);
    const to = Math.min(now, cur.EndTime ?? Infinity);
    const schedule = parseSchedule(cur.Schedule, cur.Timezone ?? "UTC");
    const runs = to > from ? runsBetween(schedule, from, to, cur.StartTime ?? cur.CreationTime) : [];
    const last = runs[runs.length - 1];
    await storeOf(deps).write([scheduledOp({ ...cur, checkedUntil: now, ...(last !== undefined && target ? { lastRunAt: last } : {}) })]);
    if (last === undefined || !target || target.SuspendedState.ScheduledScalingSuspended) return false;
    const action = cur.ScalableTargetAction ?? {};
    const next = { ...target, MinCapacity: action.MinCapacity ?? target.MinCapacity, MaxCapacity: action.MaxCapacity ?? target.MaxCapacity };
    if (next.MinCapacity > next.MaxCapacity) {
      // One side moved past the other: the side the action names wins, as AWS applies it.
      if (action.MinCapacity !== undefined) next.MaxCapacity = Math.max(next.MaxCapacity, next.MinCapacity);
      else next.MinCapacity = Math.min(next.MinCapacity, next.MaxCapacity);
    }
    await storeOf(deps).write([targetOp(next)]);
    await clampIntoRange(deps, next, () => causeScheduled(cur.ScheduledActionName));
    return true;
  });
}

/** One pass over every scheduled action (all accounts and Regions). */
export async function runSchedulesOnce(deps: AasDeps): Promise<number> {
  const now = deps.ecs.clock.now();
  let ran = 0;
  for (const a of await listScheduled(deps)) if (await runScheduledAction(deps, a, now)) ran++;
  return ran;
}

export interface ScheduleRunner {
  /** Runs a pass now (tests drive it with their clock). */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/** Checks scheduled actions every `intervalMs` (default 60 s, at least 10 s); prunes old activities hourly. */
export function startScheduleRunner(deps: AasDeps, opts: { intervalMs?: number; log?: (line: Record<string, unknown>) => void } = {}): ScheduleRunner {
  const every = Math.max(MIN_SCHEDULE_INTERVAL_MS, opts.intervalMs ?? DEFAULT_SCHEDULE_INTERVAL_MS);
  let running: Promise<number> | undefined;
  let lastPrune = 0;
  const tick = (): Promise<number> => {
    running ??= (async () => {
      try {
        const n = await runSchedulesOnce(deps);
        const now = deps.ecs.clock.now();
        if (now - lastPrune > 3_600_000) {
          lastPrune = now;
          await pruneActivities(deps, now);
        }
        return n;
      } catch (err) {
        opts.log?.({ level: "error", msg: "scheduled scaling pass failed", err: String((err as Error)?.stack ?? err) });
        return 0;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
