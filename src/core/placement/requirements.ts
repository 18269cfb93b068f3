import type { TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import type { PlacementConstraint, RequiredAttribute, TaskRequirements } from "./types.js";

/**
 * What one task of a task definition needs from an EC2 container instance, with RunTask's
 * overrides applied:
 * - CPU: the task-level `cpu` when set, else the sum of the containers' `cpu`.
 * - Memory: the task-level `memory` when set, else per container its `memoryReservation`, else its
 *   hard `memory`. ECS: "If you specify memoryReservation, then that value is subtracted from the
 *   available memory resources for the container instance ... Otherwise, the value of memory is used."
 * - Ports: static host ports (bridge: hostPort > 0; host mode: hostPort or containerPort).
 *   Dynamic ports (hostPort 0 / absent in bridge mode) never collide, so they are not listed;
 *   awsvpc tasks bind ports on their own ENI, not the host.
 * - GPU: the sum of `resourceRequirements` of type GPU.
 * - ENI: awsvpc network mode needs one task address.
 */
export function taskRequirements(td: TaskDefinition, overrides: TaskOverride = {}): TaskRequirements {
  const byName = new Map((overrides.containerOverrides ?? []).map((o) => [o.name, o]));
  let cpu = 0, memory = 0, gpus = 0;
  const ports: number[] = [], portsUdp: number[] = [];
  const mode = td.networkMode ?? "bridge";
  for (const c of td.containerDefinitions ?? []) {
    const o = byName.get(c.name);
    cpu += o?.cpu ?? c.cpu ?? 0;
    memory += o?.memoryReservation ?? c.memoryReservation ?? o?.memory ?? c.memory ?? 0;
    for (const r of o?.resourceRequirements ?? c.resourceRequirements ?? []) {
      if (r.type === "GPU") gpus += Number.parseInt(r.value ?? "0", 10) || 0;
    }
    if (mode === "awsvpc" || mode === "none") continue;
    for (const pm of c.portMappings ?? []) {
      const host = mode === "host" ? (pm.hostPort ?? pm.containerPort) : pm.hostPort;
      if (!host) continue;
      (pm.protocol === "udp" ? portsUdp : ports).push(host);
    }
  }
  const taskCpu = overrides.cpu ?? td.cpu;
  const taskMemory = overrides.memory ?? td.memory;
  if (taskCpu) cpu = parseUnits(taskCpu, 1024);
  if (taskMemory) memory = parseUnits(taskMemory, 1024);
  const req: TaskRequirements = { cpu, memory };
  if (ports.length) req.ports = ports;
  if (portsUdp.length) req.portsUdp = portsUdp;
  if (gpus) req.gpus = gpus;
  if (mode === "awsvpc") req.eni = true;
  return req;
}

/** "1024", "1 vCPU", "0.5 vcpu", "2GB", "512 MiB" → units (CPU units or MiB). */
const parseUnits = (value: string, perUnit: number): number => {
  const m = /^\s*([\d.]+)\s*(vcpu|gb|gib)?/i.exec(value);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] ? Math.round(n * perUnit) : n;
};

/** The task definition's requiresAttributes, in the placement request's shape. */
export const requiredAttributesOf = (td: TaskDefinition): RequiredAttribute[] =>
  (td.requiresAttributes ?? []).map((a) => {
    const r: RequiredAttribute = { name: a.name! };
    if (a.value !== undefined) r.value = a.value;
    if (a.targetType !== undefined) r.targetType = a.targetType;
    return r;
  });

/** The task definition's constraints then the request's (ECS applies both). */
export const constraintsOf = (
  td: TaskDefinition,
  requestConstraints: { type?: string; expression?: string }[] = [],
): PlacementConstraint[] =>
  [...(td.placementConstraints ?? []), ...requestConstraints].map((c) => {
    const out: PlacementConstraint = { type: c.type ?? "" };
    if (c.expression !== undefined) out.expression = c.expression;
    return out;
  });
