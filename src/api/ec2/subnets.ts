import type {
  CreateSubnetRequest,
  CreateSubnetResult,
  DeleteSubnetRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  ModifySubnetAttributeRequest,
  Subnet,
} from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import { cidrContains, cidrsOverlap, formatCidr, parseCidr, usableAddresses, VPC_PREFIX } from "../../core/ec2/cidr.js";
import type { FilterTable } from "../../core/ec2/filters.js";
import { ec2Id } from "../../core/ec2/ids.js";
import { zonesOf } from "../../core/ec2/zones.js";
import type { Principal } from "../../core/arn.js";
import type { RequestContext } from "../../edge/service.js";
import { deleteOp, type Ec2Deps, ec2Arn, ec2Lock, getIn, listIn, putOp, rand } from "./deps.js";
import { describe } from "./describe.js";
import type { NetworkAclDoc, NetworkInterfaceDoc, RouteTableDoc, SubnetDoc } from "./docs.js";
import { dependencyViolation, invalidValue, missingParameter, subnetNotFound } from "./errors.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";
import { vpcOrThrow } from "./vpcs.js";

/** Subnet → EC2's Subnet (free addresses: the usable ones less the network interfaces in it). */
export function subnetOut(p: Principal, s: SubnetDoc, enisInSubnet: number): Subnet {
  return {
    AvailabilityZoneId: s.availabilityZoneId,
    MapCustomerOwnedIpOnLaunch: false,
    OwnerId: s.ownerId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    ...tagsOut(s.tags),
    SubnetArn: ec2Arn(p, "subnet", s.subnetId),
    EnableDns64: s.enableDns64,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: s.hostnameType,
      EnableResourceNameDnsARecord: s.enableResourceNameDnsARecordOnLaunch,
      EnableResourceNameDnsAAAARecord: s.enableResourceNameDnsAAAARecordOnLaunch,
    },
    BlockPublicAccessStates: { InternetGatewayBlockMode: "off" },
    SubnetId: s.subnetId,
    State: "available",
    VpcId: s.vpcId,
    CidrBlock: s.cidrBlock,
    AvailableIpAddressCount: Math.max(0, usableAddresses(parseCidr(s.cidrBlock)!) - enisInSubnet),
    AvailabilityZone: s.availabilityZone,
    DefaultForAz: s.defaultForAz,
    MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
  };
}

const SUBNET_FILTERS: FilterTable<SubnetDoc> = {
  "availability-zone": (s) => s.availabilityZone,
  availabilityZone: (s) => s.availabilityZone,
  "availability-zone-id": (s) => s.availabilityZoneId,
  availabilityZoneId: (s) => s.availabilityZoneId,
  "cidr-block": (s) => s.cidrBlock,
  cidr: (s) => s.cidrBlock,
  cidrBlock: (s) => s.cidrBlock,
  "default-for-az": (s) => s.defaultForAz,
  defaultForAz: (s) => s.defaultForAz,
  "map-public-ip-on-launch": (s) => s.mapPublicIpOnLaunch,
  "owner-id": (s) => s.ownerId,
  state: () => "available",
  "subnet-id": (s) => s.subnetId,
  "vpc-id": (s) => s.vpcId,
  "ipv6-native": () => false,
  "enable-dns64": (s) => s.enableDns64,
};

async function eniCounts(deps: Ec2Deps, region: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region)) {
    counts.set(e.subnetId, (counts.get(e.subnetId) ?? 0) + 1);
  }
  return counts;
}

export async function subnetOrThrow(deps: Ec2Deps, region: string, subnetId: string | undefined): Promise<SubnetDoc> {
  if (subnetId === undefined || subnetId === "") throw missingParameter("SubnetId");
  const s = await getIn<SubnetDoc>(deps, "ec2-subnet", region, subnetId);
  if (!s) throw subnetNotFound([subnetId]);
  return s;
}

export async function createSubnet(deps: Ec2Deps, input: CreateSubnetRequest, ctx: RequestContext): Promise<CreateSubnetResult> {
  const p = ctx.principal;
  if (input.Ipv6Native || input.Ipv6CidrBlock !== undefined || input.Ipv6IpamPoolId !== undefined) {
    throw new AwsError("UnsupportedOperation", "Wharf's subnets are IPv4 only.");
  }
  if (input.Ipv4IpamPoolId !== undefined) throw new AwsError("UnsupportedOperation", "Wharf has no IPAM pools: give the subnet a CidrBlock.");
  if (input.CidrBlock === undefined) throw missingParameter("CidrBlock");
  const cidr = parseCidr(input.CidrBlock);
  if (!cidr) throw invalidValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const zones = zonesOf(p.region);
  let zone = zones[Math.floor(rand(deps)() * zones.length)]!;
  if (input.AvailabilityZone !== undefined || input.AvailabilityZoneId !== undefined) {
    const found = zones.find((z) => z.zoneName === input.AvailabilityZone || z.zoneId === input.AvailabilityZoneId);
    if (!found) {
      const param = input.AvailabilityZone !== undefined ? "availabilityZone" : "availabilityZoneId";
      const given = input.AvailabilityZone ?? input.AvailabilityZoneId;
      const list = input.AvailabilityZone !== undefined ? zones.map((z) => z.zoneName) : zones.map((z) => z.zoneId);
      throw invalidValue(
        `Value (${given}) for parameter ${param} is invalid. Subnets can currently only be created in the following availability zones: ${list.join(", ")}.`,
      );
    }
    zone = found;
  }
  const tags = tagsFromSpecs(input.TagSpecifications, "subnet");
  return deps.lock(ec2Lock(p.region), async () => {
    const vpc = await vpcOrThrow(deps, p.region, input.VpcId);
    const vpcCidr = parseCidr(vpc.cidrBlock)!;
    if (cidr.prefix < VPC_PREFIX.min || cidr.prefix > VPC_PREFIX.max || !cidrContains(vpcCidr, cidr)) {
      throw new AwsError("InvalidSubnet.Range", `The CIDR '${input.CidrBlock}' is invalid.`);
    }
    const siblings = (await listIn<SubnetDoc>(deps, "ec2-subnet", p.region)).filter((s) => s.vpcId === vpc.vpcId);
    if (siblings.some((s) => cidrsOverlap(parseCidr(s.cidrBlock)!, cidr))) {
      throw new AwsError("InvalidSubnet.Conflict", `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    }
    const subnet: SubnetDoc = {
      region: p.region,
      ownerId: p.accountId,
      tags,
      subnetId: ec2Id("subnet", rand(deps)),
      vpcId: vpc.vpcId,
      cidrBlock: formatCidr(cidr),
      availabilityZone: zone.zoneName,
      availabilityZoneId: zone.zoneId,
      defaultForAz: false,
      mapPublicIpOnLaunch: false,
      enableDns64: false,
      hostnameType: "ip-name",
      enableResourceNameDnsARecordOnLaunch: false,
      enableResourceNameDnsAAAARecordOnLaunch: false,
    };
    const acl = await getIn<NetworkAclDoc>(deps, "ec2-network-acl", p.region, vpc.defaultNetworkAclId);
    const ops = [putOp("ec2-subnet", p.region, subnet.subnetId, subnet)];
    if (acl) {
      ops.push(putOp("ec2-network-acl", p.region, acl.networkAclId, { ...acl, associations: { ...acl.associations, [subnet.subnetId]: ec2Id("aclassoc", rand(deps)) } }));
    }
    await deps.store.write(ops);
    return { Subnet: { ...subnetOut(p, subnet, 0), State: "pending" } };
  });
}

export async function describeSubnets(deps: Ec2Deps, input: DescribeSubnetsRequest, ctx: RequestContext): Promise<DescribeSubnetsResult> {
  const region = ctx.principal.region;
  const all = await listIn<SubnetDoc>(deps, "ec2-subnet", region);
  const page = describe(all, (s) => s.subnetId, { ...input, ids: input.SubnetIds, idsParam: "subnetIds" }, SUBNET_FILTERS, subnetNotFound);
  const counts = await eniCounts(deps, region);
  return {
    Subnets: page.items.map((s) => subnetOut(ctx.principal, s, counts.get(s.subnetId) ?? 0)),
    ...(page.NextToken ? { NextToken: page.NextToken } : {}),
  };
}

export async function deleteSubnet(deps: Ec2Deps, input: DeleteSubnetRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const subnet = await subnetOrThrow(deps, region, input.SubnetId);
    const enis = (await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region)).filter((e) => e.subnetId === subnet.subnetId);
    if (enis.length > 0) throw dependencyViolation(`The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`);
    const ops = [deleteOp("ec2-subnet", subnet.subnetId)];
    // Its route table association and network ACL association go with it, as in AWS.
    for (const t of await listIn<RouteTableDoc>(deps, "ec2-route-table", region)) {
      if (t.associations.some((a) => a.subnetId === subnet.subnetId)) {
        ops.push(putOp("ec2-route-table", region, t.routeTableId, { ...t, associations: t.associations.filter((a) => a.subnetId !== subnet.subnetId) }));
      }
    }
    for (const acl of await listIn<NetworkAclDoc>(deps, "ec2-network-acl", region)) {
      if (Object.hasOwn(acl.associations, subnet.subnetId)) {
        const { [subnet.subnetId]: _gone, ...rest } = acl.associations;
        ops.push(putOp("ec2-network-acl", region, acl.networkAclId, { ...acl, associations: rest }));
      }
    }
    await deps.store.write(ops);
  });
  return {};
}

export async function modifySubnetAttribute(deps: Ec2Deps, input: ModifySubnetAttributeRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  if (input.AssignIpv6AddressOnCreation?.Value) throw new AwsError("UnsupportedOperation", "Wharf's subnets are IPv4 only.");
  if (input.MapCustomerOwnedIpOnLaunch?.Value) throw new AwsError("UnsupportedOperation", "Wharf has no Outposts (customer-owned IPs).");
  await deps.lock(ec2Lock(region), async () => {
    const s = await subnetOrThrow(deps, region, input.SubnetId);
    const next: SubnetDoc = { ...s };
    if (input.MapPublicIpOnLaunch?.Value !== undefined) next.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
    if (input.EnableDns64?.Value !== undefined) next.enableDns64 = input.EnableDns64.Value;
    if (input.PrivateDnsHostnameTypeOnLaunch !== undefined) next.hostnameType = input.PrivateDnsHostnameTypeOnLaunch;
    if (input.EnableResourceNameDnsARecordOnLaunch?.Value !== undefined) {
      next.enableResourceNameDnsARecordOnLaunch = input.EnableResourceNameDnsARecordOnLaunch.Value;
    }
    if (input.EnableResourceNameDnsAAAARecordOnLaunch?.Value !== undefined) {
      next.enableResourceNameDnsAAAARecordOnLaunch = input.EnableResourceNameDnsAAAARecordOnLaunch.Value;
    }
    await deps.store.write([putOp("ec2-subnet", region, s.subnetId, next)]);
  });
  return {};
}
