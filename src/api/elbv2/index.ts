import { AwsError } from "../../core/errors.js";
import type { CallContext, QueryService } from "../../edge/service.js";
import { authorizationOf, type OperationSpec, tagListToMap } from "../operation-spec.js";
import { queryOperations } from "../query-operations.js";
import { elbArn, type Elbv2Deps } from "./deps.js";
import { elbNotImplemented } from "./errors.js";
import * as listenerAttributes from "./listener-attributes.js";
import * as listeners from "./listeners.js";
import * as loadBalancers from "./load-balancers.js";
import { elbv2Model } from "./model.generated.js";
import * as rules from "./rules.js";
import * as tags from "./tags.js";
import * as targetGroups from "./target-groups.js";
import * as targets from "./targets.js";

type Spec = OperationSpec<Elbv2Deps>;
type Resources = Spec["resources"];

/** The ARN a call names in `key` (or every one of the kind, `*`, for calls that create or list). */
const arnIn = (key: string): Resources => (i) => [(i as Record<string, string>)[key] ?? "*"];
const created = (resource: string): Resources => (_i, p) => [elbArn(p, `${resource}/*`)];
const none: Resources = () => ["*"];

const spec = (name: string, run: Spec["run"], resources: Resources): [string, Spec] => [
  name,
  { run, action: `elasticloadbalancing:${name}`, resources },
];

/**
 * ELBv2 operations Wharf serves: one module per resource, one function per operation, each with
 * its IAM action (`elasticloadbalancing:CreateLoadBalancer`) and the resource ARNs it acts on
 * (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID`, `targetgroup/NAME/ID`,
 * `listener/app/NAME/LBID/ID`, `listener-rule/app/NAME/LBID/LISTENERID/ID`).
 */
export const elbv2Operations: Record<string, Spec> = Object.fromEntries([
  spec("CreateLoadBalancer", loadBalancers.createLoadBalancer, created("loadbalancer")),
  spec("DescribeLoadBalancers", loadBalancers.describeLoadBalancers, none),
  spec("DeleteLoadBalancer", loadBalancers.deleteLoadBalancer, arnIn("LoadBalancerArn")),
  spec("DescribeLoadBalancerAttributes", loadBalancers.describeLoadBalancerAttributes, none),
  spec("ModifyLoadBalancerAttributes", loadBalancers.modifyLoadBalancerAttributes, arnIn("LoadBalancerArn")),
  spec("CreateTargetGroup", targetGroups.createTargetGroup, created("targetgroup")),
  spec("DescribeTargetGroups", targetGroups.describeTargetGroups, none),
  spec("ModifyTargetGroup", targetGroups.modifyTargetGroup, arnIn("TargetGroupArn")),
  spec("DeleteTargetGroup", targetGroups.deleteTargetGroup, arnIn("TargetGroupArn")),
  spec("DescribeTargetGroupAttributes", targetGroups.describeTargetGroupAttributes, none),
  spec("ModifyTargetGroupAttributes", targetGroups.modifyTargetGroupAttributes, arnIn("TargetGroupArn")),
  spec("RegisterTargets", targets.registerTargets, arnIn("TargetGroupArn")),
  spec("DeregisterTargets", targets.deregisterTargets, arnIn("TargetGroupArn")),
  spec("DescribeTargetHealth", targets.describeTargetHealth, none),
  spec("CreateListener", listeners.createListener, arnIn("LoadBalancerArn")),
  spec("DescribeListeners", listeners.describeListeners, none),
  spec("ModifyListener", listeners.modifyListener, arnIn("ListenerArn")),
  spec("DeleteListener", listeners.deleteListener, arnIn("ListenerArn")),
  spec("DescribeListenerAttributes", listenerAttributes.describeListenerAttributes, none),
  spec("ModifyListenerAttributes", listenerAttributes.modifyListenerAttributes, arnIn("ListenerArn")),
  spec("DescribeCapacityReservation", listenerAttributes.describeCapacityReservation, none),
  spec("CreateRule", rules.createRule, arnIn("ListenerArn")),
  spec("DescribeRules", rules.describeRules, none),
  spec("ModifyRule", rules.modifyRule, arnIn("RuleArn")),
  spec("DeleteRule", rules.deleteRule, arnIn("RuleArn")),
  spec("SetRulePriorities", rules.setRulePriorities, (i: { RulePriorities?: { RuleArn?: string }[] }) => (i.RulePriorities ?? []).map((r) => r.RuleArn ?? "*")),
  spec("AddTags", tags.addTags, (i: { ResourceArns?: string[] }) => i.ResourceArns ?? []),
  spec("RemoveTags", tags.removeTags, (i: { ResourceArns?: string[] }) => i.ResourceArns ?? []),
  spec("DescribeTags", tags.describeTags, none),
]);

/** aws:RequestTag/… and aws:TagKeys: the `Tags` a Create call or AddTags puts on. */
function elbv2CallContext(input: { Tags?: unknown }): CallContext {
  const tags = tagListToMap(input.Tags);
  return tags ? { requestTags: tags } : {};
}

/** The ELBv2 service (Query protocol, signing name `elasticloadbalancing`): every operation of the model, the unbuilt ones answering so. */
export function elbv2Service(deps: Elbv2Deps): QueryService {
  return {
    protocol: "query",
    signingName: "elasticloadbalancing",
    model: elbv2Model,
    operations: queryOperations(elbv2Model, elbv2Operations, deps, elbNotImplemented),
    authorization: authorizationOf(elbv2Operations, elbv2CallContext),
    resourceTags: (arn) => tags.elbv2ResourceTags(deps, arn),
  };
}
