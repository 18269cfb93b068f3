import { healthySince, isHealthy } from "./health.js";
import type { ObservedTask, ReconcileParams, StopAction } from "./types.js";

/**
 * The deployment timeline: for each task a deployment launched, when it was asked for,
 * placed, pulled, started and became healthy (or stopped), and for each task the scheduler
 * stopped while the deployment was rolling out (the old deployment's tasks, mostly), when the
 * stop was asked for and when the task was STOPPED. ECS keeps none of this; `wharf
 * deployments` shows it with the phase that cost most. Pure: times are epoch milliseconds
 * and come in from the caller.
 */

/** Tasks kept per deployment (the most recent ones), and stopped tasks likewise. */
export const MAX_TIMELINE_TASKS = 100;

export interface TaskTimeline {
  taskArn: string;
  containerInstanceArn?: string;
  /** The scheduler pass that decided to launch it (absent for tasks it did not see launched). */
  requestedAt?: number;
  /** The task record was written: placed on an instance (RunTask). */
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  /** RUNNING. */
  startedAt?: number;
  /** Counted as healthy: its health check passed (seen then), or the healthy-after rule. */
  healthyAt?: number;
  healthBy?: "HEALTH_CHECK" | "HEALTHY_AFTER";
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
}

export interface StoppedByDeployment {
  taskArn: string;
  /** The deployment the task belonged to (an older one, unless `cause` says otherwise). */
  deploymentId: string;
  cause: StopAction["cause"];
  stopRequestedAt: number;
  stoppedAt?: number;
}

export interface DeploymentTimeline {
  tasks: TaskTimeline[];
  stopped: StoppedByDeployment[];
  /** Entries dropped to stay within MAX_TIMELINE_TASKS. */
  droppedTasks?: number;
}

export const emptyTimeline = (): DeploymentTimeline => ({ tasks: [], stopped: [] });

/**
 * Folds what the scheduler observed this pass into a deployment's timeline. `launched` are the
 * tasks this deployment's pass started (with the pass time), `stops` the stops it issued.
 * Existing entries only gain facts (a time once known is kept); `addTasks` false (a finished
 * deployment) updates known entries and adds none.
 */
export function foldTimeline(
  tl: DeploymentTimeline,
  deploymentIds: ReadonlySet<string>,
  observed: readonly ObservedTask[],
  pass: { now: number; launched?: readonly string[]; stops?: readonly (StopAction & { deploymentId: string })[]; addTasks?: boolean },
  p: Pick<ReconcileParams, "healthyAfterMs">,
): DeploymentTimeline {
  const byArn = new Map(observed.map((t) => [t.taskArn, t]));
  const tasks = new Map(tl.tasks.map((e) => [e.taskArn, e]));
  const launched = new Set(pass.launched ?? []);
  let changed = false;
  const addTasks = pass.addTasks ?? true;

  for (const t of observed) {
    if (!deploymentIds.has(t.deploymentId)) continue;
    const prev = tasks.get(t.taskArn);
    if (!prev && !addTasks) continue;
    const next = withFacts(prev ?? { taskArn: t.taskArn, createdAt: t.createdAt }, t, pass.now, p);
    if (!prev && launched.has(t.taskArn)) next.requestedAt = pass.now;
    if (!prev || JSON.stringify(prev) !== JSON.stringify(next)) {
      tasks.set(t.taskArn, next);
      changed = true;
    }
  }
  // Tasks launched this pass that the observation predates (it was read before the launch).
  for (const arn of launched) {
    if (tasks.has(arn) || !addTasks) continue;
    tasks.set(arn, { taskArn: arn, requestedAt: pass.now, createdAt: pass.now });
    changed = true;
  }

  const stopped = new Map(tl.stopped.map((s) => [s.taskArn, s]));
  for (const s of pass.stops ?? []) {
    if (stopped.has(s.taskArn) || !addTasks) continue;
    stopped.set(s.taskArn, { taskArn: s.taskArn, deploymentId: s.deploymentId, cause: s.cause, stopRequestedAt: pass.now });
    changed = true;
  }
  for (const [arn, s] of stopped) {
    const t = byArn.get(arn);
    if (s.stoppedAt === undefined && t?.lastStatus === "STOPPED") {
      stopped.set(arn, { ...s, stoppedAt: t.stoppedAt ?? pass.now });
      changed = true;
    }
  }
  if (!changed) return tl;
  const keptTasks = [...tasks.values()].sort((a, b) => a.createdAt - b.createdAt);
  const keptStops = [...stopped.values()].sort((a, b) => a.stopRequestedAt - b.stopRequestedAt);
  const dropped = Math.max(0, keptTasks.length - MAX_TIMELINE_TASKS) + Math.max(0, keptStops.length - MAX_TIMELINE_TASKS);
  return {
    tasks: keptTasks.slice(-MAX_TIMELINE_TASKS),
    stopped: keptStops.slice(-MAX_TIMELINE_TASKS),
    ...((tl.droppedTasks ?? 0) + dropped > 0 ? { droppedTasks: (tl.droppedTasks ?? 0) + dropped } : {}),
  };
}

function withFacts(e: TaskTimeline, t: ObservedTask, now: number, p: Pick<ReconcileParams, "healthyAfterMs">): TaskTimeline {
  const n: TaskTimeline = { ...e };
  n.createdAt = t.createdAt; // the task record is the truth (an entry made at launch only guessed)
  if (t.containerInstanceArn) n.containerInstanceArn ??= t.containerInstanceArn;
  if (t.pullStartedAt !== undefined) n.pullStartedAt ??= t.pullStartedAt;
  if (t.pullStoppedAt !== undefined) n.pullStoppedAt ??= t.pullStoppedAt;
  if (t.startedAt !== undefined) n.startedAt ??= t.startedAt;
  if (n.healthyAt === undefined && isHealthy(t, now, p)) {
    // A health check's HEALTHY is seen when the agent reports it (the pass follows at once);
    // the healthy-after rule gives the exact moment.
    n.healthyAt = t.hasHealthCheck ? now : (healthySince(t, p) ?? now);
    n.healthBy = t.hasHealthCheck ? "HEALTH_CHECK" : "HEALTHY_AFTER";
  }
  if (t.lastStatus === "STOPPED" && n.stoppedAt === undefined) {
    n.stoppedAt = t.stoppedAt ?? now;
    if (t.stopCode) n.stopCode = t.stopCode;
    if (t.stoppedReason) n.stoppedReason = t.stoppedReason;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Summary: where the time went.

export type PhaseName = "placement" | "pull" | "start" | "health" | "draining";
export const PHASES: readonly PhaseName[] = ["placement", "pull", "start", "health", "draining"];

export interface PhaseSummary {
  phase: PhaseName;
  /** Wall-clock time during which at least one task was in this phase (ms). */
  wallMs: number;
  /** Tasks that went through (or are in) the phase. */
  tasks: number;
  medianMs: number;
  maxMs: number;
  /** The phase is still going for some task (its end is `now`). */
  ongoing: boolean;
}

export interface TimelineSummary {
  phases: PhaseSummary[];
  /** The phase with the most wall-clock time, when any took time. */
  costliest?: PhaseName;
  /** Tasks that stopped before they were counted healthy. */
  failedTasks: number;
  healthyTasks: number;
  /** Deployment start → finish (or now), ms. */
  totalMs?: number;
}

type Interval = [number, number];

/** Each task's interval in each phase: see docs/services.md "Deployment timeline". */
export function phaseIntervals(tl: DeploymentTimeline, now: number): Record<PhaseName, { iv: Interval; ongoing: boolean }[]> {
  const out: Record<PhaseName, { iv: Interval; ongoing: boolean }[]> = { placement: [], pull: [], start: [], health: [], draining: [] };
  const push = (phase: PhaseName, from: number | undefined, to: number | undefined) => {
    if (from === undefined) return;
    out[phase].push({ iv: [from, Math.max(from, to ?? now)], ongoing: to === undefined });
  };
  for (const t of tl.tasks) {
    const end = t.stoppedAt;
    // placement: asked for → the agent begins (pull), or runs, or the task ends.
    push("placement", t.requestedAt ?? t.createdAt, t.pullStartedAt ?? t.startedAt ?? end);
    if (t.pullStartedAt !== undefined) push("pull", t.pullStartedAt, t.pullStoppedAt ?? t.startedAt ?? end);
    // start: images ready → RUNNING (create, dependsOn, start, report).
    const ready = t.pullStoppedAt ?? t.pullStartedAt;
    if (ready !== undefined) push("start", ready, t.startedAt ?? end);
    if (t.startedAt !== undefined) push("health", t.startedAt, t.healthyAt ?? end);
  }
  for (const s of tl.stopped) push("draining", s.stopRequestedAt, s.stoppedAt);
  return out;
}

/** Length of the union of intervals. */
export function unionMs(ivs: readonly Interval[]): number {
  const sorted = [...ivs].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: Interval | undefined;
  for (const [a, b] of sorted) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function summarizeTimeline(tl: DeploymentTimeline, now: number, span?: { startedAt?: number; finishedAt?: number }): TimelineSummary {
  const iv = phaseIntervals(tl, now);
  const phases = PHASES.map((phase): PhaseSummary => {
    const list = iv[phase];
    const lengths = list.map((x) => x.iv[1] - x.iv[0]);
    return {
      phase,
      wallMs: unionMs(list.map((x) => x.iv)),
      tasks: list.length,
      medianMs: median(lengths),
      maxMs: lengths.length ? Math.max(...lengths) : 0,
      ongoing: list.some((x) => x.ongoing),
    };
  });
  const top = [...phases].sort((a, b) => b.wallMs - a.wallMs)[0];
  const failedTasks = tl.tasks.filter((t) => t.stoppedAt !== undefined && t.healthyAt === undefined).length;
  const healthyTasks = tl.tasks.filter((t) => t.healthyAt !== undefined).length;
  return {
    phases,
    ...(top && top.wallMs > 0 ? { costliest: top.phase } : {}),
    failedTasks,
    healthyTasks,
    ...(span?.startedAt !== undefined ? { totalMs: (span.finishedAt ?? now) - span.startedAt } : {}),
  };
}
