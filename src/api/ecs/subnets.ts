import { pickAddress } from "../../core/eni.js";
import type { WriteOp } from "../../store/store.js";
import { deleteOp, getIn, listIn } from "../ec2/deps.js";
import type { NetworkInterfaceDoc, SubnetDoc } from "../ec2/docs.js";
import type { SubnetInfo } from "../ec2/lookup.js";
import type { EcsDeps } from "./deps.js";
import type { TaskDoc } from "../../records/task-doc.js";

/**
 * Task addresses in the EC2 API's subnets: the addresses in use in a subnet are those of its
 * network interfaces (kind `ec2-network-interface`, one per awsvpc task ENI, written with the
 * task and deleted when it stops), so DescribeNetworkInterfaces and the subnet's
 * AvailableIpAddressCount show them. Every read-modify-write runs under the Region's EC2 lock
 * (src/api/ec2/deps.ts `ec2Lock`), the lock DeleteSubnet and DeleteSecurityGroup check ENIs under.
 */

export interface AllocatedAddress {
  subnet: SubnetInfo;
  address: string;
}

/** ENIs of tasks that are gone or STOPPED (a missed release must not leak addresses). */
async function isStale(deps: EcsDeps, e: NetworkInterfaceDoc): Promise<boolean> {
  if (!e.taskArn) return false;
  const task = (await deps.store.get<TaskDoc>("task", e.taskArn))?.value;
  return !task || task.lastStatus === "STOPPED";
}

/**
 * One address per task ARN, each from the first subnet (in the given order) with room; subnets
 * deleted meanwhile are skipped. When the subnets fill up, the tasks from there on get none
 * (`addresses` is shorter); `ops` delete stale ENIs either way. Call under the Region's EC2 lock and write `ops` before releasing it.
 */
export async function allocateAddresses(
  deps: EcsDeps,
  region: string,
  subnets: readonly SubnetInfo[],
  taskArns: readonly string[],
): Promise<{ addresses: AllocatedAddress[]; ops: WriteOp[] }> {
  const ops: WriteOp[] = [];
  const inUse = new Map<string, Set<string>>(subnets.map((s) => [s.subnetId, new Set<string>()]));
  for (const e of await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region)) {
    const used = inUse.get(e.subnetId);
    if (!used) continue;
    if (await isStale(deps, e)) ops.push(deleteOp("ec2-network-interface", e.networkInterfaceId));
    else used.add(e.privateIpAddress);
  }
  const live: SubnetInfo[] = [];
  for (const s of subnets) if (await getIn<SubnetDoc>(deps, "ec2-subnet", region, s.subnetId)) live.push(s);
  const addresses: AllocatedAddress[] = [];
  for (const _arn of taskArns) {
    let got: AllocatedAddress | undefined;
    for (const s of live) {
      const used = inUse.get(s.subnetId)!;
      const ip = pickAddress(s.cidrBlock, used);
      if (!ip) continue;
      used.add(ip);
      got = { subnet: s, address: ip };
      break;
    }
    if (!got) break;
    addresses.push(got);
  }
  return { addresses, ops };
}

/** Deletes the task's ENI record if it is still the task's (idempotent). Call under the Region's EC2 lock. */
export async function releaseAddress(deps: EcsDeps, region: string, networkInterfaceId: string, taskArn: string): Promise<void> {
  const e = await getIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region, networkInterfaceId);
  if (!e || e.taskArn !== taskArn) return;
  await deps.store.write([deleteOp("ec2-network-interface", networkInterfaceId)]);
}
