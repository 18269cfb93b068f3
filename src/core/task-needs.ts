/**
 * What one task takes from the instance it runs on: CPU units, MiB of memory, the host ports
 * its static mappings bind, GPUs and an ENI slot. Pure: computed from the task definition and
 * RunTask's overrides, stored on the task at placement, and summed to give an instance's
 * remaining resources, so those stay exact as tasks come and go. This is the one derivation of
 * a task's needs: the placement engine's TaskRequirements are read from it
 * (src/core/placement/requirements.ts).
 */
export interface TaskNeeds {
  cpu: number;
  memory: number;
  /** TCP host ports bound by static mappings (bridge hostPort ≠ 0, host-mode containerPort). */
  ports: number[];
  udpPorts: number[];
  /** awsvpc: the task needs an ENI (task address) slot on its instance. */
  eni?: boolean;
  /** GPUs (the containers' `resourceRequirements` of type GPU); absent when none. */
  gpus?: number;
}

/** The parts of a container definition that placement looks at. */
export interface ContainerShape {
  name?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  resourceRequirements?: { type?: string; value?: string }[];
}

export interface TaskDefinitionShape {
  networkMode?: string;
  cpu?: string;
  memory?: string;
  containerDefinitions?: ContainerShape[];
}

export interface OverridesShape {
  cpu?: string;
  memory?: string;
  containerOverrides?: {
    name?: string;
    cpu?: number;
    memory?: number;
    memoryReservation?: number;
    resourceRequirements?: { type?: string; value?: string }[];
  }[];
}

/**
 * Task-level cpu/memory as ECS writes them: an integer string ("256"), or with units
 * ("1 vCPU", "0.5 vcpu", "2 GB", "512 MiB"). Returns CPU units / MiB, or undefined when absent.
 */
export function parseTaskSize(value: string | undefined, kind: "cpu" | "memory"): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === "") return Math.round(n);
  if (kind === "cpu" && unit === "vcpu") return Math.round(n * 1024);
  if (kind === "memory" && (unit === "gb" || unit === "gib")) return Math.round(n * 1024);
  if (kind === "memory" && (unit === "mb" || unit === "mib")) return Math.round(n);
  return undefined;
}

/** The container definitions with their per-container overrides (cpu, memory, memoryReservation, resourceRequirements) applied. */
export function effectiveContainers(td: TaskDefinitionShape, overrides?: OverridesShape): ContainerShape[] {
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  return (td.containerDefinitions ?? []).map((c) => {
    const o = byName.get(c.name);
    if (!o) return c;
    return {
      ...c,
      ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
      ...(o.memory !== undefined ? { memory: o.memory } : {}),
      ...(o.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
      ...(o.resourceRequirements !== undefined ? { resourceRequirements: o.resourceRequirements } : {}),
    };
  });
}

/**
 * ECS's reservation rules on EC2/EXTERNAL: task-level cpu/memory when set (after overrides),
 * else the containers' sums; a container reserves its soft limit `memoryReservation` when it
 * has one, else its hard limit `memory` (the ECS developer guide: "If you specify
 * memoryReservation, then that value is subtracted from the available memory resources").
 * Ports: in bridge mode a non-zero hostPort; in host mode the hostPort or containerPort;
 * dynamic ports (hostPort 0 or absent in bridge) and awsvpc/none reserve nothing on the host.
 */
export function taskNeeds(td: TaskDefinitionShape, overrides?: OverridesShape): TaskNeeds {
  const containers = effectiveContainers(td, overrides);
  const taskCpu = parseTaskSize(overrides?.cpu ?? td.cpu, "cpu");
  const taskMemory = parseTaskSize(overrides?.memory ?? td.memory, "memory");
  const cpu = taskCpu ?? containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
  const memory = taskMemory ?? containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
  const mode = td.networkMode ?? "bridge";
  const ports: number[] = [];
  const udpPorts: number[] = [];
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      let hostPort: number | undefined;
      if (mode === "bridge") hostPort = pm.hostPort && pm.hostPort > 0 ? pm.hostPort : undefined;
      else if (mode === "host") hostPort = pm.hostPort || pm.containerPort;
      if (hostPort === undefined) continue;
      (pm.protocol === "udp" ? udpPorts : ports).push(hostPort);
    }
  }
  const gpus = containers.reduce((s, c) => s + containerGpus(c), 0);
  return { cpu, memory, ports, udpPorts, ...(mode === "awsvpc" ? { eni: true } : {}), ...(gpus > 0 ? { gpus } : {}) };
}

/** A container's GPU count: its `resourceRequirements` of type GPU (a whole number as a string). */
export const containerGpus = (c: ContainerShape): number =>
  (c.resourceRequirements ?? []).reduce((s, r) => s + (r.type === "GPU" ? Number.parseInt(r.value ?? "0", 10) || 0 : 0), 0);

/**
 * Hands the task's assigned GPU ids to its containers in definition order, each taking as many
 * as its GPU requirement (ECS: each container gets its own GPUs, visible to it through
 * NVIDIA_VISIBLE_DEVICES). Containers without a GPU requirement get none.
 */
export function assignGpus(
  td: TaskDefinitionShape,
  overrides: OverridesShape | undefined,
  gpuIds: readonly string[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let next = 0;
  for (const c of effectiveContainers(td, overrides)) {
    const n = containerGpus(c);
    if (n > 0 && c.name !== undefined) out.set(c.name, gpuIds.slice(next, next + n));
    next += n;
  }
  return out;
}
