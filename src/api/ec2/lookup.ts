import type { Principal } from "../../core/arn.js";
import type { SgRule } from "../../core/ec2/rules.js";
import { type Ec2Deps, getIn } from "./deps.js";
import type { SecurityGroupDoc, SubnetDoc, VpcDoc } from "./docs.js";
import { ensureRegion } from "./network-defaults.js";

/**
 * What the ECS side needs from EC2 in one call each (awsvpc addresses, Fargate placement,
 * security group enforcement). Both create the Region's default network on first use, so the
 * default subnets and groups exist even if no EC2 call came first.
 */
export interface SubnetInfo {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  /** The VPC's DNS hostnames setting (ENIs get private DNS names when on). */
  enableDnsHostnames: boolean;
  /** The VPC's default security group (what an ENI gets when no group is named). */
  defaultSecurityGroupId: string;
}

/** The subnet of the Region, or undefined when EC2 has no such subnet. */
export async function lookupSubnet(deps: Ec2Deps, p: Principal, subnetId: string): Promise<SubnetInfo | undefined> {
  await ensureRegion(deps, p);
  const s = await getIn<SubnetDoc>(deps, "ec2-subnet", p.region, subnetId);
  if (!s) return undefined;
  const vpc = await getIn<VpcDoc>(deps, "ec2-vpc", p.region, s.vpcId);
  return {
    subnetId: s.subnetId,
    vpcId: s.vpcId,
    cidrBlock: s.cidrBlock,
    availabilityZone: s.availabilityZone,
    availabilityZoneId: s.availabilityZoneId,
    enableDnsHostnames: vpc?.enableDnsHostnames ?? false,
    defaultSecurityGroupId: vpc?.defaultSecurityGroupId ?? "",
  };
}

export interface GroupRules {
  groupId: string;
  groupName: string;
  vpcId: string;
  ingress: SgRule[];
  egress: SgRule[];
}

/** The security group's rules (see core/ec2/rules.ts `ruleAllows`), or undefined when there is no such group. */
export async function lookupSecurityGroupRules(deps: Ec2Deps, p: Principal, groupId: string): Promise<GroupRules | undefined> {
  await ensureRegion(deps, p);
  const g = await getIn<SecurityGroupDoc>(deps, "ec2-security-group", p.region, groupId);
  if (!g) return undefined;
  return { groupId: g.groupId, groupName: g.groupName, vpcId: g.vpcId, ingress: g.rules.filter((r) => !r.egress), egress: g.rules.filter((r) => r.egress) };
}

export interface VpcInfo {
  vpcId: string;
  cidrBlock: string;
  defaultSecurityGroupId: string;
}

/** The VPC of the Region (ELBv2 target groups and load balancers name one), or undefined. */
export async function lookupVpc(deps: Ec2Deps, p: Principal, vpcId: string): Promise<VpcInfo | undefined> {
  await ensureRegion(deps, p);
  const v = await getIn<VpcDoc>(deps, "ec2-vpc", p.region, vpcId);
  return v && { vpcId: v.vpcId, cidrBlock: v.cidrBlock, defaultSecurityGroupId: v.defaultSecurityGroupId };
}
