import type {
  DeregisterScalableTargetRequest,
  DescribeScalableTargetsRequest,
  RegisterScalableTargetRequest,
} from "@aws-sdk/client-application-auto-scaling";
import { randomBytes } from "node:crypto";
import { serviceArn } from "../../core/arn.js";
import { causeMaximum, causeMinimum } from "../../core/autoscaling/activities.js";
import { noTarget, validation } from "../../core/autoscaling/errors.js";
import { ECS_DIMENSION, ECS_NAMESPACE, ecsServiceLinkedRole, parseEcsResourceId, scalableTargetArn } from "../../core/autoscaling/names.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { readService } from "../ecs/services.js";
import { clampIntoRange } from "./capacity.js";
import { aasLock, getTarget, listPolicies, listScheduled, listTargets, storeOf, targetKey, targetOp, type AasDeps } from "./deps.js";
import type { TargetDoc } from "./docs.js";
import { pageOf } from "./paging.js";
import { deletePolicyAlarms, policyDeleteOp } from "./policies-store.js";
import { scheduledDeleteOp } from "./scheduled-store.js";
import { checkTags } from "./tags.js";

/**
 * The (namespace, resource, dimension) a request names, checked: Wharf serves ECS services'
 * desired count only (other namespaces' resources do not exist here); `service/<cluster>/<service>`.
 */
export function checkEcsTarget(ns: string | undefined, resourceId: string | undefined, dim: string | undefined): void {
  if (ns !== ECS_NAMESPACE || dim !== ECS_DIMENSION || !resourceId || !parseEcsResourceId(resourceId)) {
    throw validation("Unsupported service namespace, resource type or scalable dimension");
  }
}

/** The registered target, or ObjectNotFoundException in AWS's words. */
export async function requireTarget(deps: AasDeps, ctx: RequestContext, ns: string, resourceId: string, dim: string): Promise<TargetDoc> {
  checkEcsTarget(ns, resourceId, dim);
  const t = await getTarget(deps, targetKey(ctx.principal, ns, resourceId, dim));
  if (!t) throw noTarget(ns, resourceId, dim);
  return t;
}

export async function registerScalableTarget(deps: AasDeps, input: RegisterScalableTargetRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  checkEcsTarget(ns, rid, dim);
  const svc = parseEcsResourceId(rid)!;
  const service = await readService(deps.ecs, serviceArn(ctx.principal, svc.cluster, svc.service));
  if (!service || service.status !== "ACTIVE") throw validation(`ECS service doesn't exist: ${rid}`);
  const tags = input.Tags ? checkTags(input.Tags) : undefined;
  const key = targetKey(ctx.principal, ns, rid, dim);
  const doc = await deps.ecs.lock(aasLock(key), async () => {
    const existing = await getTarget(deps, key);
    if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
      throw validation("MinCapacity and MaxCapacity are required when registering a new scalable target.");
    }
    const min = input.MinCapacity ?? existing!.MinCapacity;
    const max = input.MaxCapacity ?? existing!.MaxCapacity;
    if (min < 0 || max < 0) throw validation("Capacity must be non-negative.");
    if (min > max) throw validation("Minimum capacity cannot be greater than maximum capacity");
    const next: TargetDoc = {
      accountId: ctx.principal.accountId,
      region: ctx.principal.region,
      ServiceNamespace: ns,
      ResourceId: rid,
      ScalableDimension: dim,
      MinCapacity: min,
      MaxCapacity: max,
      // ECS targets always run as the service-linked role, whatever RoleARN names (as AWS reports).
      RoleARN: ecsServiceLinkedRole(ctx.principal),
      CreationTime: existing?.CreationTime ?? deps.ecs.clock.now(),
      SuspendedState: { ...(existing?.SuspendedState ?? {}), ...(input.SuspendedState ?? {}) },
      ScalableTargetARN: existing?.ScalableTargetARN ?? scalableTargetArn(ctx.principal, randomBytes(18).toString("hex")),
      tags: { ...(existing?.tags ?? {}), ...(tags ?? {}) },
    };
    await storeOf(deps).write([targetOp(next)]);
    return next;
  });
  await clampIntoRange(deps, doc, (which) => (which === "min" ? causeMinimum(doc.MinCapacity) : causeMaximum(doc.MaxCapacity)));
  return { ScalableTargetARN: doc.ScalableTargetARN };
}

export const renderTarget = (t: TargetDoc) => ({
  ServiceNamespace: t.ServiceNamespace,
  ResourceId: t.ResourceId,
  ScalableDimension: t.ScalableDimension,
  MinCapacity: t.MinCapacity,
  MaxCapacity: t.MaxCapacity,
  RoleARN: t.RoleARN,
  CreationTime: epochSeconds(t.CreationTime),
  SuspendedState: {
    DynamicScalingInSuspended: t.SuspendedState.DynamicScalingInSuspended ?? false,
    DynamicScalingOutSuspended: t.SuspendedState.DynamicScalingOutSuspended ?? false,
    ScheduledScalingSuspended: t.SuspendedState.ScheduledScalingSuspended ?? false,
  },
  ScalableTargetARN: t.ScalableTargetARN,
});

/** A ScalableDimension filter needs the resource it narrows (AWS refuses one without ResourceId). */
export function checkFilter(resourceIds: readonly string[] | undefined, dim: string | undefined): void {
  if (dim !== undefined && !resourceIds?.length) throw validation("ResourceId must be specified when ScalableDimension is specified.");
}

export async function describeScalableTargets(deps: AasDeps, input: DescribeScalableTargetsRequest, ctx: RequestContext) {
  checkFilter(input.ResourceIds, input.ScalableDimension);
  const ids = input.ResourceIds?.length ? new Set(input.ResourceIds) : undefined;
  const all = (await listTargets(deps, ctx.principal)).filter(
    (t) => t.ServiceNamespace === input.ServiceNamespace && (!ids || ids.has(t.ResourceId)) && (!input.ScalableDimension || t.ScalableDimension === input.ScalableDimension),
  );
  const page = pageOf(all, input.MaxResults, input.NextToken, (t) => `${t.ResourceId}|${t.ScalableDimension}`);
  return { ScalableTargets: page.items.map(renderTarget), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deregisterScalableTarget(deps: AasDeps, input: DeregisterScalableTargetRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  const t = await requireTarget(deps, ctx, ns, rid, dim);
  const key = targetKey(ctx.principal, ns, rid, dim);
  await deps.ecs.lock(aasLock(key), async () => {
    const policies = (await listPolicies(deps, ctx.principal)).filter((p) => p.targetKey === key);
    const actions = (await listScheduled(deps, ctx.principal)).filter((a) => a.targetKey === key);
    for (const p of policies) await deletePolicyAlarms(deps, p);
    await storeOf(deps).write([
      ...policies.map(policyDeleteOp),
      ...actions.map(scheduledDeleteOp),
      { op: "delete", kind: "aas-target", id: targetKey(ctx.principal, t.ServiceNamespace, t.ResourceId, t.ScalableDimension) },
    ]);
  });
  return {};
}
