import type {
  CreateRuleInput,
  CreateRuleOutput,
  DeleteRuleInput,
  DescribeRulesInput,
  DescribeRulesOutput,
  ModifyRuleInput,
  ModifyRuleOutput,
  Rule,
  SetRulePrioritiesInput,
  SetRulePrioritiesOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError } from "../../core/errors.js";
import { normalizeConditions, priorityClash, type RuleConditionIn } from "../../core/lb/conditions.js";
import type { RequestContext } from "../../edge/service.js";
import { normalizeActions } from "./actions.js";
import { deleteOp, elbLock, type Elbv2Deps, getIn, listIn, newElbId, putOp } from "./deps.js";
import type { ListenerDoc, RuleDoc } from "./docs.js";
import { notAnArn, operationNotPermitted, priorityInUse, ruleNotFound, validationError } from "./errors.js";
import { defaultRuleArn, listenerOf } from "./listeners.js";
import { loadBalancerOf } from "./load-balancers.js";
import { elbPage } from "./paging.js";
import { checkTagsIn } from "./tags.js";

/** ELB's limit on rules per listener (the default rule not counted). */
export const MAX_RULES = 100;

const RULE_ARN = /^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:listener-rule\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/;

const checkRuleArn = (arn: string) => {
  if (!RULE_ARN.test(arn)) throw notAnArn(arn, "listener rule");
};
const listenerArnOfRule = (arn: string) => arn.replace(":listener-rule/", ":listener/").replace(/\/[0-9a-f]{16}$/, "");

const ruleOut = (r: RuleDoc): Rule => ({
  RuleArn: r.arn,
  Priority: String(r.priority),
  Conditions: r.conditions as Rule["Conditions"],
  Actions: r.actions as Rule["Actions"],
  IsDefault: false,
});

const defaultRuleOut = (l: ListenerDoc): Rule => ({
  RuleArn: defaultRuleArn(l),
  Priority: "default",
  Conditions: [],
  Actions: l.defaultActions as Rule["Actions"],
  IsDefault: true,
});

const sortKey = (r: RuleDoc) => `${r.listenerArn}/${String(r.priority).padStart(5, "0")}`;

async function rulesOf(deps: Elbv2Deps, region: string, listenerArn: string): Promise<RuleDoc[]> {
  return (await listIn<RuleDoc>(deps, "elbv2-rule", region)).filter((r) => r.listenerArn === listenerArn).sort((a, b) => a.priority - b.priority);
}

/** A rule's listener must be an application load balancer's: network load balancers route by their default action only. */
async function ruleContext(deps: Elbv2Deps, region: string, l: ListenerDoc) {
  const lb = await loadBalancerOf(deps, region, l.loadBalancerArn);
  if (lb.type !== "application") throw validationError("Rules are supported only on the listeners of application load balancers");
  return { region, loadBalancerArn: lb.arn, loadBalancerType: lb.type, listenerProtocol: l.protocol };
}

function conditionsOf(conditions: RuleConditionIn[] | undefined): Record<string, unknown>[] {
  if (!conditions?.length) throw validationError("A rule must have at least one condition");
  return normalizeConditions(conditions).stored;
}

/** The listener whose default rule `ruleArn` is (default rules have no record of their own), else undefined. */
async function listenerOfDefaultRule(deps: Elbv2Deps, region: string, ruleArn: string): Promise<ListenerDoc | undefined> {
  const l = await getIn<ListenerDoc>(deps, "elbv2-listener", region, listenerArnOfRule(ruleArn));
  return l && defaultRuleArn(l) === ruleArn ? l : undefined;
}

export async function createRule(deps: Elbv2Deps, input: CreateRuleInput, ctx: RequestContext): Promise<CreateRuleOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const l = await listenerOf(deps, region, input.ListenerArn!);
    const c = await ruleContext(deps, region, l);
    const conditions = conditionsOf(input.Conditions as RuleConditionIn[]);
    const actions = await normalizeActions(deps, input.Actions ?? [], c);
    const tags = checkTagsIn(input.Tags ?? []);
    const siblings = await rulesOf(deps, region, l.arn);
    if (siblings.some((r) => r.priority === input.Priority)) throw priorityInUse(input.Priority!);
    if (siblings.length >= MAX_RULES) throw new AwsError("TooManyRules", "You've reached the limit on the number of rules per listener");
    const r: RuleDoc = {
      region,
      arn: `${l.arn.replace(":listener/", ":listener-rule/")}/${newElbId()}`,
      listenerArn: l.arn,
      loadBalancerArn: l.loadBalancerArn,
      priority: input.Priority!,
      conditions: conditions as RuleDoc["conditions"],
      actions,
      tags,
    };
    await deps.store.write([putOp("elbv2-rule", region, r.arn, r, sortKey(r))]);
    return { Rules: [ruleOut(r)] };
  });
}

export async function describeRules(deps: Elbv2Deps, input: DescribeRulesInput, ctx: RequestContext): Promise<DescribeRulesOutput> {
  const region = ctx.principal.region;
  if (!input.ListenerArn && !input.RuleArns?.length) throw validationError("You must specify either listener ARNs or rule ARNs");
  if (input.ListenerArn && input.RuleArns?.length) throw validationError("A listener ARN and rule ARNs cannot be specified at the same time");
  let rules: Rule[];
  if (input.ListenerArn) {
    const l = await listenerOf(deps, region, input.ListenerArn);
    rules = [...(await rulesOf(deps, region, l.arn)).map(ruleOut), defaultRuleOut(l)];
  } else {
    rules = [];
    for (const arn of input.RuleArns!) {
      checkRuleArn(arn);
      const r = await getIn<RuleDoc>(deps, "elbv2-rule", region, arn);
      if (r) {
        rules.push(ruleOut(r));
        continue;
      }
      const l = await listenerOfDefaultRule(deps, region, arn);
      if (!l) throw ruleNotFound();
      rules.push(defaultRuleOut(l));
    }
  }
  const key = (r: Rule) => `${listenerArnOfRule(r.RuleArn!)}/${r.IsDefault ? "99999" : r.Priority!.padStart(5, "0")}`;
  const page = elbPage(rules, key, input);
  return { Rules: page.items, ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}

export async function modifyRule(deps: Elbv2Deps, input: ModifyRuleInput, ctx: RequestContext): Promise<ModifyRuleOutput> {
  const region = ctx.principal.region;
  checkRuleArn(input.RuleArn!);
  return deps.lock(elbLock(region), async () => {
    const r = await getIn<RuleDoc>(deps, "elbv2-rule", region, input.RuleArn!);
    if (!r) {
      // The default rule: its actions are the listener's default actions; it has no conditions.
      const l = await listenerOfDefaultRule(deps, region, input.RuleArn!);
      if (!l) throw ruleNotFound();
      if (input.Conditions?.length) throw operationNotPermitted("The default rule cannot have conditions");
      if (!input.Actions?.length) return { Rules: [defaultRuleOut(l)] };
      const lb = await loadBalancerOf(deps, region, l.loadBalancerArn);
      const defaultActions = await normalizeActions(deps, input.Actions, { region, loadBalancerArn: lb.arn, loadBalancerType: lb.type, listenerProtocol: l.protocol });
      const next = { ...l, defaultActions };
      await deps.store.write([putOp("elbv2-listener", region, l.arn, next, `${lb.arn}/${String(l.port).padStart(5, "0")}`)]);
      return { Rules: [defaultRuleOut(next)] };
    }
    const l = await listenerOf(deps, region, r.listenerArn);
    const c = await ruleContext(deps, region, l);
    const next: RuleDoc = {
      ...r,
      ...(input.Conditions?.length ? { conditions: conditionsOf(input.Conditions as RuleConditionIn[]) as RuleDoc["conditions"] } : {}),
      ...(input.Actions?.length ? { actions: await normalizeActions(deps, input.Actions, c) } : {}),
    };
    await deps.store.write([putOp("elbv2-rule", region, r.arn, next, sortKey(next))]);
    return { Rules: [ruleOut(next)] };
  });
}

export async function deleteRule(deps: Elbv2Deps, input: DeleteRuleInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  checkRuleArn(input.RuleArn!);
  return deps.lock(elbLock(region), async () => {
    const r = await getIn<RuleDoc>(deps, "elbv2-rule", region, input.RuleArn!);
    if (!r) {
      if (await listenerOfDefaultRule(deps, region, input.RuleArn!)) throw operationNotPermitted("The default rule cannot be deleted");
      throw ruleNotFound();
    }
    await deps.store.write([deleteOp("elbv2-rule", r.arn)]);
    return {};
  });
}

export async function setRulePriorities(deps: Elbv2Deps, input: SetRulePrioritiesInput, ctx: RequestContext): Promise<SetRulePrioritiesOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const changed: RuleDoc[] = [];
    for (const pair of input.RulePriorities ?? []) {
      checkRuleArn(pair.RuleArn ?? "");
      if (pair.Priority === undefined) throw validationError("A priority must be specified for each rule");
      const r = await getIn<RuleDoc>(deps, "elbv2-rule", region, pair.RuleArn!);
      if (!r) {
        if (await listenerOfDefaultRule(deps, region, pair.RuleArn!)) throw operationNotPermitted("The default rule's priority cannot be changed");
        throw ruleNotFound();
      }
      changed.push({ ...r, priority: pair.Priority });
    }
    for (const listenerArn of new Set(changed.map((r) => r.listenerArn))) {
      const held = new Map((await rulesOf(deps, region, listenerArn)).map((r) => [r.arn, r.priority]));
      const wanted = new Map(changed.filter((r) => r.listenerArn === listenerArn).map((r) => [r.arn, r.priority]));
      const clash = priorityClash(held, wanted);
      if (clash !== undefined) throw priorityInUse(clash);
      if (new Set(wanted.values()).size !== wanted.size) throw priorityInUse([...wanted.values()].find((p, i, a) => a.indexOf(p) !== i)!);
    }
    await deps.store.write(changed.map((r) => putOp("elbv2-rule", region, r.arn, r, sortKey(r))));
    return { Rules: changed.map(ruleOut) };
  });
}
