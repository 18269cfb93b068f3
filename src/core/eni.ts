import { randomBytes } from "node:crypto";
import { formatIpv4, parseCidr } from "./ec2/cidr.js";

/**
 * Task ENIs (awsvpc) as pure logic: how many an instance can hold, which address of its EC2
 * subnet's block a task gets, and the identifiers ECS shows (eni-…, MAC, DNS name).
 *
 * Subnets are the EC2 API's (src/api/ec2/): a task's address comes from its subnet's CidrBlock,
 * and the agent makes each subnet a Docker bridge network with that block and its .1 gateway.
 */

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

/** Instance attributes the agent registers to describe its ENI capacity (see src/contracts/agent-protocol.ts). */
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

/**
 * A subnet's task addresses, as in a VPC: AWS reserves the network address, .1 (the router, here
 * the Docker bridge's gateway: the host, through which tasks reach the metadata endpoint), .2
 * (DNS), .3 (future use) and the broadcast address. The gateway of "10.0.1.0/24" is 10.0.1.1.
 */
export function subnetGateway(cidrBlock: string): string | undefined {
  const c = parseCidr(cidrBlock);
  return c ? formatIpv4(c.base + 1) : undefined;
}

/** The lowest task address of the block not in `inUse` (reserved ones skipped), or undefined when the subnet is full. */
export function pickAddress(cidrBlock: string, inUse: ReadonlySet<string>): string | undefined {
  const c = parseCidr(cidrBlock);
  if (!c) return undefined;
  const last = c.base + 2 ** (32 - c.prefix) - 2;
  for (let n = c.base + 4; n <= last; n++) {
    const ip = formatIpv4(n);
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
