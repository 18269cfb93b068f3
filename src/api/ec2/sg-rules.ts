import type { IpPermission, SecurityGroupRule as SdkRule, TagSpecification } from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ec2/ids.js";
import { describeRule, flattenPermissions, type IpPermissionIn, sameRule, type SgRule } from "../../core/ec2/rules.js";
import type { Principal } from "../../core/arn.js";
import { type Ec2Deps, ec2Arn, rand } from "./deps.js";
import type { SecurityGroupDoc } from "./docs.js";
import { groupNotFound, missingParameter } from "./errors.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";

/** EC2's limit of rules per group and direction (the default quota). */
export const MAX_RULES_PER_DIRECTION = 60;

export function ruleOut(p: Principal, g: SecurityGroupDoc, r: SgRule): SdkRule {
  return {
    SecurityGroupRuleId: r.ruleId,
    GroupId: g.groupId,
    GroupOwnerId: g.ownerId,
    IsEgress: r.egress,
    IpProtocol: r.protocol,
    FromPort: r.fromPort,
    ToPort: r.toPort,
    ...(r.cidrIpv4 !== undefined ? { CidrIpv4: r.cidrIpv4 } : {}),
    ...(r.cidrIpv6 !== undefined ? { CidrIpv6: r.cidrIpv6 } : {}),
    ...(r.prefixListId !== undefined ? { PrefixListId: r.prefixListId } : {}),
    ...(r.groupId !== undefined ? { ReferencedGroupInfo: { GroupId: r.groupId, UserId: r.groupOwnerId ?? g.ownerId } } : {}),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...tagsOut((r.tags ?? []) as Array<{ Key: string; Value: string }>),
    SecurityGroupRuleArn: ec2Arn(p, "security-group-rule", r.ruleId),
  };
}

/** The IpPermissions of a call: `IpPermissions`, or the older top-level CidrIp/IpProtocol/FromPort/ToPort/SourceSecurityGroupName form. */
export function permissionsOf(input: {
  IpPermissions?: IpPermission[];
  CidrIp?: string;
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  SourceSecurityGroupName?: string;
  SourceSecurityGroupOwnerId?: string;
}): IpPermissionIn[] {
  if (input.IpPermissions?.length) return input.IpPermissions as IpPermissionIn[];
  if (input.CidrIp === undefined && input.SourceSecurityGroupName === undefined && input.IpProtocol === undefined) {
    throw missingParameter("IpPermissions");
  }
  return [
    {
      IpProtocol: input.IpProtocol ?? "-1",
      ...(input.FromPort !== undefined ? { FromPort: input.FromPort } : {}),
      ...(input.ToPort !== undefined ? { ToPort: input.ToPort } : {}),
      ...(input.CidrIp !== undefined ? { IpRanges: [{ CidrIp: input.CidrIp }] } : {}),
      ...(input.SourceSecurityGroupName !== undefined
        ? { UserIdGroupPairs: [{ GroupName: input.SourceSecurityGroupName, UserId: input.SourceSecurityGroupOwnerId }] }
        : {}),
    },
  ];
}

/**
 * New rules for `group` from IpPermissions: peers by group id or name resolved in the Region
 * (names in the group's VPC), duplicates refused with EC2's text, the per-direction limit kept.
 */
export function newRules(
  deps: Ec2Deps,
  group: SecurityGroupDoc,
  perms: IpPermissionIn[],
  egress: boolean,
  groups: SecurityGroupDoc[],
  tagSpecs: TagSpecification[] | undefined,
): SgRule[] {
  const tags = tagsFromSpecs(tagSpecs, "security-group-rule");
  const out: SgRule[] = [];
  for (const spec of flattenPermissions(perms, egress)) {
    const { groupName, ...rule } = spec;
    if (rule.groupId !== undefined || groupName !== undefined) {
      const peer = rule.groupId !== undefined
        ? groups.find((g) => g.groupId === rule.groupId)
        : groups.find((g) => g.groupName === groupName && g.vpcId === group.vpcId);
      if (!peer) throw groupNotFound(rule.groupId ?? groupName!, rule.groupId === undefined ? group.vpcId : undefined);
      rule.groupId = peer.groupId;
      rule.groupOwnerId = peer.ownerId;
    }
    if ([...group.rules, ...out].some((r) => sameRule(r, rule))) {
      throw new AwsError("InvalidPermission.Duplicate", `the specified rule "${describeRule(rule)}" already exists`);
    }
    out.push({ ruleId: ec2Id("sgr", rand(deps)), ...rule, ...(tags.length ? { tags } : {}) });
  }
  const count = [...group.rules, ...out].filter((r) => r.egress === egress).length;
  if (count > MAX_RULES_PER_DIRECTION) {
    throw new AwsError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
  }
  return out;
}

/** The group's rules a Revoke names (by IpPermissions or by rule id); refuses any that does not exist. */
export function rulesToRevoke(
  group: SecurityGroupDoc,
  input: { IpPermissions?: IpPermission[]; SecurityGroupRuleIds?: string[]; CidrIp?: string; IpProtocol?: string; FromPort?: number; ToPort?: number; SourceSecurityGroupName?: string },
  egress: boolean,
  groups: SecurityGroupDoc[],
): SgRule[] {
  if (input.SecurityGroupRuleIds?.length) {
    return input.SecurityGroupRuleIds.map((id) => {
      const r = group.rules.find((x) => x.ruleId === id && x.egress === egress);
      if (!r) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
      return r;
    });
  }
  return flattenPermissions(permissionsOf(input), egress).map(({ groupName, ...spec }) => {
    if (spec.groupId === undefined && groupName !== undefined) {
      spec.groupId = groups.find((g) => g.groupName === groupName && g.vpcId === group.vpcId)?.groupId ?? groupName;
    }
    const r = group.rules.find((x) => sameRule(x, spec));
    if (!r) throw new AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
    return r;
  });
}
