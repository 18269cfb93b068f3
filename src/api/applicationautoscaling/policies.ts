import type { DeleteScalingPolicyRequest, DescribeScalingPoliciesRequest, PutScalingPolicyRequest } from "@aws-sdk/client-application-auto-scaling";
import { randomUUID } from "node:crypto";
import { noPolicy, validation } from "../../core/autoscaling/errors.js";
import { policyArn } from "../../core/autoscaling/names.js";
import { MIN_ALARM_PERIOD_S, targetTrackingAlarms, trackedMetric, type TargetTrackingConfig } from "../../core/autoscaling/target-tracking.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { aasLock, listPolicies, policyId, policyOp, storeOf, targetKey, type AasDeps } from "./deps.js";
import type { PolicyDoc, StepScalingConfig } from "./docs.js";
import { pageOf } from "./paging.js";
import { deletePolicyAlarms, policyDeleteOp } from "./policies-store.js";
import { checkEcsTarget, checkFilter, requireTarget } from "./targets.js";

const MAX_POLICIES_PER_TARGET = 50;

/** Step scaling's rules beyond the model. */
export function checkStep(cfg: StepScalingConfig | undefined): StepScalingConfig {
  if (!cfg) throw validation("StepScalingPolicyConfiguration is required for a policy of type StepScaling.");
  if (!cfg.AdjustmentType) throw validation("AdjustmentType is required for a step scaling policy.");
  const steps = cfg.StepAdjustments ?? [];
  if (!steps.length) throw validation("StepAdjustments must contain at least one step adjustment.");
  if (cfg.MinAdjustmentMagnitude !== undefined && cfg.AdjustmentType !== "PercentChangeInCapacity") {
    throw validation("MinAdjustmentMagnitude may only be specified with AdjustmentType PercentChangeInCapacity.");
  }
  const spans = steps
    .map((s) => {
      const lo = s.MetricIntervalLowerBound ?? -Infinity;
      const hi = s.MetricIntervalUpperBound ?? Infinity;
      if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined && steps.length > 1) {
        throw validation("Only one step adjustment may have both bounds unspecified, and then it must be the only one.");
      }
      if (!(hi > lo)) throw validation("MetricIntervalUpperBound must be greater than MetricIntervalLowerBound.");
      return [lo, hi] as const;
    })
    .sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) throw validation("Step adjustments must not overlap.");
    if (spans[i]![0] > spans[i - 1]![1]) throw validation("Step adjustments must not have gaps between them.");
  }
  return cfg;
}

export async function putScalingPolicy(deps: AasDeps, input: PutScalingPolicyRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  const type = input.PolicyType ?? "StepScaling";
  if (type === "PredictiveScaling") throw validation("Wharf does not support PredictiveScaling policies.");
  const target = await requireTarget(deps, ctx, ns, rid, dim);
  const step = type === "StepScaling" ? checkStep(input.StepScalingPolicyConfiguration as StepScalingConfig | undefined) : undefined;
  const tt = type === "TargetTrackingScaling" ? (input.TargetTrackingScalingPolicyConfiguration as TargetTrackingConfig | undefined) : undefined;
  if (type === "TargetTrackingScaling" && !tt) throw validation("TargetTrackingScalingPolicyConfiguration is required for a policy of type TargetTrackingScaling.");
  if (type === "StepScaling" && input.TargetTrackingScalingPolicyConfiguration) throw validation("TargetTrackingScalingPolicyConfiguration is not allowed for a policy of type StepScaling.");
  if (type === "TargetTrackingScaling" && input.StepScalingPolicyConfiguration) throw validation("StepScalingPolicyConfiguration is not allowed for a policy of type TargetTrackingScaling.");
  const metric = tt ? trackedMetric(rid, tt) : undefined;
  if (metric && !metric.ok) throw validation(metric.message);
  if (tt && !deps.alarms) throw validation("Target tracking needs CloudWatch alarms, and this Wharf has no CloudWatch wired to create them.");
  const key = targetKey(ctx.principal, ns, rid, dim);
  const id = policyId({ targetKey: key, PolicyName: input.PolicyName! });
  return deps.ecs.lock(aasLock(key), async () => {
    const mine = (await listPolicies(deps, ctx.principal)).filter((p) => p.targetKey === key);
    const existing = mine.find((p) => policyId(p) === id);
    if (!existing && mine.length >= MAX_POLICIES_PER_TARGET) throw validation(`A scalable target can have at most ${MAX_POLICIES_PER_TARGET} scaling policies.`);
    const uuid = existing ? existing.PolicyARN.split(":")[6]! : randomUUID();
    const arn = existing?.PolicyARN ?? policyArn(ctx.principal, uuid, ns, rid, input.PolicyName!);
    let alarms: PolicyDoc["Alarms"] = [];
    if (tt && metric?.ok) {
      const specs = targetTrackingAlarms({
        resourceId: rid,
        policyArn: arn,
        alarmUuid: uuid,
        metric: metric.metric,
        cfg: tt,
        periodS: Math.max(MIN_ALARM_PERIOD_S, deps.alarmPeriodS ?? 60),
      });
      for (const spec of specs) alarms.push({ AlarmName: spec.AlarmName, AlarmARN: await deps.alarms!.putAlarm(target.accountId, target.region, spec) });
      const stale = (existing?.Alarms ?? []).filter((a) => !alarms.some((b) => b.AlarmName === a.AlarmName));
      if (stale.length) await deps.alarms!.deleteAlarms(target.accountId, target.region, stale.map((a) => a.AlarmName));
    } else if (existing) {
      await deletePolicyAlarms(deps, existing);
      alarms = [];
    }
    const doc: PolicyDoc = {
      accountId: ctx.principal.accountId,
      region: ctx.principal.region,
      targetKey: key,
      PolicyARN: arn,
      PolicyName: input.PolicyName!,
      ServiceNamespace: ns,
      ResourceId: rid,
      ScalableDimension: dim,
      PolicyType: type,
      ...(step ? { StepScalingPolicyConfiguration: step } : {}),
      ...(tt ? { TargetTrackingScalingPolicyConfiguration: tt } : {}),
      Alarms: alarms,
      CreationTime: existing?.CreationTime ?? deps.ecs.clock.now(),
      memory: existing?.memory ?? {},
    };
    await storeOf(deps).write([policyOp(doc)]);
    return { PolicyARN: arn, ...(tt ? { Alarms: alarms } : {}) };
  });
}

export const renderPolicy = (p: PolicyDoc) => ({
  PolicyARN: p.PolicyARN,
  PolicyName: p.PolicyName,
  ServiceNamespace: p.ServiceNamespace,
  ResourceId: p.ResourceId,
  ScalableDimension: p.ScalableDimension,
  PolicyType: p.PolicyType,
  ...(p.StepScalingPolicyConfiguration ? { StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration } : {}),
  ...(p.TargetTrackingScalingPolicyConfiguration ? { TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration } : {}),
  Alarms: p.Alarms,
  CreationTime: epochSeconds(p.CreationTime),
});

export async function describeScalingPolicies(deps: AasDeps, input: DescribeScalingPoliciesRequest, ctx: RequestContext) {
  checkFilter(input.ResourceId ? [input.ResourceId] : undefined, input.ScalableDimension);
  const names = input.PolicyNames?.length ? new Set(input.PolicyNames) : undefined;
  const all = (await listPolicies(deps, ctx.principal)).filter(
    (p) =>
      p.ServiceNamespace === input.ServiceNamespace &&
      (!input.ResourceId || p.ResourceId === input.ResourceId) &&
      (!input.ScalableDimension || p.ScalableDimension === input.ScalableDimension) &&
      (!names || names.has(p.PolicyName)),
  );
  const page = pageOf(all, input.MaxResults, input.NextToken, (p) => policyId(p));
  return { ScalingPolicies: page.items.map(renderPolicy), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteScalingPolicy(deps: AasDeps, input: DeleteScalingPolicyRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  checkEcsTarget(ns, rid, dim);
  const key = targetKey(ctx.principal, ns, rid, dim);
  const id = policyId({ targetKey: key, PolicyName: input.PolicyName! });
  await deps.ecs.lock(aasLock(key), async () => {
    const p = (await storeOf(deps).get<PolicyDoc>("aas-policy", id))?.value;
    if (!p) throw noPolicy(ns, rid, dim, input.PolicyName!);
    await deletePolicyAlarms(deps, p);
    await storeOf(deps).write([policyDeleteOp(p)]);
  });
  return {};
}
