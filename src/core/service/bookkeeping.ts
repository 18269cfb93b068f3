import { healthySince, isFailedStop, isHealthy, isLive, isOccupying, isRunning, breakerThreshold, neverStarted, throttleDelay } from "./health.js";
import { bakeRemainingMs, failPrimary, triggeredAlarms, type FailureScope } from "./alarms.js";
import { msg, rolloutReason } from "./messages.js";
import type {
  DeploymentState,
  ObservedTask,
  ReconcileParams,
  ReconcileResult,
  SchedulerMemory,
  ServiceState,
  StartAction,
  StopAction,
} from "./types.js";

/**
 * The half of a scheduler pass that REPLICA and DAEMON share: account for what happened since
 * the last pass (failed tasks, throttle, circuit breaker and rollback) before deciding, and
 * after deciding, derive counts, retire finished deployments, complete rollouts, and notice
 * steady state. Deciding which tasks to start and stop is the caller's part.
 */
export interface Pass {
  svc: ServiceState;
  now: number;
  p: ReconcileParams;
  deployments: DeploymentState[];
  primary: DeploymentState;
  mem: SchedulerMemory;
  events: string[];
  tripped?: ReconcileResult["circuitBreakerTripped"];
  failed?: ReconcileResult["failed"];
  /** Tasks grouped by deployment id ("" for tasks of no known deployment). */
  tasksOf: (depId: string) => ObservedTask[];
  observed: ObservedTask[];
}

export function beginPass(svc: ServiceState, observed: ObservedTask[], now: number, p: ReconcileParams): Pass {
  const deployments = svc.deployments.map((d) => ({ ...d }));
  if (deployments.length === 0) throw new Error(`service ${svc.serviceName} has no deployment`);
  let primary = deployments.find((d) => d.status === "PRIMARY") ?? deployments[0]!;
  const mem: SchedulerMemory = { ...svc.scheduler, accounted: [...svc.scheduler.accounted] };
  const events: string[] = [];
  const byId = new Map(deployments.map((d) => [d.id, d]));

  if (mem.throttleDeploymentId !== primary.id) {
    mem.throttleDeploymentId = primary.id;
    mem.startFailureStreak = 0;
    delete mem.nextStartAt;
    delete mem.lastStartFailureAt;
  }
  for (const d of deployments) if (d.startedAt === undefined) d.startedAt = now;

  // 1. Failures since the last pass, each counted once.
  const accounted = new Set(mem.accounted);
  for (const t of observed) {
    if (t.lastStatus !== "STOPPED" || accounted.has(t.taskArn)) continue;
    accounted.add(t.taskArn);
    const d = byId.get(t.deploymentId);
    if (d && isFailedStop(t, p)) countFailure(d, t.stoppedAt ?? now, now);
    if (d === primary && neverStarted(t)) {
      mem.startFailureStreak++;
      mem.lastStartFailureAt = t.stoppedAt ?? now;
      const delay = throttleDelay(mem.startFailureStreak, p);
      if (delay > 0) mem.nextStartAt = now + delay;
      if (mem.startFailureStreak === p.throttleAfter) events.push(msg.unableToStartConsistently(svc.serviceName));
    }
  }
  const known = new Set(observed.map((t) => t.taskArn));
  mem.accounted = [...accounted].filter((a) => known.has(a));

  // A primary task that reached RUNNING after the last launch failure ends the throttle streak.
  if (mem.startFailureStreak > 0) {
    const lastFail = mem.lastStartFailureAt ?? 0;
    if (observed.some((t) => t.deploymentId === primary.id && isLive(t) && isRunning(t) && (t.startedAt ?? 0) > lastFail)) {
      mem.startFailureStreak = 0;
      delete mem.nextStartAt;
    }
  }
  // resetOnHealthyTask: a task of the deployment that became healthy after its last failure.
  for (const d of deployments) {
    if (!d.breakerFailures) continue;
    const lastFail = d.lastFailureAt ?? 0;
    const healed = observed.some((t) => {
      if (t.deploymentId !== d.id || !isHealthy(t, now, p)) return false;
      return (healthySince(t, p) ?? 0) > lastFail;
    });
    if (healed) d.breakerFailures = 0;
  }

  // 2. The circuit breaker watches the PRIMARY while it rolls out.
  const breaker = svc.deploymentConfiguration.deploymentCircuitBreaker;
  const scope: FailureScope = { svc, deployments, mem, events, p, now };
  let tripped: Pass["tripped"];
  if (
    breaker?.enable &&
    primary.rolloutState === "IN_PROGRESS" &&
    (primary.breakerFailures ?? 0) >= breakerThreshold(svc.desiredCount)
  ) {
    tripped = { deploymentId: primary.id };
    const out = failPrimary(scope, primary, "circuitBreaker", breaker.rollback);
    if (out.rollbackTo) tripped.rollbackTo = out.rollbackTo;
    primary = out.primary;
  }

  // 3. StopServiceDeployment (ROLLBACK) of the PRIMARY while it rolls out, then its deployment alarms.
  let failed: Pass["failed"];
  if (primary.rolloutState === "IN_PROGRESS" && svc.stopRequest?.deploymentId === primary.id) {
    failed = { deploymentId: primary.id, cause: "user" };
    const out = failPrimary(scope, primary, "user", true);
    if (out.rollbackTo) failed.rollbackTo = out.rollbackTo;
    primary = out.primary;
  }
  const triggered = triggeredAlarms(svc, primary);
  if (triggered.length > 0) {
    failed = { deploymentId: primary.id, cause: "alarms" };
    const out = failPrimary(scope, primary, "alarms", svc.deploymentConfiguration.alarms?.rollback ?? false, triggered);
    if (out.rollbackTo) failed.rollbackTo = out.rollbackTo;
    primary = out.primary;
    // The rollback deployment starts with these alarms in ALARM: ignored until they clear.
    triggeredAlarms(svc, primary);
  }

  const groups = new Map<string, ObservedTask[]>();
  for (const t of observed) {
    const key = byId.has(t.deploymentId) ? t.deploymentId : "";
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return { svc, now, p, deployments, primary, mem, events, tripped, failed, observed, tasksOf: (id) => groups.get(id) ?? [] };
}

/** Counts one failed task against its deployment (failedTasks, and the breaker while rolling out). */
export function countFailure(d: DeploymentState, at: number, now: number): void {
  d.failedTasks++;
  d.updatedAt = now;
  if (d.rolloutState === "IN_PROGRESS") {
    d.breakerFailures = (d.breakerFailures ?? 0) + 1;
    d.lastFailureAt = Math.max(d.lastFailureAt ?? 0, at);
  }
}

/**
 * After the decisions: per-deployment counts (planned launches count as pending), retire old
 * deployments with no task left, complete the PRIMARY when it holds exactly the desired
 * healthy tasks alone, and report steady state on its edge (and every 6 h while it lasts).
 */
export function finishPass(
  pass: Pass,
  desired: number,
  start: StartAction[],
  stop: StopAction[],
  extraRequeue: number[] = [],
): ReconcileResult {
  const { svc, now, p, mem, events, primary } = pass;
  const stopping = new Set(stop.map((s) => s.taskArn));
  const planned = new Map<string, number>();
  for (const s of start) planned.set(s.deploymentId, (planned.get(s.deploymentId) ?? 0) + s.count);

  const dropped: DeploymentState[] = [];
  const kept: DeploymentState[] = [];
  for (const d of pass.deployments) {
    const tasks = pass.tasksOf(d.id);
    const live = tasks.filter((t) => isLive(t) && !stopping.has(t.taskArn));
    const running = tasks.filter((t) => isOccupying(t) && isRunning(t)).length;
    const pending = live.filter((t) => !isRunning(t)).length + (planned.get(d.id) ?? 0);
    const want = d === primary ? desired : live.length;
    if (d.runningCount !== running || d.pendingCount !== pending || d.desiredCount !== want) d.updatedAt = now;
    d.runningCount = running;
    d.pendingCount = pending;
    d.desiredCount = want;
    const occupying = tasks.some(isOccupying) || (planned.get(d.id) ?? 0) > 0;
    if (d !== primary && !occupying) {
      d.finishedAt ??= now;
      d.desiredCount = 0;
      dropped.push(d);
    } else kept.push(d);
  }
  // Tasks of deployments no longer listed still hold slots but belong to no deployment.
  const orphansLeft = pass.tasksOf("").some(isOccupying);

  const primaryTasks = pass.tasksOf(primary.id);
  const primaryOccupying = primaryTasks.filter(isOccupying).length;
  const primaryHealthy = primaryTasks.filter((t) => isHealthy(t, now, p)).length;
  const settled =
    kept.length === 1 &&
    !orphansLeft &&
    start.length === 0 &&
    stop.length === 0 &&
    primaryOccupying === desired &&
    primaryHealthy === desired;

  // With deployment alarms, a settled deployment bakes (its alarms still watched) before it completes.
  const baking = bakeRemainingMs(svc, primary, settled, now);
  const completing = settled && baking === 0 && primary.rolloutState === "IN_PROGRESS";
  if (completing) {
    primary.rolloutState = "COMPLETED";
    primary.rolloutStateReason = rolloutReason.completed(primary.id);
    primary.finishedAt = now;
    primary.updatedAt = now;
    primary.breakerFailures = 0;
    events.push(msg.deploymentCompleted(svc.serviceName, primary.id));
    mem.lastCompleted = { ...primary };
  }
  const steady = settled && primary.rolloutState === "COMPLETED";
  if (steady && (completing || !mem.steady || now - (mem.lastSteadyEventAt ?? 0) >= p.steadyEventEveryMs)) {
    events.push(msg.steadyState(svc.serviceName));
    mem.lastSteadyEventAt = now;
  }
  mem.steady = steady;

  // Time-based transitions: tasks turning healthy by age, the throttle lifting, polling a rollout.
  const waits: number[] = [...extraRequeue];
  if (baking > 0) waits.push(baking);
  for (const t of pass.observed) {
    if (!isLive(t) || !isRunning(t) || t.hasHealthCheck || t.startedAt === undefined) continue;
    const at = t.startedAt + p.healthyAfterMs;
    if (at > now) waits.push(at - now);
  }
  if (mem.nextStartAt !== undefined && mem.nextStartAt > now) waits.push(mem.nextStartAt - now);
  // Protection expiring may let a held scale-in or replacement proceed.
  for (const t of pass.observed) if (isLive(t) && t.protectedUntil !== undefined && t.protectedUntil > now) waits.push(t.protectedUntil - now);
  if (!steady) waits.push(p.pollMs);
  if (steady) waits.push(Math.max(1, (mem.lastSteadyEventAt ?? now) + p.steadyEventEveryMs - now));
  const requeueAfterMs = waits.length > 0 ? Math.max(1, Math.min(...waits)) : undefined;

  return {
    start,
    stop,
    deployments: kept,
    dropped,
    scheduler: mem,
    events,
    ...(pass.tripped ? { circuitBreakerTripped: pass.tripped } : {}),
    ...(pass.failed ? { failed: pass.failed } : {}),
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
    steady,
  };
}
