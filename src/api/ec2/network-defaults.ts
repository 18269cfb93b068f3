import type { Principal } from "../../core/arn.js";
import { type Cidr, formatCidr, nthBlock, parseCidr } from "../../core/ec2/cidr.js";
import { ec2Id } from "../../core/ec2/ids.js";
import type { SgRule } from "../../core/ec2/rules.js";
import { zonesOf } from "../../core/ec2/zones.js";
import type { WriteOp } from "../../store/store.js";
import { type Ec2Deps, ec2Lock, putOp, rand } from "./deps.js";
import type { InternetGatewayDoc, NetworkAclDoc, RouteTableDoc, SecurityGroupDoc, SubnetDoc, Tag, VpcDoc } from "./docs.js";

/**
 * What every VPC comes with (its default security group, main route table and default network
 * ACL), and what every Region has from the first call, as in a new AWS account: a default VPC
 * 172.31.0.0/16 with an internet gateway, a route to it, and one default /20 subnet per zone.
 */
export const DEFAULT_VPC_CIDR = "172.31.0.0/16";
export const DEFAULT_SUBNET_PREFIX = 20;

interface RegionMarker {
  region: string;
  defaultVpcId: string;
  dhcpOptionsId: string;
}

const markerId = (region: string) => `ec2-defaults:${region}`;

export function newSgRule(deps: Ec2Deps, rule: Omit<SgRule, "ruleId">): SgRule {
  return { ruleId: ec2Id("sgr", rand(deps)), ...rule };
}

/** The rule every new security group starts with: all traffic out to anywhere. */
export const allEgress = (deps: Ec2Deps): SgRule =>
  newSgRule(deps, { egress: true, protocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" });

export interface NewVpc {
  vpc: VpcDoc;
  ops: WriteOp[];
}

/** A VPC and its default security group, main route table and default network ACL, as store writes. */
export function newVpc(
  deps: Ec2Deps,
  p: Principal,
  opts: { cidr: Cidr; isDefault: boolean; tenancy: string; tags: Tag[]; dhcpOptionsId: string },
): NewVpc {
  const r = rand(deps);
  const vpcId = ec2Id("vpc", r);
  const cidrBlock = formatCidr(opts.cidr);
  const owned = { region: p.region, ownerId: p.accountId };
  const sg: SecurityGroupDoc = {
    ...owned,
    tags: [],
    groupId: ec2Id("sg", r),
    groupName: "default",
    description: "default VPC security group",
    vpcId,
    rules: [],
  };
  sg.rules = [newSgRule(deps, { egress: false, protocol: "-1", fromPort: -1, toPort: -1, groupId: sg.groupId, groupOwnerId: p.accountId }), allEgress(deps)];
  const rtb: RouteTableDoc = {
    ...owned,
    tags: [],
    routeTableId: ec2Id("rtb", r),
    vpcId,
    mainAssociationId: ec2Id("rtbassoc", r),
    routes: [{ destinationCidrBlock: cidrBlock, gatewayId: "local", origin: "CreateRouteTable" }],
    associations: [],
  };
  const acl: NetworkAclDoc = { ...owned, tags: [], networkAclId: ec2Id("acl", r), vpcId, isDefault: true, associations: {} };
  const vpc: VpcDoc = {
    ...owned,
    tags: opts.tags,
    vpcId,
    cidrBlock,
    cidrAssociationId: ec2Id("vpc-cidr-assoc", r),
    instanceTenancy: opts.tenancy,
    isDefault: opts.isDefault,
    dhcpOptionsId: opts.dhcpOptionsId,
    enableDnsSupport: true,
    // AWS turns DNS hostnames on for the default VPC only.
    enableDnsHostnames: opts.isDefault,
    enableNetworkAddressUsageMetrics: false,
    defaultSecurityGroupId: sg.groupId,
    mainRouteTableId: rtb.routeTableId,
    defaultNetworkAclId: acl.networkAclId,
  };
  return {
    vpc,
    ops: [
      putOp("ec2-vpc", p.region, vpcId, vpc),
      putOp("ec2-security-group", p.region, sg.groupId, sg),
      putOp("ec2-route-table", p.region, rtb.routeTableId, rtb),
      putOp("ec2-network-acl", p.region, acl.networkAclId, acl),
    ],
  };
}

const ready = new WeakMap<Ec2Deps, Set<string>>();

/** The Region's DHCP options id (every VPC of the Region shares the default set). */
export async function regionDefaults(deps: Ec2Deps, p: Principal): Promise<RegionMarker> {
  await ensureRegion(deps, p);
  return (await deps.store.get<RegionMarker>("meta", markerId(p.region)))!.value;
}

/** Creates the Region's default network the first time any EC2 call (or lookup) reaches it. */
export async function ensureRegion(deps: Ec2Deps, p: Principal): Promise<void> {
  let done = ready.get(deps);
  if (!done) ready.set(deps, (done = new Set()));
  if (done.has(p.region)) return;
  await deps.lock(ec2Lock(p.region), async () => {
    if (await deps.store.get("meta", markerId(p.region))) return;
    const r = rand(deps);
    const dhcpOptionsId = ec2Id("dopt", r);
    const cidr = parseCidr(deps.defaultVpcCidr ?? DEFAULT_VPC_CIDR)!;
    // A /16 gets AWS's /20 per zone; another block the next four bits down (at most /28).
    const subnetPrefix = Math.min(28, Math.max(DEFAULT_SUBNET_PREFIX, cidr.prefix + 4));
    const { vpc, ops } = newVpc(deps, p, { cidr, isDefault: true, tenancy: "default", tags: [], dhcpOptionsId });
    const igw: InternetGatewayDoc = { region: p.region, ownerId: p.accountId, tags: [], internetGatewayId: ec2Id("igw", r), vpcId: vpc.vpcId };
    ops.push(putOp("ec2-internet-gateway", p.region, igw.internetGatewayId, igw));
    const rtbOp = ops.find((o) => o.op === "put" && o.kind === "ec2-route-table")! as { value: RouteTableDoc };
    rtbOp.value.routes.push({ destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.internetGatewayId, origin: "CreateRoute" });
    const aclOp = ops.find((o) => o.op === "put" && o.kind === "ec2-network-acl")! as { value: NetworkAclDoc };
    zonesOf(p.region).forEach((z, i) => {
      const subnet: SubnetDoc = {
        region: p.region,
        ownerId: p.accountId,
        tags: [],
        subnetId: ec2Id("subnet", r),
        vpcId: vpc.vpcId,
        cidrBlock: formatCidr(nthBlock(cidr, subnetPrefix, i)),
        availabilityZone: z.zoneName,
        availabilityZoneId: z.zoneId,
        defaultForAz: true,
        mapPublicIpOnLaunch: true,
        enableDns64: false,
        hostnameType: "ip-name",
        enableResourceNameDnsARecordOnLaunch: false,
        enableResourceNameDnsAAAARecordOnLaunch: false,
      };
      aclOp.value.associations[subnet.subnetId] = ec2Id("aclassoc", r);
      ops.push(putOp("ec2-subnet", p.region, subnet.subnetId, subnet));
    });
    const marker: RegionMarker = { region: p.region, defaultVpcId: vpc.vpcId, dhcpOptionsId };
    ops.push({ op: "put", kind: "meta", id: markerId(p.region), value: marker });
    await deps.store.write(ops);
  });
  done.add(p.region);
}
