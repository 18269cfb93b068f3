import type { AwsVpcConfiguration, NetworkConfiguration } from "@aws-sdk/client-ecs";
import { randomUUID } from "node:crypto";
import type { TaskEni } from "../../contracts/agent-protocol.js";
import {
  ENI_ATTRIBUTES,
  macForAddress,
  newEniId,
  parseLimit,
  privateDnsName,
  SECURITY_GROUP_ID_RE,
  SUBNET_ID_RE,
  subnetGateway,
  taskEniCapacity,
} from "../../core/eni.js";
import { invalidParameter } from "../../core/errors.js";
import type { PlacementFailure } from "../../core/placement/index.js";
import { taskStatusRank } from "../../core/task-status.js";
import { epochSeconds } from "../../core/time.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { effectiveAccountSetting } from "./account-settings.js";
import type { EcsDeps } from "./deps.js";
import type { InstanceDoc } from "../../records/instance-doc.js";
import { allocateAddresses, releaseAddress } from "./subnets.js";
import { taskEniRecord } from "./task-eni-record.js";
import { ec2Arn, ec2Lock, putOp } from "../ec2/deps.js";
import { lookupSecurityGroupRules, lookupSubnet, type SubnetInfo } from "../ec2/lookup.js";
import type { TaskDoc } from "../../records/task-doc.js";

/**
 * awsvpc for RunTask/StartTask/services: the networkConfiguration checks ECS makes (its shape,
 * then against the EC2 API: subnets and groups must exist and be of one VPC), the ENI capacity
 * of each instance (placement counts not-yet-STOPPED awsvpc tasks against it, see
 * placement-indexes.ts), and each task's ElasticNetworkInterface (address from its EC2 subnet,
 * MAC, eni id, the VPC's default group when none is named) written with the task, together with
 * its `ec2-network-interface` record. The addressing itself is in subnets.ts.
 */

const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

/**
 * ECS's checks of `networkConfiguration` against the task definition's network mode and the
 * launch type. Returns the awsvpc configuration for awsvpc tasks, else undefined.
 */
export function validateTaskNetwork(
  td: TaskDefinitionDoc,
  net: NetworkConfiguration | undefined,
  launchType: string,
): AwsVpcConfiguration | undefined {
  const mode = td.networkMode ?? "bridge";
  const vpc = net?.awsvpcConfiguration;
  if (mode !== "awsvpc") {
    if (vpc) throw invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
    return undefined;
  }
  if (!vpc) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = vpc.subnets ?? [];
  if (subnets.length === 0) throw invalidParameter("subnets can not be empty.");
  if (subnets.length > MAX_SUBNETS) throw invalidParameter(`subnets can have at most ${MAX_SUBNETS} items.`);
  for (const s of subnets) {
    if (!SUBNET_ID_RE.test(s)) {
      throw invalidParameter(
        `Error retrieving subnet information for [${s}]: Invalid id: "${s}" (expecting "subnet-...") (ErrorCode: InvalidSubnetID.Malformed)`,
      );
    }
  }
  const groups = vpc.securityGroups ?? [];
  if (groups.length > MAX_SECURITY_GROUPS) {
    throw invalidParameter(`securityGroups can have at most ${MAX_SECURITY_GROUPS} items.`);
  }
  for (const g of groups) {
    if (!SECURITY_GROUP_ID_RE.test(g)) {
      throw invalidParameter(
        `Error retrieving security group information for [${g}]: Invalid id: "${g}" (expecting "sg-...") (ErrorCode: InvalidGroupId.Malformed)`,
      );
    }
  }
  if (vpc.assignPublicIp === "ENABLED" && launchType !== "FARGATE") {
    throw invalidParameter("Assign public IP is not supported for this launch type.");
  }
  return { ...vpc, subnets: [...new Set(subnets)], securityGroups: groups, assignPublicIp: vpc.assignPublicIp ?? "DISABLED" };
}

const attr = (doc: InstanceDoc, name: string): string | undefined => doc.attributes.find((a) => a.name === name)?.value;

/** Task ENIs an instance can hold (its attributes and instance type, trunking or not). */
export function instanceEniCapacity(doc: InstanceDoc, trunking: boolean): number {
  return taskEniCapacity({
    instanceType: attr(doc, "ecs.instance-type"),
    eniLimit: parseLimit(attr(doc, ENI_ATTRIBUTES.limit)),
    eniTrunkLimit: parseLimit(attr(doc, ENI_ATTRIBUTES.trunkLimit)),
    trunking,
  });
}

/** Whether awsvpcTrunking applies to the caller (its own setting, else the account default). */
export async function trunkingEnabled(deps: EcsDeps, ctx: RequestContext): Promise<boolean> {
  const s = await effectiveAccountSetting(deps, "awsvpcTrunking", ctx.callerArn, ctx.principal.region);
  return s.value === "enabled";
}

/**
 * An awsvpc configuration checked against the EC2 API: `subnets` deduplicated, `securityGroups`
 * the named ones or else the VPC's default group (as ECS: "If you don't specify a security
 * group, the default security group for the VPC is used"), with what each subnet is.
 */
export interface TaskNetwork extends AwsVpcConfiguration {
  subnets: string[];
  securityGroups: string[];
  vpcId: string;
  subnetInfo: Record<string, SubnetInfo>;
}

/** ECS's text when a subnet of awsvpcConfiguration is not in the EC2 API. */
export const subnetNotFoundMessage = (s: string): string =>
  `Error retrieving subnet information for [${s}]: The subnet ID '${s}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`;
/** ECS's text when a security group of awsvpcConfiguration is not in the EC2 API. */
export const groupNotFoundMessage = (g: string): string =>
  `Error retrieving security group information for [${g}]: The security group '${g}' does not exist (ErrorCode: InvalidGroup.NotFound)`;

/**
 * ECS's text when a group is of another VPC than the subnets (RunTask and CreateService answer
 * it so, as InvalidParameterException; checked before any task is placed).
 */
export const groupOtherVpcMessage = (g: string): string =>
  `Security group ${g} does not appear to belong to the same VPC as the input subnets.`;
/**
 * Wharf's text when the subnets are of two VPCs (ECS refuses this with InvalidParameterException;
 * its exact wording could not be verified, see docs/ec2.md).
 */
export const subnetsOtherVpcMessage = (first: string, other: string): string =>
  `Subnets ${first} and ${other} belong to different VPCs. All subnets must be in the same VPC.`;

/**
 * Checks a (shape-validated) awsvpc configuration against the EC2 API: every subnet and group
 * exists in the caller's Region, the subnets are of one VPC and the groups of that VPC.
 * Throws InvalidParameterException with ECS's texts.
 */
export async function resolveTaskNetwork(deps: EcsDeps, ctx: RequestContext, vpc: AwsVpcConfiguration): Promise<TaskNetwork> {
  const subnets = [...new Set(vpc.subnets ?? [])];
  const subnetInfo: Record<string, SubnetInfo> = {};
  for (const s of subnets) {
    const info = await lookupSubnet(deps, ctx.principal, s);
    if (!info) throw invalidParameter(subnetNotFoundMessage(s));
    subnetInfo[s] = info;
  }
  const first = subnetInfo[subnets[0]!]!;
  const other = subnets.find((s) => subnetInfo[s]!.vpcId !== first.vpcId);
  if (other) throw invalidParameter(subnetsOtherVpcMessage(subnets[0]!, other));
  const named = [...new Set(vpc.securityGroups ?? [])];
  for (const g of named) {
    const rules = await lookupSecurityGroupRules(deps, ctx.principal, g);
    if (!rules) throw invalidParameter(groupNotFoundMessage(g));
    if (rules.vpcId !== first.vpcId) throw invalidParameter(groupOtherVpcMessage(g));
  }
  const securityGroups = named.length ? named : first.defaultSecurityGroupId ? [first.defaultSecurityGroupId] : [];
  return { ...vpc, subnets, securityGroups, vpcId: first.vpcId, subnetInfo };
}

/** The task with its ENI: the ElasticNetworkInterface attachment, every container's networkInterfaces, the subnet's zone. */
export function withTaskEni(doc: TaskDoc, eni: TaskEni, availabilityZone?: string, dnsHostnames = true): TaskDoc {
  return {
    ...doc,
    ...(availabilityZone ? { availabilityZone } : {}),
    attachments: [
      ...doc.attachments,
      {
        id: eni.attachmentId,
        type: "ElasticNetworkInterface",
        status: "PRECREATED",
        details: [
          { name: "subnetId", value: eni.subnetId },
          { name: "networkInterfaceId", value: eni.networkInterfaceId },
          { name: "macAddress", value: eni.macAddress },
          ...(dnsHostnames ? [{ name: "privateDnsName", value: eni.privateDnsName }] : []),
          { name: "privateIPv4Address", value: eni.privateIpv4Address },
        ],
      },
    ],
    containers: doc.containers.map((c) => ({
      ...c,
      networkInterfaces: [{ attachmentId: eni.attachmentId, privateIpv4Address: eni.privateIpv4Address }],
    })),
    wharf: { ...doc.wharf, eni },
  };
}

/** ECS's reason when no subnet of the configuration has a free address. */
export const noFreeAddressReason = (subnetId: string): string =>
  `Unexpected EC2 error while attempting to Create Network Interface in subnet '${subnetId}': InsufficientFreeAddressesInSubnet`;

/**
 * Writes new tasks: awsvpc ones first get their ENI (an address from the first listed subnet
 * with room). Allocation and the write happen under the Region's EC2 lock, so an address is
 * never given twice and a subnet is not deleted under it. Tasks left without an address are not
 * written and come back as failures. `write` receives the docs to write, the ENI records to
 * write with them, and those failures.
 */
export async function commitTasksWithEnis(
  deps: EcsDeps,
  ctx: RequestContext,
  docs: TaskDoc[],
  net: TaskNetwork | undefined,
  write: (docs: TaskDoc[], eniOps: WriteOp[], failures: PlacementFailure[]) => Promise<void>,
): Promise<{ docs: TaskDoc[]; failures: PlacementFailure[] }> {
  if (!net || docs.length === 0) {
    await write(docs, [], []);
    return { docs, failures: [] };
  }
  const region = ctx.principal.region;
  return deps.lock(ec2Lock(region), async () => {
    const subnets = net.subnets.map((s) => net.subnetInfo[s]!).filter(Boolean);
    const { addresses, ops } = await allocateAddresses(deps, region, subnets, docs.map((d) => d.taskArn));
    const got = addresses;
    const failures: PlacementFailure[] = got.length < docs.length
      ? docs.slice(got.length).map(() => {
          const last = net.subnets[net.subnets.length - 1]!;
          return { arn: ec2Arn(ctx.principal, "subnet", last), reason: noFreeAddressReason(last) };
        })
      : [];
    const now = epochSeconds(deps.clock.now());
    const eniOps: WriteOp[] = [...ops];
    const instanceIds = new Map<string, string | undefined>();
    for (const d of docs.slice(0, got.length)) {
      const arn = d.containerInstanceArn;
      if (arn && !instanceIds.has(arn)) instanceIds.set(arn, (await deps.store.get<InstanceDoc>("container-instance", arn))?.value.ec2InstanceId);
    }
    const out = docs.slice(0, got.length).map((d, i) => {
      const a = got[i]!;
      const eni: TaskEni = {
        attachmentId: randomUUID(),
        networkInterfaceId: newEniId(),
        subnetId: a.subnet.subnetId,
        vpcId: a.subnet.vpcId,
        subnetCidrBlock: a.subnet.cidrBlock,
        subnetGatewayIpv4Address: subnetGateway(a.subnet.cidrBlock)!,
        privateIpv4Address: a.address,
        macAddress: macForAddress(a.address),
        privateDnsName: privateDnsName(a.address, region),
        ...(net.securityGroups.length ? { securityGroupIds: net.securityGroups } : {}),
      };
      eniOps.push(putOp("ec2-network-interface", region, eni.networkInterfaceId, taskEniRecord(ctx, d, eni, a.subnet, now, d.containerInstanceArn ? instanceIds.get(d.containerInstanceArn) : undefined)));
      return withTaskEni(d, eni, a.subnet.availabilityZone, a.subnet.enableDnsHostnames);
    });
    await write(out, eniOps, failures);
    return { docs: out, failures };
  });
}

/**
 * The ENI attachment's status from the task's: PRECREATED until the agent takes the task up,
 * ATTACHED from PENDING (the agent sets up the network before starting containers), DELETED at
 * STOPPED. Returns the same doc when nothing changes.
 */
export function withEniStatus(doc: TaskDoc): TaskDoc {
  if (!doc.wharf.eni) return doc;
  const rank = taskStatusRank(doc.lastStatus);
  const status = doc.lastStatus === "STOPPED" ? "DELETED" : rank >= taskStatusRank("PENDING") ? "ATTACHED" : "PRECREATED";
  let changed = false;
  const attachments = doc.attachments.map((a) => {
    const att = a as { id?: string; status?: string };
    if (att.id !== doc.wharf.eni!.attachmentId || att.status === status) return a;
    changed = true;
    return { ...att, status };
  });
  return changed ? { ...doc, attachments } : doc;
}

/** Frees a STOPPED task's address: its ENI record goes (idempotent; a later allocation also sweeps leftovers). */
export async function releaseTaskEni(deps: EcsDeps, doc: TaskDoc | undefined): Promise<void> {
  const eni = doc?.wharf.eni;
  if (!doc || !eni || doc.lastStatus !== "STOPPED") return;
  const region = doc.taskArn.split(":")[3] ?? "";
  await deps.lock(ec2Lock(region), () => releaseAddress(deps, region, eni.networkInterfaceId, doc.taskArn));
}
