import type { ServiceDeployment, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import type { Principal } from "../core/arn.js";
import { breakerThreshold } from "../core/service/health.js";
import { emptyTimeline, foldTimeline, summarizeTimeline } from "../core/service/timeline.js";
import type { DeploymentState, ObservedTask, ReconcileResult, StopAction } from "../core/service/types.js";
import { epochSeconds } from "../core/time.js";
import { MAX_HISTORY, serviceDeploymentArn, serviceRevisionArn, type DeploymentRecord, type ServiceDoc } from "./service-doc.js";

/**
 * Service deployments (ListServiceDeployments / DescribeServiceDeployments): one record per
 * deployment a user started (CreateService, UpdateService), following it through ECS's
 * ServiceDeploymentStatus: IN_PROGRESS → SUCCESSFUL, or STOPPED when superseded or failed
 * without rollback, or ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED when the
 * circuit breaker, its deployment alarms or StopServiceDeployment rolled it back (a stop first
 * shows ROLLBACK_REQUESTED, set by the API, until the scheduler's next pass). A rollback's own deployment has no record of its own.
 */

export function newRecord(p: Principal, doc: ServiceDoc, d: DeploymentState, clusterName: string): DeploymentRecord {
  const sources = doc.wharf.deployments.filter((x) => x.id !== d.id);
  return {
    deploymentId: d.id,
    serviceDeploymentArn: serviceDeploymentArn(p, clusterName, doc.serviceName, d.id),
    targetRevisionArn: serviceRevisionArn(p, clusterName, doc.serviceName, d.id),
    taskDefinition: d.taskDefinition,
    sourceRevisionArns: sources.map((s) => serviceRevisionArn(p, clusterName, doc.serviceName, s.id)),
    status: "PENDING",
    createdAt: d.createdAt,
    updatedAt: d.createdAt,
    deploymentConfiguration: doc.deploymentConfiguration ?? {},
    desiredCount: d.desiredCount,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
  };
}

/** Prepends a record, bounded. */
export const withRecord = (history: DeploymentRecord[], r: DeploymentRecord) => [r, ...history].slice(0, MAX_HISTORY);

/** Follows the records after a scheduler pass (or an UpdateService that superseded one). */
export function syncHistory(
  history: DeploymentRecord[],
  result: Pick<ReconcileResult, "deployments" | "dropped">,
  breaker: { enable: boolean; rollback: boolean } | undefined,
  desiredCount: number,
  nowMs: number,
): DeploymentRecord[] {
  const all = new Map([...result.dropped, ...result.deployments].map((d) => [d.id, d]));
  const primary = result.deployments[0];
  return history.map((rec) => {
    if (isFinal(rec.status)) return rec;
    const d = all.get(rec.deploymentId);
    const r: DeploymentRecord = { ...rec, updatedAt: nowMs };
    if (r.sourceRevisionArns.length > 0) r.sourceCounts = sourceCounts(r, all);
    if (d) {
      r.desiredCount = d.desiredCount;
      r.runningCount = d.runningCount;
      r.pendingCount = d.pendingCount;
      r.failedTasks = d.failedTasks;
      r.startedAt ??= d.startedAt ?? nowMs;
      if (d.triggeredAlarms?.length) r.triggeredAlarms = d.triggeredAlarms;
      const breakerTripped = d.rolloutState === "FAILED" && (d.failedBy ?? "circuitBreaker") === "circuitBreaker";
      r.circuitBreaker = breaker?.enable
        ? {
            status: breakerTripped ? "TRIGGERED" : d.rolloutState === "IN_PROGRESS" ? "MONITORING" : "MONITORING_COMPLETE",
            failureCount: d.failedTasks,
            threshold: breakerThreshold(desiredCount),
          }
        : { status: "DISABLED", failureCount: 0, threshold: breakerThreshold(desiredCount) };
    }
    if (r.rollback) {
      // Follows the rollback deployment that restores the previous revision.
      const rbId = r.rollback.deploymentId;
      const rb = rbId !== undefined ? all.get(rbId) : [...all.values()].find((x) => x.rollbackOf !== undefined && x.createdAt >= r.rollback!.startedAt);
      if (rb && (rb.rolloutState === "IN_PROGRESS")) r.lifecycleStage = stageOf(rb, r);
      if (rb?.rolloutState === "COMPLETED") return { ...r, status: "ROLLBACK_SUCCESSFUL", finishedAt: nowMs };
      if (rb?.rolloutState === "FAILED") return { ...r, status: "ROLLBACK_FAILED", finishedAt: nowMs };
      if (!rb || (primary && primary.id !== rb.id)) return { ...r, status: "STOPPED", stoppedAt: nowMs };
      return { ...r, status: "ROLLBACK_IN_PROGRESS" };
    }
    if (!d) return { ...r, status: "STOPPED", stoppedAt: nowMs, statusReason: "The deployment was superseded by a newer deployment." };
    if (d.rolloutState === "COMPLETED") return { ...r, status: "SUCCESSFUL", finishedAt: d.finishedAt ?? nowMs, statusReason: d.rolloutStateReason };
    if (d.rolloutState === "FAILED") {
      const rb = result.deployments.find((x) => x.rollbackOf !== undefined && x.createdAt >= (d.finishedAt ?? 0));
      if (rb) {
        return {
          ...r,
          status: "ROLLBACK_IN_PROGRESS",
          statusReason: d.rolloutStateReason,
          rollback: {
            reason: rb.rolloutStateReason,
            startedAt: rb.createdAt,
            deploymentId: rb.id,
            serviceRevisionArn: r.sourceRevisionArns.find((a) => a.endsWith(`/${rb.rollbackOf!.replace("ecs-svc/", "")}`)) ?? r.targetRevisionArn.replace(/\/\d+$/, `/${rb.rollbackOf!.replace("ecs-svc/", "")}`),
          },
        };
      }
      return { ...r, status: "STOPPED", stoppedAt: nowMs, statusReason: d.rolloutStateReason };
    }
    if (d.status !== "PRIMARY" && !result.deployments.some((x) => x.rollbackOf && x.id === primary?.id)) {
      return { ...r, status: "STOPPED", stoppedAt: nowMs, statusReason: "The deployment was superseded by a newer deployment." };
    }
    return { ...r, status: "IN_PROGRESS", lifecycleStage: stageOf(d, r) };
  });
}

/** Source revisions' task counts: what their deployments hold now (nothing once they are gone). */
function sourceCounts(r: DeploymentRecord, all: Map<string, DeploymentState>): NonNullable<DeploymentRecord["sourceCounts"]> {
  const out: NonNullable<DeploymentRecord["sourceCounts"]> = {};
  for (const arn of r.sourceRevisionArns) {
    const d = all.get(deploymentIdOfRevision(arn));
    out[arn] = d ? { requested: d.desiredCount, running: d.runningCount, pending: d.pendingCount } : { requested: 0, running: 0, pending: 0 };
  }
  return out;
}

/**
 * A rolling deployment's lifecycle stage: SCALE_UP while the target revision is short of its
 * requested tasks, CLEAN_UP once it has them all running and source revisions still hold tasks.
 */
function stageOf(d: DeploymentState, r: DeploymentRecord): string {
  const sourcesLeft = Object.values(r.sourceCounts ?? {}).some((c) => c.running + c.pending > 0);
  return d.runningCount >= d.desiredCount && d.pendingCount === 0 && sourcesLeft ? "CLEAN_UP" : "SCALE_UP";
}

/** `…:service-revision/CLUSTER/SERVICE/<digits>` → the deployment id `ecs-svc/<digits>`. */
export const deploymentIdOfRevision = (arn: string) => `ecs-svc/${arn.slice(arn.lastIndexOf("/") + 1)}`;

const isFinal = (s: string) => ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"].includes(s);

const sec = (ms: number | undefined) => (ms === undefined ? undefined : (epochSeconds(ms) as unknown as Date));

export function renderBrief(doc: ServiceDoc, r: DeploymentRecord): ServiceDeploymentBrief {
  return strip({
    serviceDeploymentArn: r.serviceDeploymentArn,
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    createdAt: sec(r.createdAt),
    startedAt: sec(r.startedAt),
    finishedAt: sec(r.finishedAt),
    targetServiceRevisionArn: r.targetRevisionArn,
    status: r.status as ServiceDeploymentBrief["status"],
    statusReason: r.statusReason,
  });
}

export function renderServiceDeployment(doc: ServiceDoc, r: DeploymentRecord): ServiceDeployment {
  return strip({
    serviceDeploymentArn: r.serviceDeploymentArn,
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    createdAt: sec(r.createdAt),
    startedAt: sec(r.startedAt),
    finishedAt: sec(r.finishedAt),
    stoppedAt: sec(r.stoppedAt),
    updatedAt: sec(r.updatedAt),
    sourceServiceRevisions: r.sourceRevisionArns.map((arn) => {
      const c = r.sourceCounts?.[arn];
      return c ? { arn, requestedTaskCount: c.requested, runningTaskCount: c.running, pendingTaskCount: c.pending } : { arn };
    }),
    targetServiceRevision: {
      arn: r.targetRevisionArn,
      requestedTaskCount: r.desiredCount,
      runningTaskCount: r.runningCount,
      pendingTaskCount: r.pendingCount,
    },
    status: r.status as ServiceDeployment["status"],
    statusReason: r.statusReason,
    lifecycleStage: r.lifecycleStage as ServiceDeployment["lifecycleStage"],
    deploymentConfiguration: r.deploymentConfiguration as ServiceDeployment["deploymentConfiguration"],
    alarms: alarmsOf(r),
    ...(r.rollback
      ? { rollback: { reason: r.rollback.reason, startedAt: sec(r.rollback.startedAt), serviceRevisionArn: r.rollback.serviceRevisionArn } }
      : {}),
    ...(r.circuitBreaker ? { deploymentCircuitBreaker: r.circuitBreaker as ServiceDeployment["deploymentCircuitBreaker"] } : {}),
  });
}

/**
 * CloudWatch alarm monitoring as ECS reports it: DISABLED unless the deployment configuration
 * enables alarms; TRIGGERED (with the alarms that were in ALARM) once they failed the deployment;
 * MONITORING while it runs (bake time included), MONITORING_COMPLETE after.
 */
function alarmsOf(r: DeploymentRecord): NonNullable<ServiceDeployment["alarms"]> {
  const cfg = (r.deploymentConfiguration as { alarms?: { enable?: boolean; alarmNames?: string[] } }).alarms;
  if (!cfg?.enable) return { status: "DISABLED" };
  const alarmNames = cfg.alarmNames ?? [];
  if (r.triggeredAlarms?.length) return { status: "TRIGGERED", alarmNames, triggeredAlarmNames: r.triggeredAlarms };
  const done = isFinal(r.status) || r.status === "ROLLBACK_IN_PROGRESS";
  return { status: done ? "MONITORING_COMPLETE" : "MONITORING", alarmNames, triggeredAlarmNames: [] };
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** How many of the newest records keep their per-task timeline; older ones keep its summary. */
export const DETAILED_TIMELINES = 5;

/** What one scheduler pass saw and did, for the deployment timelines. */
export interface TimelinePass {
  observed: readonly ObservedTask[];
  /** Task ARNs launched this pass, by deployment id. */
  launched: ReadonlyMap<string, readonly string[]>;
  /** Stops issued this pass, each with the deployment its task belonged to. */
  stops: readonly (StopAction & { deploymentId: string })[];
  /** The PRIMARY deployment of the pass: its record owns the stops. */
  primaryId?: string;
  now: number;
  healthyAfterMs: number;
}

/**
 * Folds a pass into the records' timelines (src/core/service/timeline.ts). A record follows its
 * own deployment's tasks and, after a circuit-breaker rollback, the rollback deployment's; a
 * finished record adds no task but keeps learning about the ones it has. Records beyond the
 * newest DETAILED_TIMELINES keep only a summary, so the service document stays small.
 */
export function recordTimelines(history: DeploymentRecord[], pass: TimelinePass): DeploymentRecord[] {
  return history.map((r, i) => {
    if (i >= DETAILED_TIMELINES) {
      if (!r.timeline) return r;
      const { timeline, ...rest } = r;
      return { ...rest, timelineSummary: summarizeTimeline(timeline, pass.now, spanOf(r)) };
    }
    const ids = new Set([r.deploymentId, ...(r.rollback?.deploymentId ? [r.rollback.deploymentId] : [])]);
    const open = !isFinal(r.status);
    const owns = pass.primaryId !== undefined && ids.has(pass.primaryId);
    const launched = [...ids].flatMap((id) => pass.launched.get(id) ?? []);
    const before = r.timeline ?? emptyTimeline();
    const tl = foldTimeline(
      before,
      ids,
      pass.observed,
      { now: pass.now, launched, stops: open && owns ? pass.stops : [], addTasks: open },
      { healthyAfterMs: pass.healthyAfterMs },
    );
    return tl === before && r.timeline ? r : { ...r, timeline: tl };
  });
}

/** A record's start and end (ms) for timeline summaries. */
export const spanOf = (r: DeploymentRecord) => ({
  startedAt: r.startedAt ?? r.createdAt,
  ...(r.finishedAt ?? r.stoppedAt ? { finishedAt: (r.finishedAt ?? r.stoppedAt)! } : {}),
});
