import { newDeploymentId } from "../ids.js";
import { beginPass, countFailure, finishPass } from "./bookkeeping.js";
import { failingToStart, isHealthy, isProtected, isLive, isOccupying, isRunning, isUnhealthy, maxTasks, minHealthyTasks, unhealthyVerdict } from "./health.js";
import { msg, stopReason } from "./messages.js";
import {
  defaultParams,
  type ObservedTask,
  type ReconcileParams,
  type ReconcileResult,
  type ServiceState,
  type StopAction,
} from "./types.js";

/**
 * The REPLICA scheduler, one level-triggered pass: given the service (desired) and its tasks
 * (observed) at time `now`, decide what to launch and what to stop so that the PRIMARY
 * deployment converges on `desiredCount` healthy tasks, within ECS's bounds:
 *
 * - healthy tasks never drop below ceil(desired × minimumHealthyPercent / 100) by the
 *   scheduler's own doing (failures can push them lower; then it stops no healthy task);
 * - tasks not yet STOPPED never exceed floor(desired × maximumPercent / 100) through launches;
 * - replacements (for old-deployment, unhealthy or draining tasks) are started first when
 *   maximumPercent leaves room, and old tasks are stopped as they become surplus or to make
 *   room, the minimum permitting.
 *
 * Pure: no I/O; time and new ids come in. The caller applies `start`/`stop` and persists
 * `deployments` and `scheduler` on the service. Started-task events need the task ids, so the
 * caller writes them (messages.ts `msg.startedTasks`); this writes every other event.
 */
export function reconcileService(
  desired: ServiceState,
  observed: ObservedTask[],
  now: number,
  params: Partial<ReconcileParams> = {},
): ReconcileResult {
  const p: ReconcileParams = { ...defaultParams(newDeploymentId), ...params };
  const pass = beginPass(desired, observed, now, p);
  const { primary } = pass;
  const cfg = desired.deploymentConfiguration;
  const D = desired.status === "ACTIVE" ? desired.desiredCount : 0;
  const minH = minHealthyTasks(D, cfg.minimumHealthyPercent);
  const maxTotal = maxTasks(D, cfg.maximumPercent);
  const name = desired.serviceName;

  const stop: StopAction[] = [];
  const stopped = new Set<string>();
  let healthy = observed.filter((t) => isHealthy(t, now, p)).length;
  const scaling = stopReason.scaling(primary.id);
  const doStop = (t: ObservedTask, cause: StopAction["cause"], reason = scaling) => {
    if (stopped.has(t.taskArn)) return;
    stopped.add(t.taskArn);
    if (isHealthy(t, now, p)) healthy--;
    stop.push({ taskArn: t.taskArn, reason, cause });
  };
  /** A healthy task may go only if the minimum still holds after it. */
  const mayStop = (t: ObservedTask) => !isHealthy(t, now, p) || healthy - 1 >= minH;

  const live = observed.filter(isLive);
  const total = observed.filter(isOccupying).length;

  // Service tasks still PENDING on a DRAINING instance are stopped at once.
  for (const t of live) if (t.onDrainingInstance && !isRunning(t)) doStop(t, "draining");

  const primaryLive = pass.tasksOf(primary.id).filter((t) => isLive(t) && !stopped.has(t.taskArn));
  const needsReplacement = (t: ObservedTask) => isUnhealthy(t, now, p) || t.onDrainingInstance === true;
  const primaryGood = primaryLive.filter((t) => !needsReplacement(t));
  const primaryBad = primaryLive.filter(needsReplacement);
  const old = live.filter((t) => t.deploymentId !== primary.id && !stopped.has(t.taskArn));

  // Launches: a FAILED (stalled) deployment and a throttled service launch nothing.
  const throttled = pass.mem.nextStartAt !== undefined && pass.mem.nextStartAt > now;
  // A primary task failing to start keeps its slot until it is STOPPED and the throttle counted it.
  const primaryFailing = pass.tasksOf(primary.id).filter(failingToStart).length;
  const want = Math.max(0, D - primaryGood.length - primaryFailing);
  const room = Math.max(0, maxTotal - total);
  const starts = primary.rolloutState === "FAILED" || throttled ? 0 : Math.min(want, room);
  const roomAfter = room - starts;
  const unmet = want - starts;

  // Unhealthy / draining PRIMARY tasks: once their replacements are healthy, or at once when
  // maximumPercent leaves no room to start replacements (then one by one within the minimum).
  const goodHealthy = primaryGood.filter((t) => isHealthy(t, now, p)).length;
  if (primaryBad.length > 0 && (goodHealthy >= D || roomAfter <= 0 || primary.rolloutState === "FAILED")) {
    for (const t of primaryBad) {
      if (!mayStop(t)) continue;
      if (isUnhealthy(t, now, p)) {
        if (!pass.mem.accounted.includes(t.taskArn)) {
          pass.mem.accounted.push(t.taskArn);
          countFailure(primary, now, now);
        }
        const why = unhealthyVerdict(name, t);
        pass.events.push(why.event);
        doStop(t, "unhealthy", why.reason);
      } else doStop(t, "draining");
    }
  }

  // Old-deployment tasks: stop the surplus (new tasks already cover them) or, when there is no
  // room to launch, enough to make room; cheapest first (pending, unhealthy, draining, young).
  const surplus = primaryGood.length + starts + old.length - D;
  let oldToStop = Math.min(old.length, Math.max(surplus, roomAfter <= 0 ? unmet : 0, 0));
  for (const t of rankForStop(old, now, p)) {
    if (oldToStop <= 0) break;
    // A protected task is not replaced before its protection expires: the deployment waits.
    if (!mayStop(t) || (isProtected(t, now) && !isUnhealthy(t, now, p))) continue;
    if (isUnhealthy(t, now, p)) {
      const why = unhealthyVerdict(name, t);
      pass.events.push(why.event);
      doStop(t, "unhealthy", why.reason);
    } else doStop(t, t.onDrainingInstance ? "draining" : "replaced");
    oldToStop--;
  }

  // Scale-in: PRIMARY tasks beyond the desired count.
  let excess = primaryGood.length - D;
  for (const t of rankForStop(primaryGood, now, p)) {
    if (excess <= 0) break;
    // Scale-in passes over protected tasks and stops others in their place.
    if (!mayStop(t) || isProtected(t, now)) continue;
    doStop(t, "scale-in");
    excess--;
  }

  if (stop.length > 0) {
    const arns = stop.map((s) => s.taskArn);
    pass.events.push(msg.stoppedTasks(name, arns));
  }
  const start = starts > 0 ? [{ deploymentId: primary.id, count: starts }] : [];
  return finishPass(pass, D, start, stop);
}

/** Order in which to give tasks up: not yet running, unhealthy, draining, not yet healthy, then newest healthy. */
export function rankForStop(tasks: ObservedTask[], now: number, p: Pick<ReconcileParams, "healthyAfterMs" | "healthCheckGraceMs">): ObservedTask[] {
  const rank = (t: ObservedTask) =>
    !isRunning(t) ? 0 : isUnhealthy(t, now, p) ? 1 : t.onDrainingInstance ? 2 : !isHealthy(t, now, p) ? 3 : 4;
  return [...tasks].sort((a, b) => rank(a) - rank(b) || (b.startedAt ?? b.createdAt) - (a.startedAt ?? a.createdAt));
}
