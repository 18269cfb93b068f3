import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../core/errors.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { TargetGroupDoc } from "../elbv2/docs.js";
import { groupUsage } from "../elbv2/usage.js";
import type { EcsDeps } from "./deps.js";

/**
 * CreateService/UpdateService checks of `loadBalancers` against the ELBv2 records, as ECS makes
 * them (InvalidParameterException, ECS's texts): the target group exists, a listener or rule of
 * a load balancer forwards to it, and its target type fits the task's network mode — `ip` for
 * awsvpc (and so Fargate), `instance` for bridge and host. The shape checks (containers, ports,
 * at most 5) are service-validate.ts's `validateLoadBalancers`.
 */
export async function checkTargetGroups(deps: EcsDeps, lbs: readonly LoadBalancer[], td: TaskDefinitionDoc | undefined): Promise<void> {
  const usage = new Map<string, Map<string, Set<string>>>();
  for (const lb of lbs) {
    const arn = lb.targetGroupArn;
    if (!arn) {
      // Classic load balancers are not served: ECS looks them up by name and finds none.
      throw invalidParameter(`The load balancer ${lb.loadBalancerName ?? ""} does not exist.`);
    }
    const tg = (await deps.store.get<TargetGroupDoc>("elbv2-target-group", arn))?.value;
    if (!tg) throw invalidParameter(`The target group with targetGroupArn ${arn} does not exist.`);
    const region = tg.region;
    let used = usage.get(region);
    if (!used) usage.set(region, (used = await groupUsage(deps, region)));
    if (!used.get(arn)?.size) {
      throw invalidParameter(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
    }
    const mode = td?.networkMode ?? "bridge";
    if (td && mode === "awsvpc" && tg.targetType !== "ip") {
      throw invalidParameter(
        `The provided target group ${arn} has target type ${tg.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`,
      );
    }
    if (td && mode !== "awsvpc" && tg.targetType === "ip") {
      throw invalidParameter(
        `The provided target group ${arn} has target type ip, which is incompatible with the ${mode} network mode specified in the task definition.`,
      );
    }
  }
}

/** ECS's rule: a grace period needs a load balancer. Services with one show 0 when none was given. */
export function gracePeriodOf(seconds: number | undefined, lbs: readonly LoadBalancer[]): number | undefined {
  if (seconds !== undefined && seconds < 0) throw invalidParameter("healthCheckGracePeriodSeconds must be greater than or equal to 0.");
  if (lbs.length === 0) {
    if (seconds !== undefined && seconds > 0) {
      throw invalidParameter("Health check grace period is only valid for services configured to use load balancers");
    }
    return undefined;
  }
  return seconds ?? 0;
}
