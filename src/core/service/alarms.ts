import { msg, rolloutReason } from "./messages.js";
import type { DeploymentState, ReconcileParams, SchedulerMemory, ServiceState } from "./types.js";

/**
 * Deployment alarms (`deploymentConfiguration.alarms`), StopServiceDeployment, and the rollback
 * they share with the circuit breaker. Pure: the controller reads the alarms' states (through
 * src/contracts/metric-alarms.ts) and hands them in as `ServiceState.alarms`.
 */

/** One alarm as the scheduler needs it. */
export interface AlarmFacts {
  name: string;
  state: string;
  /** The alarm's Period (s) and EvaluationPeriods; metric-math alarms may have no Period. */
  periodS?: number;
  evaluationPeriods: number;
}

/**
 * The bake time: how long after a deployment reaches steady state its alarms are still watched
 * before it is COMPLETED. ECS computes it from the alarms' configuration without publishing how;
 * Wharf takes the longest `Period × EvaluationPeriods` of the named alarms (60 s Period when an
 * alarm has none), i.e. the time an alarm needs to see a full evaluation window of the new tasks.
 */
export function bakeTimeMs(alarms: readonly AlarmFacts[]): number {
  return Math.max(0, ...alarms.map((a) => (a.periodS ?? 60) * a.evaluationPeriods * 1000));
}

/** What the scheduler is told about the service's deployment alarms on one pass. */
export function observeAlarms(names: readonly string[], facts: readonly AlarmFacts[]): { inAlarm: string[]; bakeMs: number } {
  const wanted = new Set(names);
  const mine = facts.filter((f) => wanted.has(f.name));
  return { inAlarm: mine.filter((f) => f.state === "ALARM").map((f) => f.name).sort(), bakeMs: bakeTimeMs(mine) };
}

/**
 * The alarms that trigger the PRIMARY deployment now. An alarm already in ALARM when the
 * deployment starts is ignored (ECS ignores alarms that are in ALARM before the deployment) until
 * it leaves ALARM; after that, its return to ALARM counts. Updates `primary.alarmsIgnored`.
 */
export function triggeredAlarms(svc: ServiceState, primary: DeploymentState): string[] {
  const cfg = svc.deploymentConfiguration.alarms;
  if (!cfg?.enable || primary.rolloutState !== "IN_PROGRESS") return [];
  const inAlarm = svc.alarms?.inAlarm ?? [];
  if (primary.alarmsIgnored === undefined) {
    primary.alarmsIgnored = [...inAlarm];
    return [];
  }
  const ignored = new Set(primary.alarmsIgnored);
  primary.alarmsIgnored = primary.alarmsIgnored.filter((n) => inAlarm.includes(n));
  return inAlarm.filter((n) => !ignored.has(n) && cfg.alarmNames.includes(n));
}

export type FailureCause = "circuitBreaker" | "alarms" | "user";

/** Everything a failure and its rollback change, on the pass's own copies. */
export interface FailureScope {
  svc: ServiceState;
  deployments: DeploymentState[];
  mem: SchedulerMemory;
  events: string[];
  p: ReconcileParams;
  now: number;
}

/**
 * Marks the PRIMARY FAILED for `cause` and, when `rollback` and a COMPLETED deployment to go back
 * to exist, starts the rollback deployment (ECS starts a new deployment from the last COMPLETED
 * one's revision; that target is not eligible for another rollback until a deployment completes
 * again). Answers the new PRIMARY (the rollback deployment, or the failed one).
 */
export function failPrimary(
  s: FailureScope,
  primary: DeploymentState,
  cause: FailureCause,
  rollback: boolean,
  triggered: string[] = [],
): { primary: DeploymentState; rollbackTo?: string } {
  const { svc, now, mem } = s;
  primary.rolloutState = "FAILED";
  primary.rolloutStateReason =
    cause === "circuitBreaker" ? rolloutReason.failed() : cause === "alarms" ? rolloutReason.alarmsFailed(triggered) : rolloutReason.stopped();
  primary.finishedAt = now;
  primary.updatedAt = now;
  primary.failedBy = cause;
  if (triggered.length > 0) primary.triggeredAlarms = triggered;
  s.events.push(
    cause === "circuitBreaker"
      ? msg.deploymentFailed(svc.serviceName, primary.id)
      : cause === "alarms"
        ? msg.deploymentFailedAlarms(svc.serviceName, primary.id, triggered)
        : msg.deploymentStopped(svc.serviceName, primary.id),
  );
  const target = mem.lastCompleted;
  if (!rollback || !target || target.id === primary.id) return { primary };
  const restored: DeploymentState = {
    ...target,
    id: s.p.newDeploymentId(),
    status: "PRIMARY",
    desiredCount: svc.desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: rolloutReason.rollingBack(target.id, cause),
    createdAt: now,
    updatedAt: now,
    breakerFailures: 0,
    rollbackOf: target.id,
    startedAt: now,
  };
  for (const k of ["lastFailureAt", "finishedAt", "failedBy", "triggeredAlarms", "alarmsIgnored", "bakeStartedAt"] as const) delete restored[k];
  primary.status = "ACTIVE";
  s.deployments.unshift(restored);
  s.events.push(msg.rollingBack(svc.serviceName, target.id));
  delete mem.lastCompleted;
  mem.throttleDeploymentId = restored.id;
  mem.startFailureStreak = 0;
  delete mem.nextStartAt;
  return { primary: restored, rollbackTo: target.id };
}

/**
 * Bake time bookkeeping for a settled PRIMARY that is still IN_PROGRESS: answers how long it must
 * still bake (0 = it may complete now). Without enabled alarms there is no bake time.
 */
export function bakeRemainingMs(svc: ServiceState, primary: DeploymentState, settled: boolean, now: number): number {
  const cfg = svc.deploymentConfiguration.alarms;
  if (primary.rolloutState !== "IN_PROGRESS") return 0;
  if (!settled) {
    delete primary.bakeStartedAt;
    return 0;
  }
  if (!cfg?.enable) return 0;
  primary.bakeStartedAt ??= now;
  return Math.max(0, primary.bakeStartedAt + (svc.alarms?.bakeMs ?? 0) - now);
}
