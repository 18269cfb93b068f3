import type {
  CreateLoadBalancerInput,
  CreateLoadBalancerOutput,
  DeleteLoadBalancerInput,
  DescribeLoadBalancerAttributesInput,
  DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
  LoadBalancer,
  ModifyLoadBalancerAttributesInput,
  ModifyLoadBalancerAttributesOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { attributeList, defaultLoadBalancerAttributes, modifyAttributes } from "../../core/lb/attributes.js";
import { checkElbName } from "../../core/lb/names.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { lookupSecurityGroupRules, lookupSubnet, lookupVpc } from "../ec2/lookup.js";
import { deleteOp, elbArn, elbLock, type Elbv2Deps, getIn, listIn, newElbId, nowSeconds, putOp, typeSegment } from "./deps.js";
import type { ListenerDoc, LoadBalancerDoc, RuleDoc } from "./docs.js";
import {
  duplicateLoadBalancerName,
  invalidConfiguration,
  invalidSecurityGroup,
  loadBalancerNotFound,
  notAnArn,
  operationNotPermitted,
  subnetNotFound,
  validationError,
} from "./errors.js";
import { elbPage } from "./paging.js";
import { checkTagsIn } from "./tags.js";

/** Wharf's stand-in for the hosted zone id of ELB's DNS names (there is no Route 53 zone). */
export const WHARF_HOSTED_ZONE_ID = "ZWHARFLOCALELB";

/**
 * Each load balancer's own loopback address (127.77.X.Y by default — the prefix is the server's
 * `lbAddressPrefix` — from a store counter, never reused): its listeners bind there, so two load
 * balancers can both listen on port 80.
 */
export async function nextBindAddress(deps: Elbv2Deps): Promise<string> {
  const n = (await deps.store.nextSequence("elbv2-bind-address")) - 1;
  return `${deps.lbAddressPrefix ?? "127.77"}.${Math.floor(n / 254) % 256}.${1 + (n % 254)}`;
}

const LB_ARN = /^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

export function checkLoadBalancerArn(arn: string): void {
  if (!LB_ARN.test(arn)) throw notAnArn(arn, "load balancer");
}

/** The load balancer of the Region with this ARN, or LoadBalancerNotFound. */
export async function loadBalancerOf(deps: Elbv2Deps, region: string, arn: string): Promise<LoadBalancerDoc> {
  checkLoadBalancerArn(arn);
  const lb = await getIn<LoadBalancerDoc>(deps, "elbv2-load-balancer", region, arn);
  if (!lb) throw loadBalancerNotFound();
  return lb;
}

export function loadBalancerOut(lb: LoadBalancerDoc, now: number): LoadBalancer {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: WHARF_HOSTED_ZONE_ID,
    CreatedTime: lb.createdTime as unknown as Date,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: now >= lb.activeAt ? "active" : "provisioning" },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s) => ({ ZoneName: s.zoneName, SubnetId: s.subnetId, LoadBalancerAddresses: [{ IpAddress: lb.bindAddress }] })),
    ...(lb.type === "application" || lb.securityGroups.length ? { SecurityGroups: lb.securityGroups } : {}),
    IpAddressType: lb.ipAddressType as LoadBalancer["IpAddressType"],
  };
}

const sameSettings = (a: LoadBalancerDoc, b: Omit<LoadBalancerDoc, "arn" | "id" | "dnsName" | "bindAddress" | "createdTime" | "activeAt" | "attributes">) =>
  a.type === b.type &&
  a.scheme === b.scheme &&
  a.ipAddressType === b.ipAddressType &&
  JSON.stringify(a.subnets.map((s) => s.subnetId).sort()) === JSON.stringify(b.subnets.map((s) => s.subnetId).sort()) &&
  JSON.stringify([...a.securityGroups].sort()) === JSON.stringify([...b.securityGroups].sort());

export async function createLoadBalancer(deps: Elbv2Deps, input: CreateLoadBalancerInput, ctx: RequestContext): Promise<CreateLoadBalancerOutput> {
  const p = ctx.principal;
  const name = input.Name!;
  checkElbName(name, "load balancer");
  const type = input.Type ?? "application";
  if (type === "gateway") throw validationError("Wharf does not serve load balancers of type 'gateway'");
  const scheme = input.Scheme ?? "internet-facing";
  const ipAddressType = input.IpAddressType ?? "ipv4";
  if (ipAddressType !== "ipv4") throw validationError(`Wharf serves only the IP address type 'ipv4', not '${ipAddressType}'`);
  if (input.Subnets?.length && input.SubnetMappings?.length) throw validationError("You must specify either subnets or subnet mappings, not both");
  const subnetIds = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId ?? "");
  const tags = checkTagsIn(input.Tags ?? []);
  const subnets: { subnetId: string; zoneName: string; vpcId: string }[] = [];
  for (const id of subnetIds) {
    const s = await lookupSubnet(deps, p, id);
    if (!s) throw subnetNotFound();
    subnets.push({ subnetId: s.subnetId, zoneName: s.availabilityZone, vpcId: s.vpcId });
  }
  const zones = new Set(subnets.map((s) => s.zoneName));
  if (type === "application" && zones.size < 2) throw validationError("At least two subnets in two different Availability Zones must be specified");
  if (subnets.length === 0) throw validationError("At least one subnet must be specified");
  if (zones.size !== subnets.length) throw invalidConfiguration("A load balancer cannot be attached to multiple subnets in the same Availability Zone");
  const vpcId = subnets[0]!.vpcId;
  if (subnets.some((s) => s.vpcId !== vpcId)) throw invalidConfiguration("All subnets must belong to the same VPC");
  let securityGroups = input.SecurityGroups ?? [];
  for (const g of securityGroups) {
    const rules = await lookupSecurityGroupRules(deps, p, g);
    if (!rules || rules.vpcId !== vpcId) throw invalidSecurityGroup(g);
  }
  if (type === "application" && securityGroups.length === 0) securityGroups = [(await lookupVpc(deps, p, vpcId))!.defaultSecurityGroupId];
  const wanted = { region: p.region, name, type, scheme, ipAddressType, vpcId, subnets: subnets.map(({ subnetId, zoneName }) => ({ subnetId, zoneName })), securityGroups, tags };
  return deps.lock(elbLock(p.region), async () => {
    const existing = (await listIn<LoadBalancerDoc>(deps, "elbv2-load-balancer", p.region)).find((l) => l.name === name);
    if (existing) {
      if (!sameSettings(existing, wanted)) throw duplicateLoadBalancerName(name);
      return { LoadBalancers: [loadBalancerOut(existing, nowSeconds(deps))] };
    }
    const id = newElbId();
    const now = nowSeconds(deps);
    const dnsId = String(1_000_000_000 + (parseInt(id.slice(0, 8), 16) % 999_999_999));
    const lb: LoadBalancerDoc = {
      ...wanted,
      arn: elbArn(p, `loadbalancer/${typeSegment(type)}/${name}/${id}`),
      id,
      dnsName: `${scheme === "internal" ? "internal-" : ""}${name}-${dnsId}.${p.region}.elb.localhost`.toLowerCase(),
      bindAddress: await nextBindAddress(deps),
      createdTime: now,
      activeAt: now,
      attributes: defaultLoadBalancerAttributes(type),
    };
    await deps.store.write([putOp("elbv2-load-balancer", p.region, lb.arn, lb, name)]);
    // ELB answers `provisioning` on create; the next Describe finds it active.
    return { LoadBalancers: [{ ...loadBalancerOut(lb, now), State: { Code: "provisioning" } }] };
  });
}

export async function describeLoadBalancers(deps: Elbv2Deps, input: DescribeLoadBalancersInput, ctx: RequestContext): Promise<DescribeLoadBalancersOutput> {
  const region = ctx.principal.region;
  if (input.LoadBalancerArns?.length && input.Names?.length) throw validationError("Load balancer names and load balancer ARNs cannot be specified at the same time");
  let lbs = (await listIn<LoadBalancerDoc>(deps, "elbv2-load-balancer", region)).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (input.LoadBalancerArns?.length) {
    input.LoadBalancerArns.forEach(checkLoadBalancerArn);
    const found = lbs.filter((l) => input.LoadBalancerArns!.includes(l.arn));
    if (found.length !== new Set(input.LoadBalancerArns).size) throw loadBalancerNotFound();
    lbs = found;
  }
  if (input.Names?.length) {
    const missing = input.Names.filter((n) => !lbs.some((l) => l.name === n));
    if (missing.length) throw loadBalancerNotFound(missing);
    lbs = lbs.filter((l) => input.Names!.includes(l.name));
  }
  const page = elbPage(lbs, (l) => l.name, input);
  const now = nowSeconds(deps);
  return { LoadBalancers: page.items.map((l) => loadBalancerOut(l, now)), ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}

export async function deleteLoadBalancer(deps: Elbv2Deps, input: DeleteLoadBalancerInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  checkLoadBalancerArn(input.LoadBalancerArn!);
  return deps.lock(elbLock(region), async () => {
    const lb = await getIn<LoadBalancerDoc>(deps, "elbv2-load-balancer", region, input.LoadBalancerArn!);
    if (!lb) return {}; // ELB: deleting a load balancer that is gone succeeds
    if (lb.attributes["deletion_protection.enabled"] === "true") {
      throw operationNotPermitted(`Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
    }
    const ops: WriteOp[] = [deleteOp("elbv2-load-balancer", lb.arn)];
    for (const l of await listIn<ListenerDoc>(deps, "elbv2-listener", region)) if (l.loadBalancerArn === lb.arn) ops.push(deleteOp("elbv2-listener", l.arn));
    for (const r of await listIn<RuleDoc>(deps, "elbv2-rule", region)) if (r.loadBalancerArn === lb.arn) ops.push(deleteOp("elbv2-rule", r.arn));
    await deps.store.write(ops);
    return {};
  });
}

export async function describeLoadBalancerAttributes(
  deps: Elbv2Deps,
  input: DescribeLoadBalancerAttributesInput,
  ctx: RequestContext,
): Promise<DescribeLoadBalancerAttributesOutput> {
  const lb = await loadBalancerOf(deps, ctx.principal.region, input.LoadBalancerArn!);
  return { Attributes: attributeList(lb.attributes) };
}

export async function modifyLoadBalancerAttributes(
  deps: Elbv2Deps,
  input: ModifyLoadBalancerAttributesInput,
  ctx: RequestContext,
): Promise<ModifyLoadBalancerAttributesOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const lb = await loadBalancerOf(deps, region, input.LoadBalancerArn!);
    const attributes = modifyAttributes(lb.attributes, input.Attributes ?? [], "Load balancer");
    await deps.store.write([putOp("elbv2-load-balancer", region, lb.arn, { ...lb, attributes }, lb.name)]);
    return { Attributes: attributeList(attributes) };
  });
}
