import { newDeploymentId } from "../ids.js";
import { beginPass, countFailure, finishPass } from "./bookkeeping.js";
import { isLive, isOccupying, isRunning, isUnhealthy, unhealthyVerdict } from "./health.js";
import { msg, stopReason } from "./messages.js";
import { rankForStop } from "./reconcile.js";
import {
  defaultParams,
  type ObservedTask,
  type ReconcileParams,
  type ReconcileResult,
  type ServiceState,
  type StopAction,
} from "./types.js";

/** A container instance as the DAEMON scheduler sees it. */
export interface DaemonInstance {
  containerInstanceArn: string;
  /** ACTIVE, DRAINING, INACTIVE, … */
  status: string;
  /** The instance satisfies the service's placement constraints (and can fit the task). */
  eligible: boolean;
}

/**
 * The DAEMON scheduler, one pass: exactly one task of the PRIMARY deployment on every ACTIVE
 * instance that satisfies the constraints; tasks on DRAINING, deregistered or no longer
 * eligible instances are stopped. A new deployment replaces instance by instance, stopping
 * the old task before starting the new one (DAEMON's maximumPercent is 100). The service's
 * desired count is the number of eligible instances; `start` names the instances.
 */
export function reconcileDaemon(
  service: ServiceState,
  instances: DaemonInstance[],
  tasks: ObservedTask[],
  now: number,
  params: Partial<ReconcileParams> = {},
): ReconcileResult & { desiredCount: number } {
  const p: ReconcileParams = { ...defaultParams(newDeploymentId), ...params };
  const active = service.status === "ACTIVE";
  const eligible = active ? instances.filter((i) => i.status === "ACTIVE" && i.eligible) : [];
  const D = eligible.length;
  const pass = beginPass({ ...service, desiredCount: D }, tasks, now, p);
  const { primary } = pass;
  const name = service.serviceName;
  const scaling = stopReason.scaling(primary.id);
  const stop: StopAction[] = [];
  const stopped = new Set<string>();
  const doStop = (t: ObservedTask, cause: StopAction["cause"], reason = scaling) => {
    if (stopped.has(t.taskArn)) return;
    stopped.add(t.taskArn);
    stop.push({ taskArn: t.taskArn, reason, cause });
  };

  const eligibleArns = new Set(eligible.map((i) => i.containerInstanceArn));
  const byInstance = new Map<string, ObservedTask[]>();
  for (const t of tasks) {
    if (!isOccupying(t)) continue;
    const key = t.containerInstanceArn ?? "";
    byInstance.set(key, [...(byInstance.get(key) ?? []), t]);
  }
  // Tasks on instances that no longer qualify (or with no instance at all) go.
  for (const [arn, list] of byInstance) {
    if (eligibleArns.has(arn)) continue;
    for (const t of list) if (isLive(t)) doStop(t, "draining");
  }

  const throttled = pass.mem.nextStartAt !== undefined && pass.mem.nextStartAt > now;
  const canStart = !throttled && primary.rolloutState !== "FAILED";
  const startOn: string[] = [];
  for (const inst of eligible) {
    const here = byInstance.get(inst.containerInstanceArn) ?? [];
    const live = here.filter((t) => isLive(t) && !stopped.has(t.taskArn));
    const mine = live.filter((t) => t.deploymentId === primary.id);
    const others = live.filter((t) => t.deploymentId !== primary.id);
    for (const t of mine) {
      if (!isUnhealthy(t, now, p)) continue;
      if (!pass.mem.accounted.includes(t.taskArn)) {
        pass.mem.accounted.push(t.taskArn);
        countFailure(primary, now, now);
      }
      const why = unhealthyVerdict(name, t);
      pass.events.push(why.event);
      doStop(t, "unhealthy", why.reason);
    }
    const good = mine.filter((t) => !stopped.has(t.taskArn));
    // More than one of ours here: keep the best one.
    for (const t of rankForStop(good, now, p).slice(0, Math.max(0, good.length - 1))) doStop(t, "scale-in");
    if (good.length > 0) {
      for (const t of others) doStop(t, "replaced");
      continue;
    }
    if (others.length > 0 && primary.rolloutState !== "FAILED") {
      for (const t of others) doStop(t, "replaced");
      continue; // start once the old one is gone
    }
    const busy = here.some((t) => !isLive(t) || stopped.has(t.taskArn)); // still stopping
    if (!busy && others.length === 0 && canStart) startOn.push(inst.containerInstanceArn);
  }

  if (stop.length > 0) pass.events.push(msg.stoppedTasks(name, stop.map((s) => s.taskArn)));
  const start = startOn.length > 0 ? [{ deploymentId: primary.id, count: startOn.length, containerInstanceArns: startOn }] : [];
  const result = finishPass(pass, D, start, stop);
  return { ...result, desiredCount: D };
}

/** True when the task is RUNNING on the given instance (helper for callers and tests). */
export const runsOn = (t: ObservedTask, instanceArn: string) =>
  isRunning(t) && isLive(t) && t.containerInstanceArn === instanceArn;
