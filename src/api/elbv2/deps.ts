import { randomBytes } from "node:crypto";
import { partitionOf, type Principal } from "../../core/arn.js";
import type { Clock } from "../../core/time.js";
import type { Kind, Store, WriteOp } from "../../store/store.js";

/** What ELBv2 operations are given besides their input (ECS's deps satisfy it). */
export interface Elbv2Deps {
  store: Store;
  clock: Clock;
  lock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  random?: () => number;
  /** A load balancer data plane runs (health checks are real); without one DescribeTargetHealth says `unavailable`. */
  hasLbDataPlane?: boolean;
  /** The first two octets of load balancers' loopback addresses (default "127.77"). */
  lbAddressPrefix?: string;
}

/** Every ELBv2 write of a Region runs under this lock (name uniqueness, priorities, in-use checks stay true). */
export const elbLock = (region: string): string => `elbv2:${region}`;

export type ElbKind = Extract<Kind, `elbv2-${string}`>;

export async function listIn<T>(deps: Elbv2Deps, kind: ElbKind, region: string): Promise<T[]> {
  return (await deps.store.list<T>(kind, { scope: region })).map((r) => r.value);
}

export async function getIn<T extends { region: string }>(deps: Elbv2Deps, kind: ElbKind, region: string, arn: string): Promise<T | undefined> {
  const doc = (await deps.store.get<T>(kind, arn))?.value;
  return doc && doc.region === region ? doc : undefined;
}

export const putOp = (kind: ElbKind, region: string, arn: string, value: unknown, sort?: string): WriteOp => ({
  op: "put",
  kind,
  id: arn,
  scope: region,
  sort: sort ?? arn,
  value,
});
export const deleteOp = (kind: ElbKind, arn: string): WriteOp => ({ op: "delete", kind, id: arn });

/** ELB's resource ids: 16 lower-case hex characters. */
export const newElbId = (): string => randomBytes(8).toString("hex");

/** `arn:aws:elasticloadbalancing:REGION:ACCOUNT:RESOURCE` (`loadbalancer/app/NAME/ID`, `targetgroup/NAME/ID`, …). */
export const elbArn = (p: Principal, resource: string): string =>
  `arn:${partitionOf(p.region)}:elasticloadbalancing:${p.region}:${p.accountId}:${resource}`;

/** `app` or `net`, as ARNs and listener ARNs spell a load balancer's type. */
export const typeSegment = (type: string): string => (type === "network" ? "net" : "app");

/** The epoch seconds of the deps' clock. */
export const nowSeconds = (deps: Elbv2Deps): number => deps.clock.now() / 1000;
