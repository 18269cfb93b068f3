import { FARGATE_POOL_CLUSTER } from "../contracts/agent-protocol.js";
import type { Store } from "../store/store.js";
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
    /** Store sort key (registration order), so listings are stable. */
    sort: string;
  };
}

/** What the tasks placed on one instance hold, and how many run or wait. */
export interface InstanceUsage {
  cpu: number;
  memory: number;
  ports: number[];
  udpPorts: number[];
  /** GPU ids assigned to the instance's tasks. */
  gpuIds: string[];
  running: number;
  pending: number;
  /** Task group → tasks of that group (not yet STOPPED) on the instance (the `task:group` query field). */
  groups: Record<string, number>;
}

const PENDING_STATUSES = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);
const EMPTY: InstanceUsage = { cpu: 0, memory: 0, ports: [], udpPorts: [], gpuIds: [], running: 0, pending: 0, groups: {} };

/** Sums the non-STOPPED tasks of a cluster per instance: resources are held until STOPPED. */
export function usageByInstance(tasks: TaskDoc[]): Map<string, InstanceUsage> {
  const out = new Map<string, InstanceUsage>();
  for (const t of tasks) {
    if (!t.containerInstanceArn || t.lastStatus === "STOPPED") continue;
    let u = out.get(t.containerInstanceArn);
    if (!u) out.set(t.containerInstanceArn, (u = { ...EMPTY, ports: [], udpPorts: [], gpuIds: [], groups: {} }));
    u.cpu += t.wharf.needs.cpu;
    u.memory += t.wharf.needs.memory;
    u.ports.push(...t.wharf.needs.ports);
    u.udpPorts.push(...t.wharf.needs.udpPorts);
    u.gpuIds.push(...(t.wharf.gpuIds ?? []));
    u.groups[t.group] = (u.groups[t.group] ?? 0) + 1;
    if (t.lastStatus === "RUNNING") u.running++;
    else if (PENDING_STATUSES.has(t.lastStatus)) u.pending++;
  }
  return out;
}

export async function clusterTasks(store: Store, clusterArn: string): Promise<TaskDoc[]> {
  return (await store.list<TaskDoc>("task", { scope: clusterArn })).map((r) => r.value);
}

/** ARN of the managed Fargate capacity pool's scope (`…:cluster/.fargate`, a name no ECS cluster can have). */
export const FARGATE_POOL_NAME = FARGATE_POOL_CLUSTER;
export const isPoolArn = (arn: string): boolean => arn.endsWith(`:cluster/${FARGATE_POOL_NAME}`);

/**
 * The tasks that hold resources on the instances scoped to `scopeArn`: for a cluster its own
 * EC2/EXTERNAL tasks; for the Fargate pool every Fargate task not yet STOPPED, whatever its cluster.
 */
export async function capacityTasks(store: Store, scopeArn: string): Promise<TaskDoc[]> {
  if (!isPoolArn(scopeArn)) return (await clusterTasks(store, scopeArn)).filter((t) => !t.wharf.capacityArn);
  return (await store.list<TaskDoc>("task"))
    .map((r) => r.value)
    .filter((t) => t.wharf.capacityArn === scopeArn && t.lastStatus !== "STOPPED");
}

export async function clusterInstances(store: Store, clusterArn: string): Promise<InstanceDoc[]> {
  return (await store.list<InstanceDoc>("container-instance", { scope: clusterArn })).map((r) => r.value);
}


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

/** Registered resources minus what the instance's tasks hold; ports add the ones in use; GPU lists the unassigned ids. */
export function remainingResources(doc: InstanceDoc, usage: InstanceUsage = EMPTY): ResourceDoc[] {
  return doc.registeredResources.map((r) => {
    if (r.name === "CPU") return intResource("CPU", r.integerValue - usage.cpu);
    if (r.name === "MEMORY") return intResource("MEMORY", r.integerValue - usage.memory);
    if (r.name === "PORTS" || r.name === "PORTS_UDP") {
      const used = (r.name === "PORTS" ? usage.ports : usage.udpPorts).map(String);
      return setResource(r.name, [...new Set([...(r.stringSetValue ?? []), ...used])]);
    }
    if (r.name === "GPU" && usage.gpuIds.length > 0) {
      const taken = new Set(usage.gpuIds);
      return setResource("GPU", (r.stringSetValue ?? []).filter((id) => !taken.has(id)));
    }
    return r;
  });
}

/** The ECS ContainerInstance shape. */
export async function renderInstance(
  deps: { store: Store; agents?: { connected(containerInstanceArn: string): boolean } },
  doc: InstanceDoc,
  usage: InstanceUsage | undefined,
  withTags: boolean,
): Promise<Record<string, unknown>> {
  const { wharf: _internal, ...rest } = doc;
  // The EC2-style capacity provider whose group the instance joined (see capacity-providers.ts).
  const provider = doc.attributes.find((a) => a.name === "wharf.capacity-provider")?.value;
  return {
    ...rest,
    ...(provider ? { capacityProviderName: provider } : {}),
    remainingResources: remainingResources(doc, usage),
    runningTasksCount: usage?.running ?? 0,
    pendingTasksCount: usage?.pending ?? 0,
    agentConnected: doc.status !== "INACTIVE" && (deps.agents?.connected(doc.containerInstanceArn) ?? false),
    ...(withTags ? { tags: await readTags(deps.store, doc.containerInstanceArn) } : {}),
  };
}
