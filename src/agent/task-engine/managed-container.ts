import type { NetworkBinding } from "@aws-sdk/client-ecs";
import {
  type AgentContainerStatus,
  containerStatusOfDocker,
  moveContainer,
  REPORTED_CONTAINER_STATUS,
} from "../../core/agent-task-states.js";
import type { ContainerPlan, NetworkMode } from "../container-config.js";
import type { ContainerInspect } from "../docker/types.js";
import { healthOfInspect, monitorsHealth } from "../health/monitor.js";
import { networkBindings } from "./bindings.js";
import type { ContainerReport } from "./reporter.js";

/** One container of a managed task: its plan and what the agent knows of it. */
export interface ManagedContainer {
  plan: ContainerPlan;
  containerArn?: string;
  dockerId?: string;
  status: AgentContainerStatus;
  exitCode?: number;
  reason?: string;
  bindings: NetworkBinding[];
  /** Docker's health, mapped (containers with a health check only). */
  health?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  /** The pulled image's registry digest (`sha256:…`), reported as ECS's `imageDigest`. */
  imageDigest?: string;
  /** The local name the container is created from when it is not the task definition's (an ECR image named by digest). */
  localImage?: string;
  /** Epoch milliseconds of the start (dependsOn START, startTimeout, the reported startedAt). */
  startedAtMs?: number;
}

/** Docker's "never started" timestamp. */
export const NEVER_STARTED = "0001-01-01T00:00:00Z";

/** Moves a container along the table in src/core/agent-task-states.ts (throws on an edge it lacks). */
export function setContainerStatus(c: ManagedContainer, to: AgentContainerStatus): void {
  c.status = moveContainer(c.status, to);
}

/** Folds a Docker inspect into a container's state. */
export function absorbInspect(c: ManagedContainer, info: ContainerInspect, net: { networkMode: NetworkMode; hostIp?: string }): void {
  c.dockerId = info.Id;
  if (info.State.StartedAt && info.State.StartedAt !== NEVER_STARTED) c.startedAtMs ??= Date.parse(info.State.StartedAt);
  setContainerStatus(c, containerStatusOfDocker(info.State.Status));
  if (c.status === "RUNNING") {
    c.bindings = networkBindings(net.networkMode, c.plan, info, net.hostIp);
    if (monitorsHealth(c.plan.body)) c.health = healthOfInspect(info);
  } else if (c.status === "STOPPED") {
    if (info.State.StartedAt !== NEVER_STARTED) c.exitCode = info.State.ExitCode;
    if (info.State.OOMKilled) c.reason ??= "OutOfMemoryError: Container killed due to memory usage";
  }
}

/** The container as the control plane hears it. */
export function containerReport(c: ManagedContainer): ContainerReport {
  const r: ContainerReport = { containerName: c.plan.name, status: REPORTED_CONTAINER_STATUS[c.status] };
  if (c.dockerId) r.runtimeId = c.dockerId;
  if (c.imageDigest) r.imageDigest = c.imageDigest;
  if (c.exitCode !== undefined) r.exitCode = c.exitCode;
  if (c.reason) r.reason = c.reason.slice(0, 255);
  if (c.status === "RUNNING") r.networkBindings = c.bindings;
  if (c.health) r.healthStatus = c.health;
  if (c.startedAtMs !== undefined) r.startedAt = c.startedAtMs / 1000;
  return r;
}
