import type { ContainerDefinition, Volume } from "@aws-sdk/client-ecs";
import { randomBytes } from "node:crypto";
import type { ContainerPlan, TaskPlan } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import type { CreateContainerBody } from "../docker/types.js";
import {
  applyContainerLimits,
  cgroupSupport,
  createTaskCgroup,
  hasTaskLimits,
  removeTaskCgroup,
  taskLimits,
  type TaskLimits,
} from "../limits.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import { containerBinds, containerVolumesFrom, planVolumes } from "../volumes/plan.js";
import { provisionVolumes, releaseVolumes, ResourceInitializationError } from "../volumes/provision.js";
import { sleep } from "../../core/backoff.js";

/**
 * A task's host resources besides its containers: its volumes (src/agent/volumes) and its
 * parent cgroup carrying the task-level cpu/memory limits (src/agent/limits.ts). `prepare()`
 * sets them up and writes the matching Binds / VolumesFrom / CgroupParent / MemorySwap into
 * the containers' create bodies; `release()` removes what belongs to the task alone once its
 * containers are gone. Both are idempotent, so an agent restarted mid-task can run them again.
 */
export interface TaskResourcesContext {
  docker: DockerClient;
  /** Root of the EFS stand-in directories (see src/agent/volumes/plan.ts). */
  efsRoot?: string;
  /** Labels of this agent's containers (the instance label), also put on its task volumes. */
  instanceLabels: Record<string, string>;
  log(line: Record<string, unknown>): void;
}

export class TaskResources {
  private readonly defs: ContainerDefinition[];
  private readonly volumes: Volume[];
  private readonly limits: TaskLimits;

  constructor(
    private readonly ctx: TaskResourcesContext,
    private readonly assignment: TaskAssignment,
  ) {
    const td = assignment.taskDefinition as { containerDefinitions?: ContainerDefinition[]; volumes?: Volume[] };
    this.defs = td.containerDefinitions ?? [];
    this.volumes = td.volumes ?? [];
    this.limits = taskLimits(assignment.cpu, assignment.memory);
  }

  /** The container definition's startTimeout (seconds), which bounds how long others wait on it. */
  startTimeoutSec(name: string): number | undefined {
    return this.defs.find((d) => d.name === name)?.startTimeout;
  }

  /**
   * Provisions volumes and the task cgroup, then decorates every container's create body.
   * Throws ResourceInitializationError / CannotCreateVolumeError (the task's stoppedReason).
   */
  async prepare(plan: TaskPlan): Promise<void> {
    const volumes = await provisionVolumes(
      this.ctx.docker,
      planVolumes({
        family: plan.family,
        revision: plan.revision,
        volumes: this.volumes,
        efsRoot: this.ctx.efsRoot,
        randomHex: () => randomBytes(10).toString("hex"),
      }),
      { taskArn: this.assignment.taskArn, instanceLabels: this.ctx.instanceLabels },
    );
    let cgroupParent: string | undefined;
    let fallback: TaskLimits | undefined;
    if (hasTaskLimits(this.limits)) {
      const support = await cgroupSupport(this.ctx.docker);
      if (support.mode === "cgroup-v1") {
        try {
          cgroupParent = createTaskCgroup(support, this.assignment.taskArn, this.limits);
        } catch (err) {
          throw new ResourceInitializationError(`failed to create the task cgroup: ${(err as Error).message}`);
        }
      } else {
        fallback = this.limits;
        this.ctx.log({ msg: "task-level limits applied per container (no task cgroup)", task: this.assignment.taskArn, reason: support.reason });
      }
    }
    const dockerNames = new Map(plan.containers.map((c) => [c.name, c.dockerName]));
    for (const c of plan.containers) {
      const def = this.defs.find((d) => d.name === c.name) ?? {};
      decorate(c, def, {
        binds: containerBinds(def, volumes),
        volumesFrom: containerVolumesFrom(def, dockerNames),
        cgroupParent,
        fallback,
      });
    }
  }

  /** Removes the task's own volumes and cgroup (call after its containers are removed). */
  async release(): Promise<void> {
    await releaseTaskResources(this.ctx.docker, this.assignment.taskArn, this.ctx.log);
  }
}

function decorate(
  c: ContainerPlan,
  def: ContainerDefinition,
  o: { binds: string[]; volumesFrom: string[]; cgroupParent?: string; fallback?: TaskLimits },
): void {
  const host = c.body.HostConfig as CreateContainerBody["HostConfig"] & { VolumesFrom?: string[] };
  if (o.binds.length) host.Binds = [...(host.Binds ?? []), ...o.binds];
  if (o.volumesFrom.length) host.VolumesFrom = o.volumesFrom;
  applyContainerLimits(c.body, {
    cgroupParent: o.cgroupParent,
    fallback: o.fallback,
    maxSwapGiven: def.linuxParameters?.maxSwap !== undefined,
  });
}

/**
 * Removes a task's task-scoped volumes and its cgroup directories. Docker may release a
 * container's cgroup a moment after removing it, so busy directories are retried briefly.
 */
export async function releaseTaskResources(
  docker: DockerClient,
  taskArn: string,
  log: (line: Record<string, unknown>) => void = () => undefined,
): Promise<void> {
  const volumes = await releaseVolumes(docker, taskArn).catch((err: Error) => {
    log({ msg: "could not list the task's volumes", task: taskArn, error: err.message });
    return [] as string[];
  });
  if (volumes.length) log({ msg: "task volumes left behind (still in use)", task: taskArn, volumes });
  const support = await cgroupSupport(docker);
  if (support.mode !== "cgroup-v1") return;
  let left = removeTaskCgroup(support.root, taskArn);
  for (let i = 0; left.length && i < 20; i++) {
    await sleep(100);
    left = removeTaskCgroup(support.root, taskArn);
  }
  if (left.length) log({ msg: "task cgroup left behind (still in use)", task: taskArn, dirs: left });
}
