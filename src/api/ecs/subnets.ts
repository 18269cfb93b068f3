import { pickAddress, subnetBlock, subnetBlockIndex } from "../../core/eni.js";
import { epochSeconds } from "../../core/time.js";
import type { WriteOp } from "../../store/store.js";
import type { EcsDeps } from "./deps.js";
import type { TaskDoc } from "./task-doc.js";

/**
 * The control plane's subnets: one store record (kind `subnet`, id = the subnet id) per subnet
 * id any task has used, created on first use with a /24 from src/core/eni.ts, holding which
 * task holds which address. Every read-modify-write runs under SUBNETS_LOCK.
 */

export const SUBNETS_LOCK = "wharf:subnets";

export interface SubnetDoc {
  subnetId: string;
  cidrBlock: string;
  gateway: string;
  blockIndex: number;
  /** Epoch seconds. */
  createdAt: number;
  /** Address → ARN of the task holding it (until the task is STOPPED). */
  addresses: Record<string, string>;
}

export interface AllocatedAddress {
  subnetId: string;
  cidrBlock: string;
  gateway: string;
  address: string;
}

const putSubnetOp = (doc: SubnetDoc): WriteOp => ({ op: "put", kind: "subnet", id: doc.subnetId, sort: doc.subnetId, value: doc });

export async function readSubnet(deps: EcsDeps, subnetId: string): Promise<SubnetDoc | undefined> {
  return (await deps.store.get<SubnetDoc>("subnet", subnetId))?.value;
}

/** Drops addresses whose task is gone or STOPPED (a missed release must not leak addresses). */
async function sweep(deps: EcsDeps, doc: SubnetDoc): Promise<boolean> {
  let freed = false;
  for (const [ip, taskArn] of Object.entries(doc.addresses)) {
    const task = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
    if (!task || task.lastStatus === "STOPPED") {
      delete doc.addresses[ip];
      freed = true;
    }
  }
  return freed;
}

/**
 * One address per task ARN, each from the first subnet (in the given order) with room; a
 * subnet seen for the first time gets its block. Returns no addresses when the subnets are
 * full. Call under SUBNETS_LOCK and write `ops` before releasing it.
 */
export async function allocateAddresses(
  deps: EcsDeps,
  subnetIds: string[],
  taskArns: string[],
): Promise<{ addresses?: AllocatedAddress[]; ops: WriteOp[] }> {
  const all = (await deps.store.list<SubnetDoc>("subnet")).map((r) => r.value);
  const usedBlocks = new Set(all.map((s) => s.blockIndex));
  const docs = new Map<string, SubnetDoc>();
  for (const id of subnetIds) {
    let doc = all.find((s) => s.subnetId === id);
    if (!doc) {
      const idx = subnetBlockIndex(id, usedBlocks);
      if (idx === undefined) continue;
      usedBlocks.add(idx);
      const block = subnetBlock(idx);
      doc = { subnetId: id, cidrBlock: block.cidrBlock, gateway: block.gateway, blockIndex: idx, createdAt: epochSeconds(deps.clock.now()), addresses: {} };
    } else {
      doc = { ...doc, addresses: { ...doc.addresses } };
    }
    docs.set(id, doc);
  }
  const touched = new Set<string>();
  // A task's address is free from the moment its record says STOPPED, even if the release
  // that follows has not run yet (or never ran).
  for (const doc of docs.values()) if (await sweep(deps, doc)) touched.add(doc.subnetId);
  const addresses: AllocatedAddress[] = [];
  for (const taskArn of taskArns) {
    let got: AllocatedAddress | undefined;
    for (const doc of docs.values()) {
      const ip = pickAddress(doc.cidrBlock, new Set(Object.keys(doc.addresses)));
      if (!ip) continue;
      doc.addresses[ip] = taskArn;
      touched.add(doc.subnetId);
      got = { subnetId: doc.subnetId, cidrBlock: doc.cidrBlock, gateway: doc.gateway, address: ip };
      break;
    }
    if (!got) return { ops: [] };
    addresses.push(got);
  }
  return { addresses, ops: [...touched].map((id) => putSubnetOp(docs.get(id)!)) };
}

/** Frees `address` if `taskArn` still holds it. Call under SUBNETS_LOCK. */
export async function releaseAddress(deps: EcsDeps, subnetId: string, address: string, taskArn: string): Promise<void> {
  const doc = await readSubnet(deps, subnetId);
  if (!doc || doc.addresses[address] !== taskArn) return;
  const { [address]: _gone, ...rest } = doc.addresses;
  await deps.store.write([putSubnetOp({ ...doc, addresses: rest })]);
}
