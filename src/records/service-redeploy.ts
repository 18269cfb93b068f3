import type { Principal } from "../core/arn.js";
import { newDeploymentId } from "../core/ids.js";
import { rolloutReason } from "../core/service/messages.js";
import type { DeploymentState } from "../core/service/types.js";
import type { ServiceDoc } from "./service-doc.js";
import { newRecord, syncHistory, withRecord } from "./service-history.js";

/**
 * A service's new deployment, as UpdateService starts one (a new task definition, network,
 * load balancers, forceNewDeployment…) and as the secret-rotation controller does: a PRIMARY
 * deployment at the desired count, the others ACTIVE, and its service-deployment record.
 */

export function newDeployment(
  nowMs: number,
  td: string,
  desiredCount: number,
  spec: Pick<ServiceDoc, "launchType" | "platformVersion" | "capacityProviderStrategy" | "networkConfiguration">,
): DeploymentState {
  const id = newDeploymentId();
  return {
    id,
    status: "PRIMARY",
    taskDefinition: td,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: rolloutReason.inProgress(id),
    createdAt: nowMs,
    updatedAt: nowMs,
    ...(spec.launchType ? { launchType: spec.launchType } : {}),
    ...(spec.platformVersion ? { platformVersion: spec.platformVersion } : {}),
    ...(spec.capacityProviderStrategy?.length ? { capacityProviderStrategy: spec.capacityProviderStrategy } : {}),
    ...(spec.networkConfiguration ? { networkConfiguration: spec.networkConfiguration } : {}),
  };
}

/**
 * `next` (the service as it is to be, over `base` as it was) with a new PRIMARY deployment of
 * `next.taskDefinition` at `desired`: the former deployments ACTIVE, the history gaining its record.
 */
export function withNewDeployment(base: ServiceDoc, next: ServiceDoc, principal: Principal, clusterName: string, desired: number, nowMs: number): ServiceDoc {
  const fresh = newDeployment(nowMs, next.taskDefinition!, desired, next);
  const deployments = [fresh, ...base.wharf.deployments.map((d) => ({ ...d, status: "ACTIVE" as const, updatedAt: nowMs }))];
  const history = syncHistory(
    withRecord(base.wharf.history, newRecord(principal, { ...base, deploymentConfiguration: next.deploymentConfiguration ?? {} }, fresh, clusterName)),
    { deployments, dropped: [] },
    next.deploymentConfiguration?.deploymentCircuitBreaker as { enable: boolean; rollback: boolean } | undefined,
    desired,
    nowMs,
  );
  return { ...next, wharf: { ...next.wharf, deployments, history } };
}
