import { partitionOf, type Principal } from "../../core/arn.js";
import type { Clock } from "../../core/time.js";
import type { Store, WriteOp } from "../../store/store.js";
import type { NamespaceDoc, OperationDoc, SdInstanceDoc, SdServiceDoc } from "./docs.js";
import { instanceKey } from "./docs.js";

/** What Cloud Map operations are given besides their input (ECS's deps satisfy it). */
export interface SdDeps {
  store: Store;
  clock: Clock;
  lock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Chance, injected (ids, DNS answer choices); Math.random when absent. */
  random?: () => number;
  /** How long an operation stays SUBMITTED before SUCCESS (default OPERATION_SETTLE_MS). */
  operationSettleMs?: number;
}

/** Operations are SUBMITTED for this long, then SUCCESS (clients poll GetOperation, as with AWS). */
export const OPERATION_SETTLE_MS = 100;

/** Every Cloud Map write of a Region runs under this lock (name uniqueness, counts, revisions). */
export const sdLock = (region: string): string => `servicediscovery:${region}`;

export const rand = (deps: SdDeps): (() => number) => deps.random ?? Math.random;

export const sdArn = (p: Principal, type: "namespace" | "service", id: string): string =>
  `arn:${partitionOf(p.region)}:servicediscovery:${p.region}:${p.accountId}:${type}/${id}`;

/** An id, or the ARN of one (`…:namespace/ns-…`, `…:service/srv-…`) of this account and Region. */
export function idOf(p: Principal, ref: string, type: "namespace" | "service"): string {
  const m = /^arn:[^:]+:servicediscovery:([^:]*):(\d{12}):(namespace|service)\/(.+)$/.exec(ref);
  if (!m) return ref;
  return m[1] === p.region && m[2] === p.accountId && m[3] === type ? m[4]! : `foreign:${ref}`;
}

export async function getNamespace(deps: SdDeps, p: Principal, id: string): Promise<NamespaceDoc | undefined> {
  const doc = (await deps.store.get<NamespaceDoc>("sd-namespace", id))?.value;
  return doc && doc.region === p.region && doc.accountId === p.accountId ? doc : undefined;
}

export async function getService(deps: SdDeps, p: Principal, id: string): Promise<SdServiceDoc | undefined> {
  const doc = (await deps.store.get<SdServiceDoc>("sd-service", id))?.value;
  return doc && doc.region === p.region && doc.accountId === p.accountId ? doc : undefined;
}

export async function listNamespaces(deps: SdDeps, p: Principal): Promise<NamespaceDoc[]> {
  return (await deps.store.list<NamespaceDoc>("sd-namespace", { scope: p.region })).map((r) => r.value).filter((d) => d.accountId === p.accountId);
}

export async function listServices(deps: SdDeps, p: Principal): Promise<SdServiceDoc[]> {
  return (await deps.store.list<SdServiceDoc>("sd-service", { scope: p.region })).map((r) => r.value).filter((d) => d.accountId === p.accountId);
}

export async function listInstances(deps: SdDeps, serviceId: string): Promise<SdInstanceDoc[]> {
  return (await deps.store.list<SdInstanceDoc>("sd-instance", { scope: serviceId })).map((r) => r.value);
}

export const namespaceOp = (d: NamespaceDoc): WriteOp => ({ op: "put", kind: "sd-namespace", id: d.id, scope: d.region, sort: d.name, value: d });
export const serviceOp = (d: SdServiceDoc): WriteOp => ({ op: "put", kind: "sd-service", id: d.id, scope: d.region, sort: d.id, value: d });
export const instanceOp = (d: SdInstanceDoc): WriteOp => ({ op: "put", kind: "sd-instance", id: instanceKey(d.serviceId, d.id), scope: d.serviceId, sort: d.id, value: d });
export const operationOp = (d: OperationDoc): WriteOp => ({ op: "put", kind: "sd-operation", id: d.id, scope: d.region, sort: `${String(d.createdMs).padStart(15, "0")}|${d.id}`, value: d });
