import { randomBytes } from "node:crypto";

/**
 * Task ENIs (awsvpc) as pure logic: how many an instance can hold, how a subnet id becomes a
 * CIDR block, which address a task gets, and the identifiers ECS shows (eni-…, MAC, DNS name).
 *
 * Wharf has no VPC: a subnet id is a name the user picks ("subnet-0abc…"). The control plane
 * gives each subnet id it sees a /24 out of SUBNET_POOL (derived from a hash of the id, so the
 * same id gets the same block in every control plane and two control planes sharing one Docker
 * Engine rarely pick overlapping blocks), and the agent makes it a Docker bridge network.
 */

/** Where subnet blocks come from: 10.208.0.0/12, far from Docker's defaults (172.17–31/16, 192.168/16). */
export const SUBNET_POOL = { firstOctet: 10, secondOctetBase: 208, blocks: 4096 } as const;
/** Each subnet is a /24. */
export const SUBNET_PREFIX = 24;
/**
 * Host numbers a task may get, as in a VPC subnet: AWS reserves .0 (network), .1 (router, here
 * the Docker gateway the metadata endpoint is reached through), .2 (DNS), .3 (future use) and
 * .255 (broadcast).
 */
export const FIRST_TASK_HOST = 4;
export const LAST_TASK_HOST = 254;

/** Task ENIs of an instance type we know nothing about: 3 ENIs minus the primary one. */
export const DEFAULT_TASK_ENIS = 2;
/** With awsvpcTrunking, an unknown instance type gets the smallest trunk's limit (c5.large/m5.large). */
export const DEFAULT_TRUNK_TASK_ENIS = 10;

/**
 * ENI limits of common EC2 instance types: `enis` = the type's maximum network interfaces
 * (the primary one included), `trunk` = ECS's task limit with ENI trunking (absent: the type
 * does not support trunking). From the EC2 instance-type specifications and the ECS developer
 * guide's "supported instance types" table for ENI trunking (Linux) at the time of writing.
 */
export const INSTANCE_ENI_LIMITS: Readonly<Record<string, { enis: number; trunk?: number }>> = {
  "t3.nano": { enis: 2 },
  "t3.micro": { enis: 2 },
  "t3.small": { enis: 3 },
  "t3.medium": { enis: 3 },
  "t3.large": { enis: 3 },
  "t3.xlarge": { enis: 4 },
  "t3.2xlarge": { enis: 4 },
  "c5.large": { enis: 3, trunk: 10 },
  "c5.xlarge": { enis: 4, trunk: 20 },
  "c5.2xlarge": { enis: 4, trunk: 40 },
  "c5.4xlarge": { enis: 8, trunk: 60 },
  "c5.9xlarge": { enis: 8, trunk: 60 },
  "c5.12xlarge": { enis: 8, trunk: 60 },
  "c5.18xlarge": { enis: 15, trunk: 120 },
  "c5.24xlarge": { enis: 15, trunk: 120 },
  "m5.large": { enis: 3, trunk: 10 },
  "m5.xlarge": { enis: 4, trunk: 20 },
  "m5.2xlarge": { enis: 4, trunk: 40 },
  "m5.4xlarge": { enis: 8, trunk: 60 },
  "m5.8xlarge": { enis: 8, trunk: 60 },
  "m5.12xlarge": { enis: 8, trunk: 60 },
  "m5.16xlarge": { enis: 15, trunk: 120 },
  "m5.24xlarge": { enis: 15, trunk: 120 },
  "r5.large": { enis: 3, trunk: 10 },
  "r5.xlarge": { enis: 4, trunk: 20 },
  "r5.2xlarge": { enis: 4, trunk: 40 },
  "r5.4xlarge": { enis: 8, trunk: 60 },
  "m6i.large": { enis: 3, trunk: 10 },
  "m6i.xlarge": { enis: 4, trunk: 20 },
  "m6i.2xlarge": { enis: 4, trunk: 40 },
  "m6i.4xlarge": { enis: 8, trunk: 60 },
};

/** Instance attributes the agent registers to describe its ENI capacity (see src/agent/protocol.ts). */
export const ENI_ATTRIBUTES = {
  /** The real agent's capability for awsvpc tasks (task definitions' requiresAttributes name it). */
  taskEni: "ecs.capability.task-eni",
  /** The real agent's capability for ENI trunking. */
  trunking: "ecs.capability.task-eni-trunking",
  /** Wharf: task ENIs this instance holds without trunking (agent `--eni-limit N`). */
  limit: "wharf.eni-limit",
  /** Wharf: task ENIs this instance holds with awsvpcTrunking enabled (agent `--eni-trunk-limit N`). */
  trunkLimit: "wharf.eni-trunk-limit",
} as const;

export interface EniCapacityInput {
  instanceType?: string;
  /** An explicit limit without trunking (the `wharf.eni-limit` attribute). */
  eniLimit?: number;
  /** An explicit limit with trunking (the `wharf.eni-trunk-limit` attribute). */
  eniTrunkLimit?: number;
  /** Whether the awsvpcTrunking account setting is enabled. */
  trunking: boolean;
}

/**
 * How many awsvpc tasks an instance can hold: its ENIs minus the primary one, or with trunking
 * the trunk's limit (never fewer than without). Explicit limits win over the type's table.
 */
export function taskEniCapacity(i: EniCapacityInput): number {
  const known = i.instanceType ? INSTANCE_ENI_LIMITS[i.instanceType] : undefined;
  const plain = i.eniLimit ?? (known ? known.enis - 1 : DEFAULT_TASK_ENIS);
  if (!i.trunking) return plain;
  const trunk = i.eniTrunkLimit ?? (known ? known.trunk : DEFAULT_TRUNK_TASK_ENIS);
  return Math.max(plain, trunk ?? plain);
}

/** A non-negative integer attribute value, or undefined. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,6}$/.test(value)) return undefined;
  return Number(value);
}

/** The same 32-bit FNV-1a everywhere, so a subnet id's preferred block never changes. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The block index a subnet id gets: its hash, then the next free one (indexes in `used` are taken). */
export function subnetBlockIndex(subnetId: string, used: ReadonlySet<number>): number | undefined {
  const start = fnv1a(subnetId) % SUBNET_POOL.blocks;
  for (let k = 0; k < SUBNET_POOL.blocks; k++) {
    const idx = (start + k) % SUBNET_POOL.blocks;
    if (!used.has(idx)) return idx;
  }
  return undefined;
}

/** The /24 of a block index, e.g. 10.213.7.0/24, and its gateway (.1). */
export function subnetBlock(index: number): { cidrBlock: string; gateway: string; prefix: string } {
  const second = SUBNET_POOL.secondOctetBase + Math.floor(index / 256);
  const prefix = `${SUBNET_POOL.firstOctet}.${second}.${index % 256}`;
  return { cidrBlock: `${prefix}.0/${SUBNET_PREFIX}`, gateway: `${prefix}.1`, prefix };
}

/** The lowest task address of a /24 not in `inUse`, or undefined when the subnet is full. */
export function pickAddress(cidrBlock: string, inUse: ReadonlySet<string>): string | undefined {
  const prefix = cidrBlock.slice(0, cidrBlock.lastIndexOf(".", cidrBlock.indexOf("/")));
  for (let host = FIRST_TASK_HOST; host <= LAST_TASK_HOST; host++) {
    const ip = `${prefix}.${host}`;
    if (!inUse.has(ip)) return ip;
  }
  return undefined;
}

/**
 * The MAC address of a task's interface: locally administered, derived from its IPv4 address
 * (0a:58:<ip bytes>), so it is unique wherever the address is.
 */
export function macForAddress(ip: string): string {
  const bytes = ip.split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
  return ["0a", "58", ...bytes].join(":");
}

/** An ENI id as EC2 writes it: `eni-` and 17 hex digits. */
export const newEniId = (): string => `eni-${randomBytes(9).toString("hex").slice(0, 17)}`;

/** EC2's private DNS name for an address: ip-10-0-1-5.ec2.internal in us-east-1, else <region>.compute.internal. */
export function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** Subnet and security group ids Wharf accepts: the EC2 prefix and lower-case letters/digits. */
export const SUBNET_ID_RE = /^subnet-[0-9a-z]{1,32}$/;
export const SECURITY_GROUP_ID_RE = /^sg-[0-9a-z]{1,32}$/;

/**
 * The attributes an agent registers for awsvpc: the task-ENI capabilities, and its explicit
 * limits when it was given any (else the control plane uses the instance type's table).
 */
export function eniRegistrationAttributes(o: { eniLimit?: number; eniTrunkLimit?: number }): Record<string, string | undefined> {
  return {
    [ENI_ATTRIBUTES.taskEni]: undefined,
    [ENI_ATTRIBUTES.trunking]: undefined,
    ...(o.eniLimit !== undefined ? { [ENI_ATTRIBUTES.limit]: String(o.eniLimit) } : {}),
    ...(o.eniTrunkLimit !== undefined ? { [ENI_ATTRIBUTES.trunkLimit]: String(o.eniTrunkLimit) } : {}),
  };
}
