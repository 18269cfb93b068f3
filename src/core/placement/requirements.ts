import type { TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import { type OverridesShape, type TaskDefinitionShape, type TaskNeeds, taskNeeds } from "../task-needs.js";
import type { PlacementConstraint, RequiredAttribute, TaskRequirements } from "./types.js";

/**
 * What one task of a task definition needs from an EC2 container instance, with RunTask's
 * overrides applied, in the engine's shape. The rules (task-level cpu/memory first, else the
 * containers' sums with memoryReservation before memory; static host ports only; GPUs from
 * `resourceRequirements`; awsvpc needs an ENI slot) live in ONE place, src/core/task-needs.ts,
 * whose TaskNeeds is also what a task stores and holds on its instance until STOPPED.
 */
export function taskRequirements(td: TaskDefinition, overrides: TaskOverride = {}): TaskRequirements {
  return requirementsFromNeeds(taskNeeds(td as TaskDefinitionShape, overrides as OverridesShape));
}

/** A stored task's TaskNeeds as the engine's TaskRequirements (empty lists left out). */
export function requirementsFromNeeds(needs: TaskNeeds): TaskRequirements {
  const req: TaskRequirements = { cpu: needs.cpu, memory: needs.memory };
  if (needs.ports.length) req.ports = needs.ports;
  if (needs.udpPorts.length) req.portsUdp = needs.udpPorts;
  if (needs.gpus) req.gpus = needs.gpus;
  if (needs.eni) req.eni = true;
  return req;
}

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
