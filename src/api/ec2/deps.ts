import { partitionOf, type Principal } from "../../core/arn.js";
import type { Clock } from "../../core/time.js";
import type { Kind, Store, WriteOp } from "../../store/store.js";

/** What EC2 operations are given besides their input (ECS's deps satisfy it). */
export interface Ec2Deps {
  store: Store;
  clock: Clock;
  /** Serialises read-modify-write sections inside this process. */
  lock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Chance, injected (resource ids, the zone of a subnet created without one); Math.random when absent. */
  random?: () => number;
  /**
   * The default VPC's block in every Region (default 172.31.0.0/16, as AWS). Several Wharfs on
   * one Docker Engine need different ones: each subnet a task uses becomes a Docker network.
   */
  defaultVpcCidr?: string;
}

/** Every EC2 write of a Region runs under this lock (checks across resources, e.g. CIDR overlap, stay true). */
export const ec2Lock = (region: string): string => `ec2:${region}`;

export const rand = (deps: Ec2Deps): (() => number) => deps.random ?? Math.random;

export type Ec2Kind = Extract<Kind, `ec2-${string}`>;

export async function listIn<T>(deps: Ec2Deps, kind: Ec2Kind, region: string): Promise<T[]> {
  return (await deps.store.list<T>(kind, { scope: region })).map((r) => r.value);
}

export async function getIn<T extends { region: string }>(deps: Ec2Deps, kind: Ec2Kind, region: string, id: string): Promise<T | undefined> {
  const doc = (await deps.store.get<T>(kind, id))?.value;
  return doc && doc.region === region ? doc : undefined;
}

export const putOp = (kind: Ec2Kind, region: string, id: string, value: unknown): WriteOp => ({ op: "put", kind, id, scope: region, sort: id, value });
export const deleteOp = (kind: Ec2Kind, id: string): WriteOp => ({ op: "delete", kind, id });

/** `arn:aws:ec2:REGION:ACCOUNT:TYPE/ID` (TYPE `vpc`, `subnet`, `security-group`, …; ID may be `*`). */
export const ec2Arn = (p: Principal, type: string, id: string): string =>
  `arn:${partitionOf(p.region)}:ec2:${p.region}:${p.accountId}:${type}/${id}`;
