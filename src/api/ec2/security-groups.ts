import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupEgressResult,
  AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult,
  CreateSecurityGroupRequest,
  CreateSecurityGroupResult,
  DeleteSecurityGroupRequest,
  DeleteSecurityGroupResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  ModifySecurityGroupRulesRequest,
  ModifySecurityGroupRulesResult,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupEgressResult,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
} from "@aws-sdk/client-ec2";
import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import { applyFilters, type FilterTable } from "../../core/ec2/filters.js";
import { ec2Id } from "../../core/ec2/ids.js";
import { flattenPermissions, groupPermissions, sameRule, type SgRule } from "../../core/ec2/rules.js";
import type { RequestContext } from "../../edge/service.js";
import { deleteOp, type Ec2Deps, ec2Arn, ec2Lock, getIn, listIn, putOp, rand } from "./deps.js";
import { describe } from "./describe.js";
import type { NetworkInterfaceDoc, SecurityGroupDoc, VpcDoc } from "./docs.js";
import { dependencyViolation, groupNotFound, invalidValue, missingParameter } from "./errors.js";
import { allEgress, regionDefaults } from "./network-defaults.js";
import { ec2Page } from "./paging.js";
import { newRules, permissionsOf, ruleOut, rulesToRevoke } from "./sg-rules.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";
import { vpcOrThrow } from "./vpcs.js";

export function groupOut(p: Principal, g: SecurityGroupDoc): SecurityGroup {
  return {
    GroupId: g.groupId,
    IpPermissionsEgress: groupPermissions(g.rules.filter((r) => r.egress), g.ownerId),
    ...tagsOut(g.tags),
    VpcId: g.vpcId,
    SecurityGroupArn: ec2Arn(p, "security-group", g.groupId),
    OwnerId: g.ownerId,
    GroupName: g.groupName,
    Description: g.description,
    IpPermissions: groupPermissions(g.rules.filter((r) => !r.egress), g.ownerId),
  };
}

const perm = (egress: boolean, read: (r: SgRule) => unknown) => (g: SecurityGroupDoc) => g.rules.filter((r) => r.egress === egress).map(read);
const permFilters = (prefix: string, egress: boolean): FilterTable<SecurityGroupDoc> => ({
  [`${prefix}.cidr`]: perm(egress, (r) => r.cidrIpv4),
  [`${prefix}.ipv6-cidr`]: perm(egress, (r) => r.cidrIpv6),
  [`${prefix}.from-port`]: perm(egress, (r) => r.fromPort),
  [`${prefix}.to-port`]: perm(egress, (r) => r.toPort),
  [`${prefix}.protocol`]: perm(egress, (r) => r.protocol),
  [`${prefix}.group-id`]: perm(egress, (r) => r.groupId),
  [`${prefix}.prefix-list-id`]: perm(egress, (r) => r.prefixListId),
  [`${prefix}.user-id`]: perm(egress, (r) => r.groupOwnerId),
});

const GROUP_FILTERS: FilterTable<SecurityGroupDoc> = {
  description: (g) => g.description,
  "group-id": (g) => g.groupId,
  "group-name": (g) => g.groupName,
  "owner-id": (g) => g.ownerId,
  "vpc-id": (g) => g.vpcId,
  ...permFilters("ip-permission", false),
  ...permFilters("egress.ip-permission", true),
};

type RuleWithGroup = { group: SecurityGroupDoc; rule: SgRule; tags: Array<{ Key: string; Value: string }> };
const RULE_FILTERS: FilterTable<RuleWithGroup> = {
  "group-id": (x) => x.group.groupId,
  "security-group-rule-id": (x) => x.rule.ruleId,
};

const groupsIn = (deps: Ec2Deps, region: string) => listIn<SecurityGroupDoc>(deps, "ec2-security-group", region);

/** A group by id, or by name in the Region's default VPC (as EC2 reads GroupName). */
async function groupByIdOrName(deps: Ec2Deps, p: Principal, groupId: string | undefined, groupName: string | undefined): Promise<SecurityGroupDoc> {
  if (groupId !== undefined) {
    const g = await getIn<SecurityGroupDoc>(deps, "ec2-security-group", p.region, groupId);
    if (!g) throw groupNotFound(groupId);
    return g;
  }
  if (groupName === undefined) throw missingParameter("GroupId");
  const { defaultVpcId } = await regionDefaults(deps, p);
  const g = (await groupsIn(deps, p.region)).find((x) => x.groupName === groupName && x.vpcId === defaultVpcId);
  if (!g) throw new AwsError("InvalidGroup.NotFound", `The security group '${groupName}' does not exist in default VPC '${defaultVpcId}'`);
  return g;
}

export async function createSecurityGroup(deps: Ec2Deps, input: CreateSecurityGroupRequest, ctx: RequestContext): Promise<CreateSecurityGroupResult> {
  const p = ctx.principal;
  const name = input.GroupName ?? "";
  const description = input.Description ?? "";
  if (name.length > 255) throw invalidValue(`Value (${name}) for parameter groupName is invalid. Length exceeds maximum of 255.`);
  if (description.length > 255) throw invalidValue(`Value (${description}) for parameter groupDescription is invalid. Length exceeds maximum of 255.`);
  if (name.toLowerCase().startsWith("sg-")) throw invalidValue("Group names may not be in the format sg-*.");
  const tags = tagsFromSpecs(input.TagSpecifications, "security-group");
  return deps.lock(ec2Lock(p.region), async () => {
    const vpcId = input.VpcId ?? (await regionDefaults(deps, p)).defaultVpcId;
    const vpc: VpcDoc = await vpcOrThrow(deps, p.region, vpcId);
    if ((await groupsIn(deps, p.region)).some((g) => g.vpcId === vpc.vpcId && g.groupName === name)) {
      throw new AwsError("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpc.vpcId}'`);
    }
    const group: SecurityGroupDoc = {
      region: p.region,
      ownerId: p.accountId,
      tags,
      groupId: ec2Id("sg", rand(deps)),
      groupName: name,
      description,
      vpcId: vpc.vpcId,
      rules: [allEgress(deps)],
    };
    await deps.store.write([putOp("ec2-security-group", p.region, group.groupId, group)]);
    return { GroupId: group.groupId, ...tagsOut(tags), SecurityGroupArn: ec2Arn(p, "security-group", group.groupId) };
  });
}

export async function describeSecurityGroups(deps: Ec2Deps, input: DescribeSecurityGroupsRequest, ctx: RequestContext): Promise<DescribeSecurityGroupsResult> {
  const p = ctx.principal;
  let all = await groupsIn(deps, p.region);
  if (input.GroupNames?.length) {
    const { defaultVpcId } = await regionDefaults(deps, p);
    const inDefault = all.filter((g) => g.vpcId === defaultVpcId);
    for (const n of input.GroupNames) {
      if (!inDefault.some((g) => g.groupName === n)) {
        throw new AwsError("InvalidGroup.NotFound", `The security group '${n}' does not exist in default VPC '${defaultVpcId}'`);
      }
    }
    all = inDefault.filter((g) => input.GroupNames!.includes(g.groupName));
  }
  const page = describe(all, (g) => g.groupId, { ...input, ids: input.GroupIds, idsParam: "groupIds" }, GROUP_FILTERS, (ids) =>
    groupNotFound(ids.join(", ")),
  );
  return { SecurityGroups: page.items.map((g) => groupOut(p, g)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteSecurityGroup(deps: Ec2Deps, input: DeleteSecurityGroupRequest, ctx: RequestContext): Promise<DeleteSecurityGroupResult> {
  const p = ctx.principal;
  return deps.lock(ec2Lock(p.region), async () => {
    const g = await groupByIdOrName(deps, p, input.GroupId, input.GroupName);
    if (g.groupName === "default") {
      throw new AwsError("CannotDelete", `the specified group: "${g.groupId}" name: "default" cannot be deleted by a user`);
    }
    const others = (await groupsIn(deps, p.region)).filter((x) => x.groupId !== g.groupId);
    const referenced = others.some((x) => x.rules.some((r) => r.groupId === g.groupId));
    const inUse = (await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", p.region)).some((e) => e.groups.includes(g.groupId));
    if (referenced || inUse) throw dependencyViolation(`resource ${g.groupId} has a dependent object`);
    await deps.store.write([deleteOp("ec2-security-group", g.groupId)]);
    return { Return: true, GroupId: g.groupId };
  });
}

async function authorize(
  deps: Ec2Deps,
  input: AuthorizeSecurityGroupIngressRequest | AuthorizeSecurityGroupEgressRequest,
  ctx: RequestContext,
  egress: boolean,
): Promise<AuthorizeSecurityGroupIngressResult> {
  const p = ctx.principal;
  return deps.lock(ec2Lock(p.region), async () => {
    const g = await groupByIdOrName(deps, p, input.GroupId, egress ? undefined : (input as AuthorizeSecurityGroupIngressRequest).GroupName);
    const all = await groupsIn(deps, p.region);
    const added = newRules(deps, g, permissionsOf(input as AuthorizeSecurityGroupIngressRequest), egress, all, input.TagSpecifications);
    const next = { ...g, rules: [...g.rules, ...added] };
    await deps.store.write([putOp("ec2-security-group", p.region, g.groupId, next)]);
    return { Return: true, SecurityGroupRules: added.map((r) => ruleOut(p, next, r)) };
  });
}

async function revoke(
  deps: Ec2Deps,
  input: RevokeSecurityGroupIngressRequest | RevokeSecurityGroupEgressRequest,
  ctx: RequestContext,
  egress: boolean,
): Promise<RevokeSecurityGroupIngressResult> {
  const p = ctx.principal;
  return deps.lock(ec2Lock(p.region), async () => {
    const g = await groupByIdOrName(deps, p, input.GroupId, egress ? undefined : (input as RevokeSecurityGroupIngressRequest).GroupName);
    const gone = rulesToRevoke(g, input as RevokeSecurityGroupIngressRequest, egress, await groupsIn(deps, p.region));
    const ids = new Set(gone.map((r) => r.ruleId));
    await deps.store.write([putOp("ec2-security-group", p.region, g.groupId, { ...g, rules: g.rules.filter((r) => !ids.has(r.ruleId)) })]);
    return {
      Return: true,
      RevokedSecurityGroupRules: gone.map((r) => {
        const o = ruleOut(p, g, r);
        return {
          SecurityGroupRuleId: r.ruleId,
          GroupId: g.groupId,
          IsEgress: r.egress,
          IpProtocol: r.protocol,
          FromPort: r.fromPort,
          ToPort: r.toPort,
          ...(o.CidrIpv4 !== undefined ? { CidrIpv4: o.CidrIpv4 } : {}),
          ...(o.CidrIpv6 !== undefined ? { CidrIpv6: o.CidrIpv6 } : {}),
          ...(o.PrefixListId !== undefined ? { PrefixListId: o.PrefixListId } : {}),
          ...(r.groupId !== undefined ? { ReferencedGroupId: r.groupId } : {}),
          ...(r.description !== undefined ? { Description: r.description } : {}),
        };
      }),
    };
  });
}

export const authorizeSecurityGroupIngress = (deps: Ec2Deps, input: AuthorizeSecurityGroupIngressRequest, ctx: RequestContext) =>
  authorize(deps, input, ctx, false);
export const authorizeSecurityGroupEgress = (deps: Ec2Deps, input: AuthorizeSecurityGroupEgressRequest, ctx: RequestContext): Promise<AuthorizeSecurityGroupEgressResult> =>
  authorize(deps, input, ctx, true);
export const revokeSecurityGroupIngress = (deps: Ec2Deps, input: RevokeSecurityGroupIngressRequest, ctx: RequestContext) =>
  revoke(deps, input, ctx, false);
export const revokeSecurityGroupEgress = (deps: Ec2Deps, input: RevokeSecurityGroupEgressRequest, ctx: RequestContext): Promise<RevokeSecurityGroupEgressResult> =>
  revoke(deps, input, ctx, true);

export async function describeSecurityGroupRules(
  deps: Ec2Deps,
  input: DescribeSecurityGroupRulesRequest,
  ctx: RequestContext,
): Promise<DescribeSecurityGroupRulesResult> {
  const p = ctx.principal;
  const rows: RuleWithGroup[] = (await groupsIn(deps, p.region)).flatMap((group) =>
    group.rules.map((rule) => ({ group, rule, tags: (rule.tags ?? []) as Array<{ Key: string; Value: string }> })),
  );
  rows.sort((a, b) => (a.rule.ruleId < b.rule.ruleId ? -1 : 1));
  let items = rows;
  const ids = input.SecurityGroupRuleIds ?? [];
  if (ids.length) {
    const missing = ids.filter((id) => !rows.some((r) => r.rule.ruleId === id));
    if (missing.length) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${missing[0]}' does not exist`);
    items = rows.filter((r) => ids.includes(r.rule.ruleId));
  }
  items = applyFilters(items, input.Filters, RULE_FILTERS, (x) => x.tags);
  const page = ec2Page(items, (x) => x.rule.ruleId, input);
  return { SecurityGroupRules: page.items.map((x) => ruleOut(p, x.group, x.rule)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function modifySecurityGroupRules(
  deps: Ec2Deps,
  input: ModifySecurityGroupRulesRequest,
  ctx: RequestContext,
): Promise<ModifySecurityGroupRulesResult> {
  const p = ctx.principal;
  return deps.lock(ec2Lock(p.region), async () => {
    const g = await groupByIdOrName(deps, p, input.GroupId, undefined);
    const all = await groupsIn(deps, p.region);
    let rules = [...g.rules];
    for (const u of input.SecurityGroupRules ?? []) {
      const i = rules.findIndex((r) => r.ruleId === u.SecurityGroupRuleId);
      if (i < 0) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${u.SecurityGroupRuleId}' does not exist`);
      const req = u.SecurityGroupRule ?? {};
      const old = rules[i]!;
      const [spec] = flattenPermissions(
        [
          {
            IpProtocol: req.IpProtocol ?? old.protocol,
            FromPort: req.FromPort ?? old.fromPort,
            ToPort: req.ToPort ?? old.toPort,
            ...(req.CidrIpv4 !== undefined ? { IpRanges: [{ CidrIp: req.CidrIpv4 }] } : {}),
            ...(req.CidrIpv6 !== undefined ? { Ipv6Ranges: [{ CidrIpv6: req.CidrIpv6 }] } : {}),
            ...(req.ReferencedGroupId !== undefined ? { UserIdGroupPairs: [{ GroupId: req.ReferencedGroupId }] } : {}),
            ...(req.PrefixListId !== undefined ? { PrefixListIds: [{ PrefixListId: req.PrefixListId }] } : {}),
          },
        ],
        old.egress,
      );
      if (!spec) throw missingParameter("SecurityGroupRule.CidrIpv4");
      if (spec.groupId !== undefined && !all.some((x) => x.groupId === spec.groupId)) throw groupNotFound(spec.groupId);
      const { groupName: _n, ...clean } = spec;
      const next: SgRule = { ...clean, ruleId: old.ruleId, ...(req.Description !== undefined ? { description: req.Description } : {}), ...(old.tags ? { tags: old.tags } : {}) };
      if (rules.some((r, j) => j !== i && sameRule(r, next))) {
        throw new AwsError("InvalidPermission.Duplicate", "The specified rule already exists");
      }
      rules[i] = next;
    }
    await deps.store.write([putOp("ec2-security-group", p.region, g.groupId, { ...g, rules })]);
    return { Return: true };
  });
}
