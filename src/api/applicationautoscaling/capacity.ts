import { randomUUID } from "node:crypto";
import { serviceArn, type Principal } from "../../core/arn.js";
import * as texts from "../../core/autoscaling/activities.js";
import type { NotScaledCode } from "../../core/autoscaling/capacity.js";
import { ecsServiceLinkedRole, parseEcsResourceId } from "../../core/autoscaling/names.js";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { readService, updateService } from "../ecs/services.js";
import { activityOp, type AasDeps, storeOf } from "./deps.js";
import type { ActivityDoc, TargetDoc } from "./docs.js";

/*
 * The one path capacity moves: an ECS service's desiredCount through ECS's own UpdateService
 * (the service controller then starts or stops tasks, and picks which to stop), each move recorded
 * as a scaling activity.
 */

const principalOf = (t: { accountId: string; region: string }): Principal => ({ accountId: t.accountId, region: t.region });

/** The ECS service's desiredCount, or undefined when the service is not ACTIVE. */
export async function currentCapacity(deps: AasDeps, t: Pick<TargetDoc, "accountId" | "region" | "ResourceId">): Promise<number | undefined> {
  const svc = parseEcsResourceId(t.ResourceId);
  if (!svc) return undefined;
  const doc = await readService(deps.ecs, serviceArn(principalOf(t), svc.cluster, svc.service));
  return doc && doc.status === "ACTIVE" ? doc.desiredCount : undefined;
}

/** Application Auto Scaling's own calls to ECS: as its service-linked role, not authorized at the edge. */
function internalContext(t: TargetDoc): RequestContext {
  const p = principalOf(t);
  return { principal: p, requestId: randomUUID(), accessKeyId: "", callerArn: ecsServiceLinkedRole(p) };
}

function activity(t: TargetDoc, now: number, fields: Partial<ActivityDoc> & Pick<ActivityDoc, "Description" | "Cause" | "StatusCode">): ActivityDoc {
  return {
    accountId: t.accountId,
    region: t.region,
    ActivityId: randomUUID(),
    ServiceNamespace: t.ServiceNamespace,
    ResourceId: t.ResourceId,
    ScalableDimension: t.ScalableDimension,
    StartTime: now,
    ...fields,
  };
}

/** Sets the service's desiredCount to `to` and records the activity; answers whether it was set. */
export async function setCapacity(deps: AasDeps, t: TargetDoc, to: number, cause: string): Promise<boolean> {
  const svc = parseEcsResourceId(t.ResourceId)!;
  const start = deps.ecs.clock.now();
  try {
    await updateService(deps.ecs, { cluster: svc.cluster, service: svc.service, desiredCount: to }, internalContext(t));
  } catch (e) {
    const reason = e instanceof AwsError ? `${e.code}: ${e.message}` : String(e);
    await storeOf(deps).write([
      activityOp(activity(t, start, { Description: texts.describeSetting(to), Cause: cause, StatusCode: "Failed", StatusMessage: texts.failed(to, reason), EndTime: deps.ecs.clock.now() })),
    ]);
    return false;
  }
  await storeOf(deps).write([
    activityOp(activity(t, start, { Description: texts.describeSetting(to), Cause: cause, StatusCode: "Successful", StatusMessage: texts.succeeded(to), EndTime: deps.ecs.clock.now() })),
  ]);
  return true;
}

/** Records a request that was not carried out (DescribeScalingActivities with IncludeNotScaledActivities). */
export async function recordNotScaled(deps: AasDeps, t: TargetDoc, wanted: number, current: number, code: NotScaledCode, cause: string): Promise<void> {
  const now = deps.ecs.clock.now();
  await storeOf(deps).write([
    activityOp(
      activity(t, now, {
        Description: texts.describeAttempt(wanted),
        Cause: cause,
        StatusCode: "Failed",
        StatusMessage: `Failed to set desired count to ${wanted}`,
        EndTime: now,
        NotScaledReasons: [{ Code: code, CurrentCapacity: current, ...(code === "AlreadyAtMaxCapacity" ? { MaxCapacity: t.MaxCapacity } : code === "AlreadyAtMinCapacity" ? { MinCapacity: t.MinCapacity } : {}) }],
      }),
    ),
  ]);
}

/** Brings the service's desiredCount into [min, max] (after a registration or a scheduled action). */
export async function clampIntoRange(deps: AasDeps, t: TargetDoc, cause: (dir: "min" | "max") => string): Promise<void> {
  const current = await currentCapacity(deps, t);
  if (current === undefined) return;
  if (current < t.MinCapacity) await setCapacity(deps, t, t.MinCapacity, cause("min"));
  else if (current > t.MaxCapacity) await setCapacity(deps, t, t.MaxCapacity, cause("max"));
}
