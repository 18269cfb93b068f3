import { mkdirSync } from "node:fs";
import type { DockerClient } from "../docker/client.js";
import { daemonMessage } from "../docker/errors.js";
import { createVolume, inspectVolume, listVolumes, removeVolume } from "./docker-volumes.js";
import type { PlannedVolume } from "./plan.js";

/**
 * Creates what a task's volumes need before its containers are created, and removes the
 * task-scoped ones after. Task-scoped Docker volumes carry the task's ARN as a label, so an
 * agent that restarts finds (and reuses, then removes) the volumes a previous run created.
 */

export const VOLUME_LABELS = {
  taskArn: "com.wharf.task-arn",
  volume: "com.wharf.task-volume",
} as const;

/** ECS's reason prefix for a volume Docker could not create. */
export class CannotCreateVolumeError extends Error {
  override name = "CannotCreateVolumeError";
}
/** ECS's reason prefix for task resources (volumes, cgroups) that could not be set up. */
export class ResourceInitializationError extends Error {
  override name = "ResourceInitializationError";
}

/** The agent's message for a missing shared volume that may not be created (task.go addSharedVolumes). */
export const sharedVolumeMissing = (name: string): string =>
  `initialize volume: volume detection failed, volume '${name}' does not exist and autoprovision is set to false`;

/**
 * Provisions the planned volumes; returns the plan with the Docker names actually used (an
 * existing task-scoped volume of this task is reused). Throws ResourceInitializationError or
 * CannotCreateVolumeError, whose `${name}: ${message}` is the task's stoppedReason.
 */
export async function provisionVolumes(
  docker: DockerClient,
  plan: readonly PlannedVolume[],
  owner: { taskArn: string; instanceLabels: Record<string, string> },
): Promise<PlannedVolume[]> {
  const mine = plan.some((v) => v.kind === "docker" && v.scope === "task")
    ? await listVolumes(docker, { [VOLUME_LABELS.taskArn]: owner.taskArn })
    : [];
  const out: PlannedVolume[] = [];
  for (const v of plan) {
    if (v.kind === "unsupported") throw new ResourceInitializationError(`volume '${v.name}': ${v.why}`);
    if (v.kind === "efs") {
      try {
        mkdirSync(v.hostPath, { recursive: true });
      } catch (err) {
        throw new ResourceInitializationError(`volume '${v.name}': cannot prepare the EFS stand-in directory ${v.hostPath}: ${(err as Error).message}`);
      }
      out.push(v);
      continue;
    }
    if (v.kind !== "docker") {
      out.push(v);
      continue;
    }
    if (v.scope === "task") {
      const existing = mine.find((x) => x.Labels?.[VOLUME_LABELS.volume] === v.name);
      if (existing) {
        out.push({ ...v, dockerName: existing.Name });
        continue;
      }
      await create(docker, v, {
        ...v.labels,
        ...owner.instanceLabels,
        [VOLUME_LABELS.taskArn]: owner.taskArn,
        [VOLUME_LABELS.volume]: v.name,
      });
      out.push(v);
      continue;
    }
    let found;
    try {
      found = await inspectVolume(docker, v.dockerName);
    } catch (err) {
      throw new ResourceInitializationError(`initialize volume: ${daemonMessage(err)}`);
    }
    if (!found) {
      if (!v.autoprovision) throw new ResourceInitializationError(sharedVolumeMissing(v.name));
      await create(docker, v, v.labels);
    }
    out.push(v);
  }
  return out;
}

async function create(docker: DockerClient, v: Extract<PlannedVolume, { kind: "docker" }>, labels: Record<string, string>): Promise<void> {
  try {
    await createVolume(docker, { Name: v.dockerName, Driver: v.driver, DriverOpts: v.driverOpts, Labels: labels });
  } catch (err) {
    throw new CannotCreateVolumeError(`volume '${v.name}': ${daemonMessage(err)}`);
  }
}

/** Removes every task-scoped volume of the task; returns the names it could not remove. */
export async function releaseVolumes(docker: DockerClient, taskArn: string): Promise<string[]> {
  const failed: string[] = [];
  for (const v of await listVolumes(docker, { [VOLUME_LABELS.taskArn]: taskArn })) {
    await removeVolume(docker, v.Name).catch(() => failed.push(v.Name));
  }
  return failed;
}
