import type { RunTaskRequest, TaskOverride } from "@aws-sdk/client-ecs";
import { randomUUID } from "node:crypto";
import { containerArn, taskArn, type Principal } from "../../core/arn.js";
import { clientException, invalidParameter } from "../../core/errors.js";
import { newTaskId } from "../../core/ids.js";
import { assignGpus, effectiveContainers, parseTaskSize, taskNeeds, type TaskNeeds } from "../../core/task-needs.js";
import { mergeTags, type Tag, validateTags } from "../../core/tags.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import { epochSeconds } from "../../core/time.js";
import type { Store } from "../../store/store.js";
import type { InstanceDoc } from "../../records/instance-doc.js";
import { readTags } from "../../records/tag-store.js";
import { type ContainerDoc, type TaskDoc, taskSortKey } from "../../records/task-doc.js";

/** ECS's limit on the JSON size of a task's overrides. */
export const MAX_OVERRIDES_CHARS = 8192;

/** Checks RunTask/StartTask overrides against the task definition, as ECS does before starting anything. */
export function validateOverrides(td: TaskDefinitionDoc, overrides: TaskOverride | undefined): void {
  if (!overrides) return;
  if (JSON.stringify(overrides).length > MAX_OVERRIDES_CHARS) {
    throw invalidParameter(`Container Overrides length must be at most ${MAX_OVERRIDES_CHARS}`);
  }
  const names = new Set(td.containerDefinitions.map((c) => c.name));
  const seen = new Set<string>();
  for (const o of overrides.containerOverrides ?? []) {
    if (!o.name || !names.has(o.name)) {
      throw invalidParameter(`Override for container named ${o.name ?? "(no name)"} is not a container in the TaskDefinition.`);
    }
    if (seen.has(o.name)) throw invalidParameter(`Container ${o.name} is overridden more than once.`);
    seen.add(o.name);
    for (const k of ["cpu", "memory", "memoryReservation"] as const) {
      const v = o[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
        throw invalidParameter(`Container override ${k} for ${o.name} must be a non-negative integer.`);
      }
    }
    if (o.memory !== undefined && o.memory < 6) {
      throw invalidParameter(`Invalid setting for container '${o.name}'. At least 6 MiB of memory is required for a container.`);
    }
  }
  if (overrides.cpu !== undefined && parseTaskSize(overrides.cpu, "cpu") === undefined) {
    throw invalidParameter(`Invalid 'cpu' setting for task: '${overrides.cpu}'.`);
  }
  if (overrides.memory !== undefined && parseTaskSize(overrides.memory, "memory") === undefined) {
    throw invalidParameter(`Invalid 'memory' setting for task: '${overrides.memory}'.`);
  }
  for (const c of effectiveContainers(td as never, overrides as never)) {
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
      throw invalidParameter(
        `Invalid setting for container '${c.name}'. memoryReservation must be less than or equal to memory.`,
      );
    }
  }
}

/** The resources a task of `td` with `overrides` holds on its instance. */
export const needsOf = (td: TaskDefinitionDoc, overrides: TaskOverride | undefined): TaskNeeds =>
  taskNeeds(td as never, overrides as never);

/** Tags for a new task: the request's, plus the definition's (propagateTags), plus ECS-managed ones. */
export async function taskTags(
  store: Store,
  td: TaskDefinitionDoc,
  input: Pick<RunTaskRequest, "tags" | "propagateTags" | "enableECSManagedTags">,
  clusterName: string,
): Promise<Tag[]> {
  const requested = validateTags(input.tags);
  let tags: Tag[] = [];
  if (input.propagateTags === "TASK_DEFINITION") tags = await readTags(store, td.taskDefinitionArn);
  tags = mergeTags(tags, requested);
  if (input.enableECSManagedTags) tags = mergeTags(tags, [{ key: "aws:ecs:clusterName", value: clusterName }]);
  return tags;
}

export interface LaunchSpec {
  td: TaskDefinitionDoc;
  overrides?: TaskOverride;
  launchType: string;
  group?: string;
  startedBy?: string;
  enableExecuteCommand?: boolean;
  clientToken?: string;
  clusterArn: string;
  clusterName: string;
  principal: Principal;
}

/** ECS's limit on `startedBy` (checked before placement, so a refused call reserves nothing). */
export function checkStartedBy(startedBy: string | undefined): void {
  if (startedBy !== undefined && startedBy.length > 128) throw invalidParameter("startedBy can be at most 128 characters.");
}

/** A new task record (PROVISIONING, desired RUNNING) placed on `instance`, holding the GPU ids placement assigned. */
export function newTaskDoc(spec: LaunchSpec, instance: InstanceDoc, nowMs: number, batchIndex = 0, gpuIds: string[] = []): TaskDoc {
  const { td, overrides } = spec;
  checkStartedBy(spec.startedBy);
  const id = newTaskId();
  const arn = taskArn(spec.principal, spec.clusterName, id);
  const effective = effectiveContainers(td as never, overrides as never);
  const gpusOf = assignGpus(td as never, overrides as never, gpuIds);
  const containers: ContainerDoc[] = td.containerDefinitions.map((c, i) => {
    const e = effective[i]!;
    const gpus = gpusOf.get(c.name!);
    return {
      containerArn: containerArn(spec.principal, spec.clusterName, id, randomUUID()),
      taskArn: arn,
      name: c.name!,
      image: c.image,
      lastStatus: "PENDING",
      networkBindings: [],
      networkInterfaces: [],
      healthStatus: "UNKNOWN",
      cpu: String(e.cpu ?? 0),
      ...(e.memory !== undefined ? { memory: String(e.memory) } : {}),
      ...(e.memoryReservation !== undefined ? { memoryReservation: String(e.memoryReservation) } : {}),
      ...(gpus?.length ? { gpuIds: gpus } : {}),
    };
  });
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  const cpu = overrides?.cpu ?? td.cpu;
  const memory = overrides?.memory ?? td.memory;
  const sort = taskSortKey(nowMs, batchIndex, id);
  return {
    taskArn: arn,
    clusterArn: spec.clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    containerInstanceArn: instance.containerInstanceArn,
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    launchType: spec.launchType,
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    group: spec.group ?? `family:${td.family}`,
    ...(spec.startedBy !== undefined ? { startedBy: spec.startedBy } : {}),
    version: 1,
    createdAt: epochSeconds(nowMs),
    healthStatus: "UNKNOWN",
    enableExecuteCommand: spec.enableExecuteCommand ?? false,
    overrides: {
      ...overrides,
      containerOverrides: td.containerDefinitions.map((c) => byName.get(c.name) ?? { name: c.name }),
      inferenceAcceleratorOverrides: overrides?.inferenceAcceleratorOverrides ?? [],
    },
    containers,
    attachments: [],
    ...(instance.wharf.availabilityZone ? { availabilityZone: instance.wharf.availabilityZone } : {}),
    wharf: {
      family: td.family,
      revision: td.revision,
      taskDefinition: td as unknown as Record<string, unknown>,
      needs: needsOf(td, overrides),
      ...(spec.clientToken ? { clientToken: spec.clientToken } : {}),
      ...(gpuIds.length ? { gpuIds: [...gpuIds] } : {}),
      sort,
    },
  };
}

/** Checks the definition can run with this launch type (ECS refuses before starting anything). */
export function checkCompatibility(td: TaskDefinitionDoc, launchType: string): void {
  const compat = (td.compatibilities ?? ["EC2"]) as string[];
  if (!compat.includes(launchType)) {
    throw invalidParameter(`Task definition does not support launch_type ${launchType}.`);
  }
}

export { requestFingerprint } from "../../core/fingerprint.js";
