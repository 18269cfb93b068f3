import type { ObservedTask, ReconcileParams } from "./types.js";

/**
 * ECS's task-health rules for the scheduler (minimumHealthyPercent accounting):
 * with a container health check, healthy means healthStatus HEALTHY; without one, a task
 * counts as healthy once it has been RUNNING for 40 s (the load balancer's view joins later).
 */

/** A task the scheduler still wants: desired RUNNING and not STOPPED. */
export const isLive = (t: ObservedTask): boolean => t.desiredStatus !== "STOPPED" && t.lastStatus !== "STOPPED";

/** Occupies a slot counted against maximumPercent: anything not yet STOPPED, stopping included. */
export const isOccupying = (t: ObservedTask): boolean => t.lastStatus !== "STOPPED";

export const isRunning = (t: ObservedTask): boolean => t.lastStatus === "RUNNING";

/** When the task became (or will become) healthy by the rules above; undefined if it cannot yet. */
export function healthySince(t: ObservedTask, p: Pick<ReconcileParams, "healthyAfterMs">): number | undefined {
  if (t.startedAt === undefined) return undefined;
  if (t.hasHealthCheck) return t.healthStatus === "HEALTHY" ? t.startedAt : undefined;
  return t.startedAt + p.healthyAfterMs;
}

export function isHealthy(t: ObservedTask, now: number, p: Pick<ReconcileParams, "healthyAfterMs">): boolean {
  if (!isLive(t) || !isRunning(t)) return false;
  const since = healthySince(t, p);
  return since !== undefined && since <= now;
}

/** A running task whose container health check failed, past the grace period: to be replaced. */
export function isUnhealthy(t: ObservedTask, now: number, p: Pick<ReconcileParams, "healthCheckGraceMs">): boolean {
  if (!isLive(t) || !isRunning(t) || !t.hasHealthCheck || t.healthStatus !== "UNHEALTHY") return false;
  return t.startedAt === undefined || t.startedAt + p.healthCheckGraceMs <= now;
}

const SCHEDULER_STOPS = new Set(["ServiceSchedulerInitiated", "UserInitiated"]);

/**
 * A stopped task counts as a failed task (deployment `failedTasks`, circuit breaker) when it
 * stopped on its own, not by the scheduler or a user, before it ever became healthy.
 */
export function isFailedStop(t: ObservedTask, p: Pick<ReconcileParams, "healthyAfterMs">): boolean {
  if (t.lastStatus !== "STOPPED") return false;
  if (t.stopCode && SCHEDULER_STOPS.has(t.stopCode)) return false;
  if (t.startedAt === undefined) return true;
  if (t.hasHealthCheck) return t.healthStatus !== "HEALTHY";
  return (t.stoppedAt ?? Number.POSITIVE_INFINITY) < t.startedAt + p.healthyAfterMs;
}

/** A stopped task that never reached RUNNING: what ECS's start throttle counts. */
export const neverStarted = (t: ObservedTask): boolean =>
  t.lastStatus === "STOPPED" && t.startedAt === undefined && !(t.stopCode && SCHEDULER_STOPS.has(t.stopCode));

/** ECS's circuit-breaker threshold: 0.5 × desired count, at least 3 and at most 200. */
export const breakerThreshold = (desiredCount: number): number =>
  Math.min(200, Math.max(3, Math.ceil(0.5 * desiredCount)));

/** minimumHealthyPercent of desired, rounded up; maximumPercent, rounded down. */
export const minHealthyTasks = (desired: number, minPercent: number): number => Math.ceil((desired * minPercent) / 100);
export const maxTasks = (desired: number, maxPercent: number): number => Math.floor((desired * maxPercent) / 100);

/** Delay before the next launch after `streak` consecutive start failures (0 below the threshold). */
export function throttleDelay(
  streak: number,
  p: Pick<ReconcileParams, "throttleAfter" | "throttleBaseMs" | "throttleMaxMs">,
): number {
  if (streak < p.throttleAfter) return 0;
  return Math.min(p.throttleMaxMs, p.throttleBaseMs * 2 ** Math.min(30, streak - p.throttleAfter));
}
