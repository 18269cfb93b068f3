import type {
  CreateTargetGroupInput,
  CreateTargetGroupOutput,
  DeleteTargetGroupInput,
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupAttributesOutput,
  ModifyTargetGroupInput,
  ModifyTargetGroupOutput,
  TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { attributeList, defaultTargetGroupAttributes, modifyAttributes } from "../../core/lb/attributes.js";
import { healthCheckSettings } from "../../core/lb/health-check.js";
import { checkElbName } from "../../core/lb/names.js";
import type { RequestContext } from "../../edge/service.js";
import { lookupVpc } from "../ec2/lookup.js";
import { deleteOp, elbArn, elbLock, type Elbv2Deps, getIn, listIn, newElbId, putOp } from "./deps.js";
import type { TargetGroupDoc } from "./docs.js";
import { loadBalancerOf } from "./load-balancers.js";
import { duplicateTargetGroupName, noTls, notAnArn, resourceInUse, targetGroupNotFound, unsupportedProtocol, validationError } from "./errors.js";
import { elbPage } from "./paging.js";
import { checkTagsIn } from "./tags.js";
import { groupUsage } from "./usage.js";

const TG_ARN = /^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

export function checkTargetGroupArn(arn: string): void {
  if (!TG_ARN.test(arn)) throw notAnArn(arn, "target group");
}

export async function targetGroupOf(deps: Elbv2Deps, region: string, arn: string): Promise<TargetGroupDoc> {
  checkTargetGroupArn(arn);
  const tg = await getIn<TargetGroupDoc>(deps, "elbv2-target-group", region, arn);
  if (!tg) throw targetGroupNotFound();
  return tg;
}

export function targetGroupOut(tg: TargetGroupDoc, lbs: Iterable<string> = []): TargetGroup {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol as TargetGroup["Protocol"],
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol as TargetGroup["HealthCheckProtocol"],
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThresholdCount,
    UnhealthyThresholdCount: hc.unhealthyThresholdCount,
    ...(hc.path !== undefined ? { HealthCheckPath: hc.path } : {}),
    ...(hc.matcher ? { Matcher: hc.matcher } : {}),
    LoadBalancerArns: [...lbs].sort(),
    TargetType: tg.targetType,
    ...(tg.protocolVersion ? { ProtocolVersion: tg.protocolVersion } : {}),
    IpAddressType: tg.ipAddressType as TargetGroup["IpAddressType"],
  };
}

/** Wharf's data plane carries HTTP and TCP; other protocols are refused, and say why. */
function checkGroupProtocol(protocol: string): void {
  if (protocol === "HTTPS" || protocol === "TLS") throw noTls(protocol);
  if (protocol !== "HTTP" && protocol !== "TCP") throw unsupportedProtocol(`Wharf's load balancers carry HTTP and TCP only, not '${protocol}'`);
}

export async function createTargetGroup(deps: Elbv2Deps, input: CreateTargetGroupInput, ctx: RequestContext): Promise<CreateTargetGroupOutput> {
  const p = ctx.principal;
  const name = input.Name!;
  checkElbName(name, "target group");
  const targetType = input.TargetType ?? "instance";
  if (targetType !== "instance" && targetType !== "ip") throw validationError(`Wharf does not serve target groups of target type '${targetType}' yet`);
  if (!input.Protocol) throw validationError("A protocol must be specified");
  if (input.Port === undefined) throw validationError("A port must be specified");
  if (!input.VpcId) throw validationError("A VPC ID must be specified");
  checkGroupProtocol(input.Protocol);
  if (input.ProtocolVersion === "") delete input.ProtocolVersion; // Terraform sends `ProtocolVersion=` for none
  if (input.ProtocolVersion !== undefined && input.Protocol !== "HTTP") throw validationError("Protocol version is only supported with HTTP and HTTPS target groups");
  if (input.ProtocolVersion !== undefined && input.ProtocolVersion !== "HTTP1") throw validationError(`Wharf serves protocol version 'HTTP1' only, not '${input.ProtocolVersion}'`);
  const ipAddressType = input.IpAddressType ?? "ipv4";
  if (ipAddressType !== "ipv4") throw validationError(`Wharf serves only the IP address type 'ipv4', not '${ipAddressType}'`);
  if (!(await lookupVpc(deps, p, input.VpcId))) throw validationError(`The VPC ID '${input.VpcId}' is not found`);
  const healthCheck = healthCheckSettings(input.Protocol, input);
  const tags = checkTagsIn(input.Tags ?? []);
  const wanted = {
    region: p.region,
    name,
    targetType,
    protocol: input.Protocol,
    ...(input.Protocol === "HTTP" ? { protocolVersion: "HTTP1" } : {}),
    port: input.Port,
    vpcId: input.VpcId,
    ipAddressType,
    healthCheck,
  };
  return deps.lock(elbLock(p.region), async () => {
    const existing = (await listIn<TargetGroupDoc>(deps, "elbv2-target-group", p.region)).find((t) => t.name === name);
    if (existing) {
      const { region, name: n, targetType: tt, protocol, port, vpcId, healthCheck: hc } = existing;
      if (JSON.stringify({ region, n, tt, protocol, port, vpcId, hc }) !== JSON.stringify({ region, n: name, tt: targetType, protocol: wanted.protocol, port: wanted.port, vpcId: wanted.vpcId, hc: healthCheck })) {
        throw duplicateTargetGroupName(name);
      }
      return { TargetGroups: [targetGroupOut(existing, (await groupUsage(deps, p.region)).get(existing.arn))] };
    }
    const id = newElbId();
    const tg: TargetGroupDoc = {
      ...wanted,
      arn: elbArn(p, `targetgroup/${name}/${id}`),
      id,
      tags,
      attributes: defaultTargetGroupAttributes(input.Protocol, targetType),
      targets: [],
    };
    await deps.store.write([putOp("elbv2-target-group", p.region, tg.arn, tg, name)]);
    return { TargetGroups: [targetGroupOut(tg)] };
  });
}

export async function describeTargetGroups(deps: Elbv2Deps, input: DescribeTargetGroupsInput, ctx: RequestContext): Promise<DescribeTargetGroupsOutput> {
  const region = ctx.principal.region;
  const given = [input.LoadBalancerArn, input.TargetGroupArns?.length, input.Names?.length].filter(Boolean).length;
  if (given > 1) throw validationError("Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time");
  const usage = await groupUsage(deps, region);
  let tgs = (await listIn<TargetGroupDoc>(deps, "elbv2-target-group", region)).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (input.TargetGroupArns?.length) {
    input.TargetGroupArns.forEach(checkTargetGroupArn);
    const found = tgs.filter((t) => input.TargetGroupArns!.includes(t.arn));
    if (found.length !== new Set(input.TargetGroupArns).size) throw targetGroupNotFound();
    tgs = found;
  }
  if (input.Names?.length) {
    const missing = input.Names.filter((n) => !tgs.some((t) => t.name === n));
    if (missing.length) throw targetGroupNotFound(missing);
    tgs = tgs.filter((t) => input.Names!.includes(t.name));
  }
  if (input.LoadBalancerArn) {
    await loadBalancerOf(deps, region, input.LoadBalancerArn);
    tgs = tgs.filter((t) => usage.get(t.arn)?.has(input.LoadBalancerArn!));
  }
  const page = elbPage(tgs, (t) => t.name, input);
  return { TargetGroups: page.items.map((t) => targetGroupOut(t, usage.get(t.arn))), ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}

export async function modifyTargetGroup(deps: Elbv2Deps, input: ModifyTargetGroupInput, ctx: RequestContext): Promise<ModifyTargetGroupOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const tg = await targetGroupOf(deps, region, input.TargetGroupArn!);
    const healthCheck = healthCheckSettings(tg.protocol ?? "HTTP", input, tg.healthCheck as Parameters<typeof healthCheckSettings>[2]);
    const next = { ...tg, healthCheck };
    await deps.store.write([putOp("elbv2-target-group", region, tg.arn, next, tg.name)]);
    return { TargetGroups: [targetGroupOut(next, (await groupUsage(deps, region)).get(tg.arn))] };
  });
}

export async function deleteTargetGroup(deps: Elbv2Deps, input: DeleteTargetGroupInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  checkTargetGroupArn(input.TargetGroupArn!);
  return deps.lock(elbLock(region), async () => {
    const tg = await getIn<TargetGroupDoc>(deps, "elbv2-target-group", region, input.TargetGroupArn!);
    if (!tg) return {}; // gone already: ELB answers success
    if ((await groupUsage(deps, region)).get(tg.arn)?.size) {
      throw resourceInUse(`Target group '${tg.arn}' is currently in use by a listener or a rule`);
    }
    const health = await deps.store.list("elbv2-target-health", { scope: tg.arn });
    await deps.store.write([deleteOp("elbv2-target-group", tg.arn), ...health.map((h) => deleteOp("elbv2-target-health", h.id))]);
    return {};
  });
}

export async function describeTargetGroupAttributes(
  deps: Elbv2Deps,
  input: DescribeTargetGroupAttributesInput,
  ctx: RequestContext,
): Promise<DescribeTargetGroupAttributesOutput> {
  const tg = await targetGroupOf(deps, ctx.principal.region, input.TargetGroupArn!);
  return { Attributes: attributeList(tg.attributes) };
}

export async function modifyTargetGroupAttributes(
  deps: Elbv2Deps,
  input: ModifyTargetGroupAttributesInput,
  ctx: RequestContext,
): Promise<ModifyTargetGroupAttributesOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const tg = await targetGroupOf(deps, region, input.TargetGroupArn!);
    const attributes = modifyAttributes(tg.attributes, input.Attributes ?? [], "Target group");
    await deps.store.write([putOp("elbv2-target-group", region, tg.arn, { ...tg, attributes }, tg.name)]);
    return { Attributes: attributeList(attributes) };
  });
}
