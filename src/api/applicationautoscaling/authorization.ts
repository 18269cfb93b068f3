import type { Principal } from "../../core/arn.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";
import { getTarget, targetKey, type AasDeps } from "./deps.js";

/*
 * How each Application Auto Scaling operation is authorized (Service Authorization Reference,
 * prefix `application-autoscaling`): operations on a registered target against its
 * `…:scalable-target/<id>` ARN (`*` before it exists), the Describe operations against `*`, the tag
 * operations against the ARN they name. The input is the parsed request before validation.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const tagMap = (i: In): CallContext => {
  const t = i.Tags;
  if (!t || typeof t !== "object") return {};
  return { requestTags: Object.fromEntries(Object.entries(t as Record<string, unknown>).map(([k, v]) => [k, String(v ?? "")])) };
};
const tagKeys = (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i.TagKeys) ? (i.TagKeys as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});

export function applicationautoscalingAuthorization(deps: AasDeps): Record<string, OperationAuthz> {
  const target = async (i: In, p: Principal): Promise<string[]> => {
    const ns = str(i.ServiceNamespace);
    const rid = str(i.ResourceId);
    const dim = str(i.ScalableDimension);
    if (!ns || !rid || !dim) return ["*"];
    const t = await getTarget(deps, targetKey(p, ns, rid, dim));
    return [t?.ScalableTargetARN ?? "*"];
  };
  const any = () => ["*"];
  const given = (i: In) => [str(i.ResourceARN) ?? "*"];
  const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
    name,
    { action: `application-autoscaling:${name}`, resources, ...(context ? { context } : {}) },
  ];
  return Object.fromEntries([
    a("RegisterScalableTarget", target, tagMap),
    a("DeregisterScalableTarget", target),
    a("DescribeScalableTargets", any),
    a("PutScalingPolicy", target),
    a("DeleteScalingPolicy", target),
    a("DescribeScalingPolicies", any),
    a("PutScheduledAction", target),
    a("DeleteScheduledAction", target),
    a("DescribeScheduledActions", any),
    a("DescribeScalingActivities", any),
    a("GetPredictiveScalingForecast", target),
    a("TagResource", given, tagMap),
    a("UntagResource", given, tagKeys),
    a("ListTagsForResource", given),
  ]);
}
