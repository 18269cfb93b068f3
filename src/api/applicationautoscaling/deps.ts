import type { AlarmRegistry } from "../../contracts/metric-alarms.js";
import type { Principal } from "../../core/arn.js";
import type { Store, WriteOp } from "../../store/store.js";
import type { EcsDeps } from "../ecs/deps.js";
import type { ActivityDoc, PolicyDoc, ScheduledActionDoc, TargetDoc } from "./docs.js";

/** What Application Auto Scaling's operations and its scheduler are given. */
export interface AasDeps {
  /** ECS's deps: the store, clock and lock are shared, and desiredCount moves through ECS's UpdateService. */
  ecs: EcsDeps;
  /** CloudWatch's side (src/contracts/metric-alarms.ts): target-tracking policies create their alarms there. Absent: target tracking is refused. */
  alarms?: AlarmRegistry;
  /** The Period of target-tracking alarms (default 60 s, at least 10 s). */
  alarmPeriodS?: number;
  /** Chance for ids (uuids); crypto's when absent. */
  random?: () => number;
}

export const scopeOf = (p: Principal): string => `${p.accountId}:${p.region}`;
export const targetKey = (p: Principal, ns: string, resourceId: string, dim: string): string => `${scopeOf(p)}:${ns}:${dim}:${resourceId}`;
export const aasLock = (key: string): string => `application-autoscaling:${key}`;

export const storeOf = (deps: AasDeps): Store => deps.ecs.store;

export async function getTarget(deps: AasDeps, key: string): Promise<TargetDoc | undefined> {
  return (await storeOf(deps).get<TargetDoc>("aas-target", key))?.value;
}
export async function listTargets(deps: AasDeps, p: Principal): Promise<TargetDoc[]> {
  return (await storeOf(deps).list<TargetDoc>("aas-target", { scope: scopeOf(p) })).map((r) => r.value);
}
export async function listPolicies(deps: AasDeps, p: Principal): Promise<PolicyDoc[]> {
  return (await storeOf(deps).list<PolicyDoc>("aas-policy", { scope: scopeOf(p) })).map((r) => r.value);
}
export async function listScheduled(deps: AasDeps, p?: Principal): Promise<ScheduledActionDoc[]> {
  return (await storeOf(deps).list<ScheduledActionDoc>("aas-scheduled-action", p ? { scope: scopeOf(p) } : {})).map((r) => r.value);
}

const principalOf = (d: { accountId: string; region: string }): Principal => ({ accountId: d.accountId, region: d.region });

export const targetOp = (d: TargetDoc): WriteOp => ({
  op: "put",
  kind: "aas-target",
  id: targetKey(principalOf(d), d.ServiceNamespace, d.ResourceId, d.ScalableDimension),
  scope: scopeOf(principalOf(d)),
  sort: `${d.ServiceNamespace}|${d.ResourceId}|${d.ScalableDimension}`,
  value: d,
});
export const policyId = (d: Pick<PolicyDoc, "targetKey" | "PolicyName">): string => `${d.targetKey}|${d.PolicyName}`;
export const policyOp = (d: PolicyDoc): WriteOp => ({
  op: "put",
  kind: "aas-policy",
  id: policyId(d),
  scope: scopeOf(principalOf(d)),
  sort: `${d.ResourceId}|${d.PolicyName}`,
  value: d,
});
export const scheduledId = (d: Pick<ScheduledActionDoc, "targetKey" | "ScheduledActionName">): string => `${d.targetKey}|${d.ScheduledActionName}`;
export const scheduledOp = (d: ScheduledActionDoc): WriteOp => ({
  op: "put",
  kind: "aas-scheduled-action",
  id: scheduledId(d),
  scope: scopeOf(principalOf(d)),
  sort: `${d.ResourceId}|${d.ScheduledActionName}`,
  value: d,
});
export const activityOp = (d: ActivityDoc): WriteOp => ({
  op: "put",
  kind: "aas-activity",
  id: d.ActivityId,
  scope: scopeOf(principalOf(d)),
  sort: `${String(d.StartTime).padStart(15, "0")}|${d.ActivityId}`,
  value: d,
});
