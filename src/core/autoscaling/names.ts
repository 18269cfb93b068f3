import { partitionOf, type Principal } from "../arn.js";

/*
 * Application Auto Scaling's names for what it keeps, as AWS spells them:
 * - scalable target: `arn:aws:application-autoscaling:REGION:ACCOUNT:scalable-target/<id>`
 *   (a 36-character id; AWS's look like `0ec1…`, Wharf's are 4 hex of the namespace then 32 random hex),
 * - scaling policy: `arn:aws:autoscaling:REGION:ACCOUNT:scalingPolicy:<uuid>:resource/<ns>/<resourceId>:policyName/<name>`,
 * - scheduled action: `arn:aws:autoscaling:REGION:ACCOUNT:scheduledAction:<uuid>:resource/<ns>/<resourceId>:scheduledActionName/<name>`,
 * - the ECS service-linked role AWS reports as every ECS target's RoleARN.
 */

export const ECS_NAMESPACE = "ecs";
export const ECS_DIMENSION = "ecs:service:DesiredCount";

export const scalableTargetArn = (p: Principal, id: string): string =>
  `arn:${partitionOf(p.region)}:application-autoscaling:${p.region}:${p.accountId}:scalable-target/${id}`;

export const policyArn = (p: Principal, uuid: string, namespace: string, resourceId: string, name: string): string =>
  `arn:${partitionOf(p.region)}:autoscaling:${p.region}:${p.accountId}:scalingPolicy:${uuid}:resource/${namespace}/${resourceId}:policyName/${name}`;

export const scheduledActionArn = (p: Principal, uuid: string, namespace: string, resourceId: string, name: string): string =>
  `arn:${partitionOf(p.region)}:autoscaling:${p.region}:${p.accountId}:scheduledAction:${uuid}:resource/${namespace}/${resourceId}:scheduledActionName/${name}`;

/** The role AWS names on every ECS scalable target (it creates it on first registration). */
export const ecsServiceLinkedRole = (p: Principal): string =>
  `arn:${partitionOf(p.region)}:iam::${p.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;

/** `service/<cluster>/<service>` → its parts; undefined when it is not that form. */
export function parseEcsResourceId(resourceId: string): { cluster: string; service: string } | undefined {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  return m ? { cluster: m[1]!, service: m[2]! } : undefined;
}

/** The names AWS gives a target-tracking policy's alarms. */
export const targetTrackingAlarmName = (resourceId: string, which: "High" | "Low", uuid: string): string =>
  `TargetTracking-${resourceId}-Alarm${which}-${uuid}`;

/** A policy ARN's parts (the invoker finds the policy by them). */
export function parsePolicyArn(arn: string): { region: string; accountId: string; uuid: string; namespace: string; resourceId: string; name: string } | undefined {
  const m = /^arn:[^:]+:autoscaling:([^:]+):(\d{12}):scalingPolicy:([0-9a-f-]+):resource\/([^/]+)\/(.+):policyName\/(.+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, uuid: m[3]!, namespace: m[4]!, resourceId: m[5]!, name: m[6]! } : undefined;
}
