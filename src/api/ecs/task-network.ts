import type { AwsVpcConfiguration, NetworkConfiguration } from "@aws-sdk/client-ecs";
import { randomUUID } from "node:crypto";
import type { TaskEni } from "../../agent/protocol.js";
import {
  ENI_ATTRIBUTES,
  macForAddress,
  newEniId,
  parseLimit,
  privateDnsName,
  SECURITY_GROUP_ID_RE,
  SUBNET_ID_RE,
  taskEniCapacity,
} from "../../core/eni.js";
import { clientException, invalidParameter } from "../../core/errors.js";
import { taskStatusRank } from "../../core/task-status.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { effectiveAccountSetting } from "./account-settings.js";
import type { EcsDeps } from "./deps.js";
import type { InstanceDoc } from "./instance-doc.js";
import { allocateAddresses, releaseAddress, SUBNETS_LOCK } from "./subnets.js";
import type { TaskDoc } from "./task-doc.js";

/**
 * awsvpc for RunTask/StartTask: the networkConfiguration checks ECS makes, the ENI capacity of
 * each instance (placement counts not-yet-STOPPED awsvpc tasks against it, see
 * placement-indexes.ts), and each task's ElasticNetworkInterface (address from its subnet,
 * MAC, eni id) written with the task. The addressing itself is in subnets.ts.
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

/** The task with its ENI: the ElasticNetworkInterface attachment and every container's networkInterfaces. */
export function withTaskEni(doc: TaskDoc, eni: TaskEni): TaskDoc {
  return {
    ...doc,
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
          { name: "privateDnsName", value: eni.privateDnsName },
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

/**
 * Writes new tasks: awsvpc ones first get their ENI (an address from the first listed subnet
 * with room). Allocation and the write happen under one lock, so an address is never given
 * twice. `write` receives the final docs and the subnet records to write with them.
 */
export async function commitTasksWithEnis(
  deps: EcsDeps,
  ctx: RequestContext,
  docs: TaskDoc[],
  vpc: AwsVpcConfiguration | undefined,
  write: (docs: TaskDoc[], subnetOps: WriteOp[]) => Promise<void>,
): Promise<TaskDoc[]> {
  if (!vpc || docs.length === 0) {
    await write(docs, []);
    return docs;
  }
  return deps.lock(SUBNETS_LOCK, async () => {
    const { addresses, ops } = await allocateAddresses(deps, vpc.subnets ?? [], docs.map((d) => d.taskArn));
    if (!addresses) {
      throw clientException(
        `No free IPv4 address left in subnets [${(vpc.subnets ?? []).join(", ")}] for ${docs.length} task(s) (InsufficientFreeAddressesInSubnet).`,
      );
    }
    const out = docs.map((d, i) => {
      const a = addresses[i]!;
      return withTaskEni(d, {
        attachmentId: randomUUID(),
        networkInterfaceId: newEniId(),
        subnetId: a.subnetId,
        subnetCidrBlock: a.cidrBlock,
        subnetGatewayIpv4Address: a.gateway,
        privateIpv4Address: a.address,
        macAddress: macForAddress(a.address),
        privateDnsName: privateDnsName(a.address, ctx.principal.region),
      });
    });
    await write(out, ops);
    return out;
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

/** Frees a STOPPED task's address (idempotent; a later allocation also sweeps leftovers). */
export async function releaseTaskEni(deps: EcsDeps, doc: TaskDoc | undefined): Promise<void> {
  const eni = doc?.wharf.eni;
  if (!doc || !eni || doc.lastStatus !== "STOPPED") return;
  await deps.lock(SUBNETS_LOCK, () => releaseAddress(deps, eni.subnetId, eni.privateIpv4Address, doc.taskArn));
}
