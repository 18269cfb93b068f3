import type { ServiceDeployment, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import type { Principal } from "../../core/arn.js";
import { breakerThreshold } from "../../core/service/health.js";
import type { DeploymentState, ReconcileResult } from "../../core/service/types.js";
import { epochSeconds } from "../../core/time.js";
import { MAX_HISTORY, serviceDeploymentArn, serviceRevisionArn, type DeploymentRecord, type ServiceDoc } from "./service-doc.js";

/**
 * Service deployments (ListServiceDeployments / DescribeServiceDeployments): one record per
 * deployment a user started (CreateService, UpdateService), following it through ECS's
 * ServiceDeploymentStatus: IN_PROGRESS → SUCCESSFUL, or STOPPED when superseded or failed
 * without rollback, or ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED when the
 * circuit breaker rolled it back. A rollback's own deployment has no record of its own.
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
    if (d) {
      r.desiredCount = d.desiredCount;
      r.runningCount = d.runningCount;
      r.pendingCount = d.pendingCount;
      r.failedTasks = d.failedTasks;
      r.startedAt ??= d.startedAt ?? nowMs;
      r.circuitBreaker = breaker?.enable
        ? {
            status: d.rolloutState === "FAILED" ? "TRIGGERED" : d.rolloutState === "COMPLETED" ? "MONITORING_COMPLETE" : "MONITORING",
            failureCount: d.failedTasks,
            threshold: breakerThreshold(desiredCount),
          }
        : { status: "DISABLED", failureCount: 0, threshold: breakerThreshold(desiredCount) };
    }
    if (r.rollback) {
      // Follows the rollback deployment that restores the previous revision.
      const rb = [...all.values()].find((x) => x.rollbackOf !== undefined && x.createdAt >= r.rollback!.startedAt);
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
            serviceRevisionArn: r.sourceRevisionArns.find((a) => a.endsWith(`/${rb.rollbackOf!.replace("ecs-svc/", "")}`)) ?? r.targetRevisionArn.replace(/\/\d+$/, `/${rb.rollbackOf!.replace("ecs-svc/", "")}`),
          },
        };
      }
      return { ...r, status: "STOPPED", stoppedAt: nowMs, statusReason: d.rolloutStateReason };
    }
    if (d.status !== "PRIMARY" && !result.deployments.some((x) => x.rollbackOf && x.id === primary?.id)) {
      return { ...r, status: "STOPPED", stoppedAt: nowMs, statusReason: "The deployment was superseded by a newer deployment." };
    }
    return { ...r, status: "IN_PROGRESS" };
  });
}

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
    sourceServiceRevisions: r.sourceRevisionArns.map((arn) => ({ arn })),
    targetServiceRevision: {
      arn: r.targetRevisionArn,
      requestedTaskCount: r.desiredCount,
      runningTaskCount: r.runningCount,
      pendingTaskCount: r.pendingCount,
    },
    status: r.status as ServiceDeployment["status"],
    statusReason: r.statusReason,
    deploymentConfiguration: r.deploymentConfiguration as ServiceDeployment["deploymentConfiguration"],
    ...(r.rollback
      ? { rollback: { reason: r.rollback.reason, startedAt: sec(r.rollback.startedAt), serviceRevisionArn: r.rollback.serviceRevisionArn } }
      : {}),
    ...(r.circuitBreaker ? { deploymentCircuitBreaker: r.circuitBreaker as ServiceDeployment["deploymentCircuitBreaker"] } : {}),
  });
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
