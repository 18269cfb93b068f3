import { AwsError } from "../../core/errors.js";
import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import * as activities from "./activities.js";
import { applicationautoscalingAuthorization } from "./authorization.js";
import type { AasDeps } from "./deps.js";
import { applicationautoscalingModel } from "./model.generated.js";
import * as policies from "./policies.js";
import * as scheduled from "./scheduled-actions.js";
import * as tags from "./tags.js";
import * as targets from "./targets.js";

export type { AasDeps } from "./deps.js";
export { scalingPolicyInvoker, type PolicyRun } from "./invoker.js";
export { startScheduleRunner, type ScheduleRunner } from "./scheduler.js";

export const APPLICATION_AUTOSCALING_TARGET_PREFIX = "AnyScaleFrontendService";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AasOperation = (deps: AasDeps, input: any, ctx: RequestContext) => Promise<unknown> | unknown;

/** Operation modules register here: one function per operation. */
export const applicationautoscalingOperations: Record<string, AasOperation> = {
  RegisterScalableTarget: targets.registerScalableTarget,
  DescribeScalableTargets: targets.describeScalableTargets,
  DeregisterScalableTarget: targets.deregisterScalableTarget,
  PutScalingPolicy: policies.putScalingPolicy,
  DescribeScalingPolicies: policies.describeScalingPolicies,
  DeleteScalingPolicy: policies.deleteScalingPolicy,
  PutScheduledAction: scheduled.putScheduledAction,
  DescribeScheduledActions: scheduled.describeScheduledActions,
  DeleteScheduledAction: scheduled.deleteScheduledAction,
  DescribeScalingActivities: activities.describeScalingActivities,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
};

/** Application Auto Scaling answers model violations as ValidationException, in the framework's words. */
function validate(name: string, input: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateInput(applicationautoscalingModel, name, input, { required: "not-null", pathName: (m) => m.charAt(0).toLowerCase() + m.slice(1) });
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterException") throw new AwsError("ValidationException", e.message);
    throw e;
  }
}

/** The Application Auto Scaling JSON 1.1 service: every operation of the model, the unbuilt ones (predictive scaling's forecast) answering so. */
export function applicationautoscalingService(deps: AasDeps): JsonService {
  const ops: Record<string, Operation> = {};
  for (const name of Object.keys(applicationautoscalingModel.operations)) {
    const impl = applicationautoscalingOperations[name];
    ops[name] = impl
      ? (input, ctx) => impl(deps, validate(name, input), ctx)
      : () => {
          throw notImplemented("Application Auto Scaling", name);
        };
  }
  return {
    targetPrefix: APPLICATION_AUTOSCALING_TARGET_PREFIX,
    signingName: "application-autoscaling",
    operations: ops,
    authorization: applicationautoscalingAuthorization(deps),
    resourceTags: (arn, p) => tags.tagsOf(deps, { principal: p }, arn),
  };
}
