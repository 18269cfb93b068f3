import type { InstanceSnapshot } from "../../core/placement/first-fit.js";
import type { Store } from "../../store/store.js";
import type { EcsDeps } from "./deps.js";
import { readTags } from "./tag-store.js";
import type { TaskDoc } from "./task-doc.js";

/** ECS's Resource shape (as DescribeContainerInstances writes it). */
export interface ResourceDoc {
  name: string;
  type: string;
  doubleValue: number;
  longValue: number;
  integerValue: number;
  stringSetValue?: string[];
}

export interface AttributeDoc {
  name: string;
  value?: string;
}

/**
 * A container instance as stored (kind `container-instance`, id = ARN, scope = cluster ARN):
 * the ECS ContainerInstance shape minus what is derived on read (remainingResources, task
 * counts, agentConnected, tags), plus the internal member `wharf`.
 */
export interface InstanceDoc {
  containerInstanceArn: string;
  ec2InstanceId: string;
  version: number;
  versionInfo: Record<string, string>;
  registeredResources: ResourceDoc[];
  status: string;
  attributes: AttributeDoc[];
  registeredAt: number;
  attachments: unknown[];
  wharf: {
    clusterArn: string;
    availabilityZone?: string;
    privateIp?: string;
    /** Store sort key (registration order), so first-fit and listings are stable. */
    sort: string;
  };
}

/** What the tasks placed on one instance hold, and how many run or wait. */
export interface InstanceUsage {
  cpu: number;
  memory: number;
  ports: number[];
  udpPorts: number[];
  running: number;
  pending: number;
}

const PENDING_STATUSES = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

/** Sums the non-STOPPED tasks of a cluster per instance: resources are held until STOPPED. */
export function usageByInstance(tasks: TaskDoc[]): Map<string, InstanceUsage> {
  const out = new Map<string, InstanceUsage>();
  for (const t of tasks) {
    if (!t.containerInstanceArn || t.lastStatus === "STOPPED") continue;
    let u = out.get(t.containerInstanceArn);
    if (!u) out.set(t.containerInstanceArn, (u = { cpu: 0, memory: 0, ports: [], udpPorts: [], running: 0, pending: 0 }));
    u.cpu += t.wharf.needs.cpu;
    u.memory += t.wharf.needs.memory;
    u.ports.push(...t.wharf.needs.ports);
    u.udpPorts.push(...t.wharf.needs.udpPorts);
    if (t.lastStatus === "RUNNING") u.running++;
    else if (PENDING_STATUSES.has(t.lastStatus)) u.pending++;
  }
  return out;
}

export async function clusterTasks(store: Store, clusterArn: string): Promise<TaskDoc[]> {
  return (await store.list<TaskDoc>("task", { scope: clusterArn })).map((r) => r.value);
}

export async function clusterInstances(store: Store, clusterArn: string): Promise<InstanceDoc[]> {
  return (await store.list<InstanceDoc>("container-instance", { scope: clusterArn })).map((r) => r.value);
}

const EMPTY: InstanceUsage = { cpu: 0, memory: 0, ports: [], udpPorts: [], running: 0, pending: 0 };

export const resourceNumber = (rs: ResourceDoc[], name: string): number =>
  rs.find((r) => r.name === name)?.integerValue ?? 0;
export const resourceSet = (rs: ResourceDoc[], name: string): string[] =>
  rs.find((r) => r.name === name)?.stringSetValue ?? [];

export const intResource = (name: string, v: number): ResourceDoc => ({
  name,
  type: "INTEGER",
  doubleValue: 0,
  longValue: 0,
  integerValue: v,
});
export const setResource = (name: string, v: string[]): ResourceDoc => ({
  name,
  type: "STRINGSET",
  doubleValue: 0,
  longValue: 0,
  integerValue: 0,
  stringSetValue: v,
});

/** Registered resources minus what the instance's tasks hold; ports add the ones in use. */
export function remainingResources(doc: InstanceDoc, usage: InstanceUsage = EMPTY): ResourceDoc[] {
  return doc.registeredResources.map((r) => {
    if (r.name === "CPU") return intResource("CPU", r.integerValue - usage.cpu);
    if (r.name === "MEMORY") return intResource("MEMORY", r.integerValue - usage.memory);
    if (r.name === "PORTS" || r.name === "PORTS_UDP") {
      const used = (r.name === "PORTS" ? usage.ports : usage.udpPorts).map(String);
      return setResource(r.name, [...new Set([...(r.stringSetValue ?? []), ...used])]);
    }
    return r;
  });
}

/** The ECS ContainerInstance shape. */
export async function renderInstance(
  deps: EcsDeps,
  doc: InstanceDoc,
  usage: InstanceUsage | undefined,
  withTags: boolean,
): Promise<Record<string, unknown>> {
  const { wharf: _internal, ...rest } = doc;
  return {
    ...rest,
    remainingResources: remainingResources(doc, usage),
    runningTasksCount: usage?.running ?? 0,
    pendingTasksCount: usage?.pending ?? 0,
    agentConnected: doc.status !== "INACTIVE" && (deps.agents?.connected(doc.containerInstanceArn) ?? false),
    ...(withTags ? { tags: await readTags(deps.store, doc.containerInstanceArn) } : {}),
  };
}

/** The plain snapshot placement works on. */
export function placementSnapshot(deps: EcsDeps, doc: InstanceDoc, usage: InstanceUsage | undefined): InstanceSnapshot {
  const rem = remainingResources(doc, usage);
  return {
    containerInstanceArn: doc.containerInstanceArn,
    status: doc.status,
    agentConnected: deps.agents?.connected(doc.containerInstanceArn) ?? false,
    remaining: {
      cpu: resourceNumber(rem, "CPU"),
      memory: resourceNumber(rem, "MEMORY"),
      ports: resourceSet(rem, "PORTS").map(Number),
      udpPorts: resourceSet(rem, "PORTS_UDP").map(Number),
    },
  };
}
