import { failingToStart, isHealthy, isLive, isOccupying, isRunning, isUnhealthy, unhealthyVerdict } from "./health.js";
import { msg } from "./messages.js";
import { rankForStop } from "./reconcile.js";
import { defaultParams, type ObservedTask, type ReconcileParams, type SchedulerMemory, type StartAction, type StopAction } from "./types.js";

/**
 * Task sets: the units an EXTERNAL deployment controller (CodeDeploy-less blue/green, Spinnaker,
 * a script) drives a service with. Each task set runs its own task definition, launch, network
 * and load balancers at `scale` percent of the service's desired count; the controller adds,
 * scales, promotes (PRIMARY) and deletes them, ECS keeps each at its computed count. Pure: the
 * service controller applies the answer as it applies the rolling scheduler's.
 */

export type TaskSetStatus = "PRIMARY" | "ACTIVE" | "DRAINING";
export type StabilityStatus = "STEADY_STATE" | "STABILIZING";

export interface TaskSetLoadBalancer {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
}

/** One task set as stored on its service (times in epoch ms, like the deployments). */
export interface TaskSetState {
  /** `ecs-svc/<19 digits>`; the task set's tasks carry it as `startedBy`. */
  id: string;
  taskSetArn: string;
  status: TaskSetStatus;
  taskDefinition: string;
  scale: { unit: "PERCENT"; value: number };
  computedDesiredCount: number;
  pendingCount: number;
  runningCount: number;
  stabilityStatus: StabilityStatus;
  stabilityStatusAt: number;
  createdAt: number;
  updatedAt: number;
  externalId?: string;
  clientToken?: string;
  requestHash?: string;
  launchType?: string;
  platformVersion?: string;
  capacityProviderStrategy?: unknown[];
  networkConfiguration?: unknown;
  loadBalancers: TaskSetLoadBalancer[];
  serviceRegistries: { registryArn?: string; port?: number; containerName?: string; containerPort?: number }[];
}

/**
 * ECS's computedDesiredCount: the service's desired count times the scale, always rounded up
 * (1.2 → 2). A DRAINING task set wants none.
 */
export function computedDesiredCount(desiredCount: number, ts: Pick<TaskSetState, "status" | "scale">): number {
  if (ts.status === "DRAINING") return 0;
  const exact = (desiredCount * ts.scale.value) / 100;
  // 33.3 % of 3 is 0.999…: the float noise must not make 1 task into 2.
  return Math.max(0, Math.ceil(Math.round(exact * 1e9) / 1e9));
}

export interface TaskSetPass {
  start: StartAction[];
  stop: StopAction[];
  /** The task sets with their new counts and stability; DRAINING ones with no task left are gone. */
  taskSets: TaskSetState[];
  /** Task sets that left this pass (deleted and drained). */
  dropped: TaskSetState[];
  scheduler: SchedulerMemory;
  events: string[];
  steady: boolean;
  requeueAfterMs?: number;
}

export interface TaskSetService {
  serviceName: string;
  /** ACTIVE, or DRAINING after DeleteService (then every task set wants 0). */
  status: string;
  desiredCount: number;
  taskSets: TaskSetState[];
  scheduler: SchedulerMemory;
}

/**
 * One level-triggered pass over an EXTERNAL service's task sets: each converges on its
 * computed count on its own (no minimumHealthyPercent / maximumPercent interplay between
 * them — moving traffic and capacity is the external controller's job): missing tasks are
 * started, unhealthy ones replaced once their replacements are healthy, the surplus stopped
 * (cheapest first), and tasks of no task set (a deleted one's) stopped.
 */
export function reconcileTaskSets(svc: TaskSetService, observed: ObservedTask[], now: number, params: Partial<ReconcileParams> = {}): TaskSetPass {
  const p: ReconcileParams = { ...defaultParams(() => ""), ...params };
  const D = svc.status === "ACTIVE" ? svc.desiredCount : 0;
  const name = svc.serviceName;
  const mem: SchedulerMemory = { ...svc.scheduler, accounted: [...svc.scheduler.accounted] };
  const events: string[] = [];
  const start: StartAction[] = [];
  const stop: StopAction[] = [];
  const stopping = new Set<string>();
  const doStop = (t: ObservedTask, cause: StopAction["cause"], reason: string) => {
    if (stopping.has(t.taskArn)) return;
    stopping.add(t.taskArn);
    stop.push({ taskArn: t.taskArn, reason, cause });
  };
  const ids = new Set(svc.taskSets.map((ts) => ts.id));

  // Tasks no task set owns any more are surplus.
  for (const t of observed) if (isLive(t) && !ids.has(t.deploymentId)) doStop(t, "scale-in", scalingReason(t.deploymentId));

  const taskSets: TaskSetState[] = [];
  const dropped: TaskSetState[] = [];
  let allSteady = true;
  for (const base of svc.taskSets) {
    const ts: TaskSetState = { ...base };
    const want = computedDesiredCount(D, ts);
    const tasks = observed.filter((t) => t.deploymentId === ts.id);
    const live = tasks.filter(isLive);
    const bad = live.filter((t) => isUnhealthy(t, now, p) || t.onDrainingInstance === true);
    const good = live.filter((t) => !bad.includes(t));
    const failing = tasks.filter(failingToStart).length;
    const reason = scalingReason(ts.id);

    const starts = Math.max(0, want - good.length - failing);
    // Unhealthy / draining tasks go once their replacements are healthy (or at once when none are wanted).
    const goodHealthy = good.filter((t) => isHealthy(t, now, p)).length;
    if (bad.length > 0 && (goodHealthy >= want || want === 0)) {
      for (const t of bad) {
        if (isUnhealthy(t, now, p)) {
          const why = unhealthyVerdict(name, t);
          events.push(why.event);
          doStop(t, "unhealthy", why.reason);
        } else doStop(t, "draining", reason);
      }
    }
    let excess = good.length - want;
    for (const t of rankForStop(good, now, p)) {
      if (excess <= 0) break;
      doStop(t, "scale-in", reason);
      excess--;
    }
    if (starts > 0) start.push({ deploymentId: ts.id, count: starts });

    const running = tasks.filter((t) => isOccupying(t) && isRunning(t)).length;
    const pending = live.filter((t) => !isRunning(t) && !stopping.has(t.taskArn)).length + starts;
    const healthy = live.filter((t) => !stopping.has(t.taskArn) && isHealthy(t, now, p)).length;
    const occupying = tasks.filter(isOccupying).length;
    const stable = starts === 0 && !tasks.some((t) => stopping.has(t.taskArn)) && occupying === want && healthy === want && pending === 0;
    const stability: StabilityStatus = stable ? "STEADY_STATE" : "STABILIZING";
    if (ts.computedDesiredCount !== want || ts.runningCount !== running || ts.pendingCount !== pending || ts.stabilityStatus !== stability) ts.updatedAt = now;
    if (ts.stabilityStatus !== stability) ts.stabilityStatusAt = now;
    ts.computedDesiredCount = want;
    ts.runningCount = running;
    ts.pendingCount = pending;
    ts.stabilityStatus = stability;
    if (!stable) allSteady = false;
    if (ts.status === "DRAINING" && occupying === 0 && starts === 0) dropped.push(ts);
    else taskSets.push(ts);
  }
  const orphans = observed.some((t) => isOccupying(t) && !ids.has(t.deploymentId));
  const steady = allSteady && !orphans && stop.length === 0 && start.length === 0;

  if (stop.length > 0) events.push(msg.stoppedTasks(name, stop.map((s) => s.taskArn)));
  if (steady && (!mem.steady || now - (mem.lastSteadyEventAt ?? 0) >= p.steadyEventEveryMs)) {
    events.push(msg.steadyState(name));
    mem.lastSteadyEventAt = now;
  }
  mem.steady = steady;
  const known = new Set(observed.map((t) => t.taskArn));
  mem.accounted = mem.accounted.filter((a) => known.has(a));

  const waits: number[] = [];
  for (const t of observed) {
    if (!isLive(t) || !isRunning(t) || t.hasHealthCheck || t.startedAt === undefined) continue;
    const at = t.startedAt + p.healthyAfterMs;
    if (at > now) waits.push(at - now);
  }
  waits.push(steady ? Math.max(1, (mem.lastSteadyEventAt ?? now) + p.steadyEventEveryMs - now) : p.pollMs);
  return { start, stop, taskSets, dropped, scheduler: mem, events, steady, requeueAfterMs: Math.max(1, Math.min(...waits)) };
}

/** ECS's stoppedReason for a task a task set no longer wants. */
const scalingReason = (taskSetId: string) => `Scaling activity initiated by (deployment ${taskSetId || "unknown"})`;

/** The task set's launch as the task port takes a deployment (its id is the tasks' `startedBy`). */
export function taskSetLaunch(ts: TaskSetState) {
  return {
    id: ts.id,
    status: "PRIMARY" as const,
    taskDefinition: ts.taskDefinition,
    desiredCount: ts.computedDesiredCount,
    pendingCount: ts.pendingCount,
    runningCount: ts.runningCount,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS" as const,
    rolloutStateReason: "",
    createdAt: ts.createdAt,
    updatedAt: ts.updatedAt,
    ...(ts.launchType ? { launchType: ts.launchType } : {}),
    ...(ts.platformVersion ? { platformVersion: ts.platformVersion } : {}),
    ...(ts.capacityProviderStrategy?.length ? { capacityProviderStrategy: ts.capacityProviderStrategy } : {}),
    ...(ts.networkConfiguration ? { networkConfiguration: ts.networkConfiguration } : {}),
  };
}
