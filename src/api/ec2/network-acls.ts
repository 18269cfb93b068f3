import type { DescribeNetworkAclsRequest, DescribeNetworkAclsResult, NetworkAcl, NetworkAclEntry } from "@aws-sdk/client-ec2";
import type { FilterTable } from "../../core/ec2/filters.js";
import type { RequestContext } from "../../edge/service.js";
import { type Ec2Deps, listIn } from "./deps.js";
import { describe } from "./describe.js";
import type { NetworkAclDoc } from "./docs.js";
import { aclNotFound } from "./errors.js";
import { tagsOut } from "./tag-specs.js";

/**
 * Every VPC's default network ACL, as EC2 creates it: allow all traffic in and out (rule 100),
 * then the catch-all deny (rule `*`, 32767); every subnet of the VPC is associated with it.
 * Wharf stores no other ACLs and enforces none (security groups are what it enforces).
 */
const DEFAULT_ENTRIES: NetworkAclEntry[] = [true, false].flatMap((egress) => [
  { CidrBlock: "0.0.0.0/0", Egress: egress, Protocol: "-1", RuleAction: "allow", RuleNumber: 100 },
  { CidrBlock: "0.0.0.0/0", Egress: egress, Protocol: "-1", RuleAction: "deny", RuleNumber: 32767 },
]);

export const aclOut = (a: NetworkAclDoc): NetworkAcl => ({
  Associations: Object.entries(a.associations).map(([subnetId, id]) => ({ NetworkAclAssociationId: id, NetworkAclId: a.networkAclId, SubnetId: subnetId })),
  Entries: DEFAULT_ENTRIES,
  IsDefault: a.isDefault,
  NetworkAclId: a.networkAclId,
  ...tagsOut(a.tags),
  VpcId: a.vpcId,
  OwnerId: a.ownerId,
});

const ACL_FILTERS: FilterTable<NetworkAclDoc> = {
  "association.association-id": (a) => Object.values(a.associations),
  "association.network-acl-id": (a) => (Object.keys(a.associations).length ? a.networkAclId : undefined),
  "association.subnet-id": (a) => Object.keys(a.associations),
  default: (a) => a.isDefault,
  "entry.cidr": () => "0.0.0.0/0",
  "entry.egress": () => [true, false],
  "entry.protocol": () => "-1",
  "entry.rule-action": () => ["allow", "deny"],
  "entry.rule-number": () => [100, 32767],
  "network-acl-id": (a) => a.networkAclId,
  "owner-id": (a) => a.ownerId,
  "vpc-id": (a) => a.vpcId,
};

export async function describeNetworkAcls(deps: Ec2Deps, input: DescribeNetworkAclsRequest, ctx: RequestContext): Promise<DescribeNetworkAclsResult> {
  const all = await listIn<NetworkAclDoc>(deps, "ec2-network-acl", ctx.principal.region);
  const page = describe(all, (a) => a.networkAclId, { ...input, ids: input.NetworkAclIds, idsParam: "networkAclIds" }, ACL_FILTERS, aclNotFound);
  return { NetworkAcls: page.items.map(aclOut), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}
