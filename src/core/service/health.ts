import { msg, stopReason } from "./messages.js";
import { targetMsg, targetsHealthy, unhealthyTarget } from "./targets.js";
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

/** Task scale-in protection is in force: scale-in and deployments must not stop it. */
export const isProtected = (t: ObservedTask, now: number): boolean => t.protectedUntil !== undefined && t.protectedUntil > now;

export const isRunning = (t: ObservedTask): boolean => t.lastStatus === "RUNNING";

/**
 * When the task became (or will become) healthy by the rules above; undefined if it cannot yet.
 * Behind load balancers it is healthy once every one of its targets is `healthy` (and its
 * container health check, if any, HEALTHY), since the latest of those reports.
 */
export function healthySince(t: ObservedTask, p: Pick<ReconcileParams, "healthyAfterMs">): number | undefined {
  if (t.startedAt === undefined) return undefined;
  if (t.hasHealthCheck && t.healthStatus !== "HEALTHY") return undefined;
  if (t.loadBalanced) {
    if (!targetsHealthy(t)) return undefined;
    return Math.max(t.startedAt, ...(t.targets ?? []).map((v) => v.since ?? t.startedAt!));
  }
  if (t.hasHealthCheck) return t.startedAt;
  return t.startedAt + p.healthyAfterMs;
}

export function isHealthy(t: ObservedTask, now: number, p: Pick<ReconcileParams, "healthyAfterMs">): boolean {
  if (!isLive(t) || !isRunning(t)) return false;
  const since = healthySince(t, p);
  return since !== undefined && since <= now;
}

/**
 * A running task whose container health check failed, or one of whose targets the load balancer
 * calls `unhealthy`, past the grace period (healthCheckGracePeriodSeconds): to be replaced.
 */
export function isUnhealthy(t: ObservedTask, now: number, p: Pick<ReconcileParams, "healthCheckGraceMs">): boolean {
  if (!isLive(t) || !isRunning(t)) return false;
  const containerUnhealthy = t.hasHealthCheck === true && t.healthStatus === "UNHEALTHY";
  const lbUnhealthy = t.loadBalanced === true && unhealthyTarget(t) !== undefined;
  if (!containerUnhealthy && !lbUnhealthy) return false;
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

/**
 * A task that is stopping on its own (the agent gave up on it: a failed pull, a container that
 * could not start) before it ever reached RUNNING, and is not STOPPED yet. Its slot stays taken
 * until it is STOPPED and counted by the start throttle; a replacement launched earlier would
 * slip past the throttle's delay.
 */
export const failingToStart = (t: ObservedTask): boolean =>
  t.desiredStatus === "STOPPED" &&
  t.lastStatus !== "STOPPED" &&
  t.startedAt === undefined &&
  t.stopCode !== undefined &&
  !SCHEDULER_STOPS.has(t.stopCode);

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

/** Why an unhealthy task is stopped, in ECS's words: its container health check, else its target's. */
export function unhealthyVerdict(serviceName: string, t: ObservedTask): { event: string; reason: string } {
  const target = t.hasHealthCheck && t.healthStatus === "UNHEALTHY" ? undefined : unhealthyTarget(t);
  if (!target) return { event: msg.failedHealthChecks(serviceName, t.taskArn), reason: stopReason.unhealthy() };
  return { event: targetMsg.unhealthy(serviceName, target), reason: targetMsg.stopReason(target.targetGroupArn) };
}
