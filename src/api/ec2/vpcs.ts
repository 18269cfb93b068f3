import type {
  CreateVpcRequest,
  CreateVpcResult,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  ModifyVpcAttributeRequest,
  Vpc,
} from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import { parseCidr, VPC_PREFIX } from "../../core/ec2/cidr.js";
import type { FilterTable } from "../../core/ec2/filters.js";
import type { RequestContext } from "../../edge/service.js";
import { deleteOp, type Ec2Deps, ec2Lock, getIn, listIn, putOp } from "./deps.js";
import { describe } from "./describe.js";
import type { InternetGatewayDoc, NetworkInterfaceDoc, RouteTableDoc, SecurityGroupDoc, SubnetDoc, VpcDoc } from "./docs.js";
import { dependencyViolation, invalidCombination, invalidValue, missingParameter, vpcNotFound } from "./errors.js";
import { newVpc, regionDefaults } from "./network-defaults.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";

export function vpcOut(v: VpcDoc): Vpc {
  return {
    OwnerId: v.ownerId,
    InstanceTenancy: v.instanceTenancy as Vpc["InstanceTenancy"],
    CidrBlockAssociationSet: [{ AssociationId: v.cidrAssociationId, CidrBlock: v.cidrBlock, CidrBlockState: { State: "associated" } }],
    IsDefault: v.isDefault,
    ...tagsOut(v.tags),
    VpcId: v.vpcId,
    State: "available",
    CidrBlock: v.cidrBlock,
    DhcpOptionsId: v.dhcpOptionsId,
  };
}

const VPC_FILTERS: FilterTable<VpcDoc> = {
  cidr: (v) => v.cidrBlock,
  "cidr-block": (v) => v.cidrBlock,
  "cidr-block-association.cidr-block": (v) => v.cidrBlock,
  "cidr-block-association.association-id": (v) => v.cidrAssociationId,
  "cidr-block-association.state": () => "associated",
  "dhcp-options-id": (v) => v.dhcpOptionsId,
  "is-default": (v) => v.isDefault,
  "owner-id": (v) => v.ownerId,
  state: () => "available",
  "vpc-id": (v) => v.vpcId,
  "instance-tenancy": (v) => v.instanceTenancy,
};

/** The VPC, or InvalidVpcID.NotFound. */
export async function vpcOrThrow(deps: Ec2Deps, region: string, vpcId: string | undefined, param = "VpcId"): Promise<VpcDoc> {
  if (vpcId === undefined || vpcId === "") throw missingParameter(param);
  const vpc = await getIn<VpcDoc>(deps, "ec2-vpc", region, vpcId);
  if (!vpc) throw vpcNotFound([vpcId]);
  return vpc;
}

export async function createVpc(deps: Ec2Deps, input: CreateVpcRequest, ctx: RequestContext): Promise<CreateVpcResult> {
  const p = ctx.principal;
  if (input.Ipv4IpamPoolId !== undefined || input.Ipv6IpamPoolId !== undefined) {
    throw new AwsError("UnsupportedOperation", "Wharf has no IPAM pools: give the VPC a CidrBlock.");
  }
  if (input.AmazonProvidedIpv6CidrBlock || input.Ipv6CidrBlock !== undefined || input.Ipv6Pool !== undefined) {
    throw new AwsError("UnsupportedOperation", "Wharf's VPCs are IPv4 only.");
  }
  if (input.CidrBlock === undefined) throw new AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  const cidr = parseCidr(input.CidrBlock);
  if (!cidr) throw invalidValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  if (cidr.prefix < VPC_PREFIX.min || cidr.prefix > VPC_PREFIX.max) throw new AwsError("InvalidVpc.Range", `The CIDR '${input.CidrBlock}' is invalid.`);
  const tags = tagsFromSpecs(input.TagSpecifications, "vpc");
  const { dhcpOptionsId } = await regionDefaults(deps, p);
  const made = newVpc(deps, p, { cidr, isDefault: false, tenancy: input.InstanceTenancy ?? "default", tags, dhcpOptionsId });
  await deps.lock(ec2Lock(p.region), () => deps.store.write(made.ops));
  return { Vpc: { ...vpcOut(made.vpc), State: "pending" } };
}

export async function describeVpcs(deps: Ec2Deps, input: DescribeVpcsRequest, ctx: RequestContext): Promise<DescribeVpcsResult> {
  const all = await listIn<VpcDoc>(deps, "ec2-vpc", ctx.principal.region);
  const page = describe(all, (v) => v.vpcId, { ...input, ids: input.VpcIds, idsParam: "vpcIds" }, VPC_FILTERS, vpcNotFound);
  return { Vpcs: page.items.map(vpcOut), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteVpc(deps: Ec2Deps, input: DeleteVpcRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const vpc = await vpcOrThrow(deps, region, input.VpcId);
    const inVpc = <T extends { vpcId?: string }>(xs: T[]) => xs.filter((x) => x.vpcId === vpc.vpcId);
    const subnets = inVpc(await listIn<SubnetDoc>(deps, "ec2-subnet", region));
    const igws = inVpc(await listIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region));
    const groups = inVpc(await listIn<SecurityGroupDoc>(deps, "ec2-security-group", region));
    const tables = inVpc(await listIn<RouteTableDoc>(deps, "ec2-route-table", region));
    const enis = inVpc(await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region));
    const extraGroups = groups.filter((g) => g.groupId !== vpc.defaultSecurityGroupId);
    const extraTables = tables.filter((t) => t.routeTableId !== vpc.mainRouteTableId);
    if (subnets.length || igws.length || extraGroups.length || extraTables.length || enis.length) {
      throw dependencyViolation(`The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`);
    }
    await deps.store.write([
      deleteOp("ec2-vpc", vpc.vpcId),
      ...groups.map((g) => deleteOp("ec2-security-group", g.groupId)),
      ...tables.map((t) => deleteOp("ec2-route-table", t.routeTableId)),
      deleteOp("ec2-network-acl", vpc.defaultNetworkAclId),
    ]);
  });
  return {};
}

const ATTRIBUTES = {
  enableDnsSupport: "EnableDnsSupport",
  enableDnsHostnames: "EnableDnsHostnames",
  enableNetworkAddressUsageMetrics: "EnableNetworkAddressUsageMetrics",
} as const;

export async function describeVpcAttribute(
  deps: Ec2Deps,
  input: DescribeVpcAttributeRequest,
  ctx: RequestContext,
): Promise<DescribeVpcAttributeResult> {
  if (input.Attribute === undefined) throw missingParameter("Attribute");
  const vpc = await vpcOrThrow(deps, ctx.principal.region, input.VpcId);
  const attr = input.Attribute as keyof typeof ATTRIBUTES;
  return { VpcId: vpc.vpcId, [ATTRIBUTES[attr]]: { Value: vpc[attr] } };
}

export async function modifyVpcAttribute(deps: Ec2Deps, input: ModifyVpcAttributeRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  const given = (Object.keys(ATTRIBUTES) as Array<keyof typeof ATTRIBUTES>).filter((k) => input[ATTRIBUTES[k]] !== undefined);
  if (given.length === 0) throw missingParameter("EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics");
  if (given.length > 1) throw invalidCombination("Fields for multiple attribute types specified: " + given.join(", "));
  const attr = given[0]!;
  const value = input[ATTRIBUTES[attr]]!.Value;
  if (value === undefined) throw missingParameter(`${ATTRIBUTES[attr]}.Value`);
  await deps.lock(ec2Lock(region), async () => {
    const vpc = await vpcOrThrow(deps, region, input.VpcId);
    if (attr === "enableDnsHostnames" && value && !vpc.enableDnsSupport) {
      throw invalidValue("Cannot enable DNS hostnames when DNS support is disabled.");
    }
    await deps.store.write([putOp("ec2-vpc", region, vpc.vpcId, { ...vpc, [attr]: value })]);
  });
  return {};
}
