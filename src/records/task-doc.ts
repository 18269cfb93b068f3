import { idInCluster, taskArn as makeTaskArn } from "../core/arn.js";
import type { Principal } from "../core/arn.js";
import type { TaskEni } from "../contracts/agent-protocol.js";
import type { TaskNeeds } from "../core/task-needs.js";
import type { Store } from "../store/store.js";
import { readTags } from "./tag-store.js";

/**
 * A task as stored (kind `task`, id = task ARN, scope = cluster ARN): exactly the ECS Task
 * shape (timestamps in epoch seconds) plus one internal member, `wharf`, stripped when
 * rendering. cluster-usage.ts counts tasks from `lastStatus`, `desiredStatus`, `launchType`.
 */
export interface TaskDoc {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn?: string;
  lastStatus: string;
  desiredStatus: string;
  launchType: string;
  cpu?: string;
  memory?: string;
  group: string;
  startedBy?: string;
  version: number;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  connectivity?: string;
  connectivityAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  healthStatus: string;
  enableExecuteCommand: boolean;
  overrides: Record<string, unknown>;
  containers: ContainerDoc[];
  attachments: unknown[];
  availabilityZone?: string;
  /** Fargate: the provider a strategy chose (FARGATE or FARGATE_SPOT), the platform, the storage. */
  capacityProviderName?: string;
  platformVersion?: string;
  platformFamily?: string;
  ephemeralStorage?: { sizeInGiB: number };
  wharf: TaskInternals;
}

/** What Wharf keeps about a task beyond the ECS shape. */
export interface TaskInternals {
  family: string;
  revision: number;
  /** The task definition as it was when the task started (what the agent runs). */
  taskDefinition: Record<string, unknown>;
  /** CPU, memory and host ports held on the instance until the task is STOPPED. */
  needs: TaskNeeds;
  /** RunTask's clientToken, if any. */
  clientToken?: string;
  /** Store sort key (see taskSortKey). */
  sort: string;
  /** awsvpc: the task's network interface (src/api/ecs/task-network.ts); the agent gets it as `eni`. */
  eni?: TaskEni;
  /**
   * GPU ids assigned to the task at placement (ECS's Task shape has no such member; each
   * container shows its own share as `gpuIds`). Held on the instance until STOPPED.
   */
  gpuIds?: string[];
  /**
   * Fargate: the managed capacity pool the task runs in (fargate-pool.ts). The task is placed on
   * and counted against one of the pool's hosts, held in `containerInstanceArn` internally and
   * never shown: DescribeTasks of a Fargate task has no containerInstanceArn, as on ECS.
   */
  capacityArn?: string;
  /**
   * Task scale-in protection (UpdateTaskProtection, the agent's /task-protection/v1/state):
   * while `expiresAt` (ms) is ahead, scale-in and deployments do not stop the task.
   */
  protection?: { expiresAt: number };
  /** Fargate: the subnet chosen for the task (its zone spreads the group over zones). */
  subnet?: string;
  /**
   * Set while a service task is DEACTIVATING (desired STOPPED, its load balancer targets
   * draining): the agent is still told RUNNING, so the task serves its in-flight requests until
   * the service scheduler releases it once its targets have drained.
   */
  holdRunning?: boolean;
}

export interface ContainerDoc {
  containerArn: string;
  taskArn: string;
  name: string;
  image?: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  networkBindings: Record<string, unknown>[];
  networkInterfaces: unknown[];
  healthStatus: string;
  cpu: string;
  memory?: string;
  memoryReservation?: string;
  /** GPU ids assigned to this container (ECS's Container `gpuIds`); its agent sets NVIDIA_VISIBLE_DEVICES to them. */
  gpuIds?: string[];
  /** Wharf extension: when the agent started the container (epoch seconds); shows the start order. */
  startedAt?: number;
}

/**
 * Store sort key: creation time, position within its RunTask batch, then id, so ListTasks
 * pages are stable and oldest-first.
 */
export const taskSortKey = (createdAtMs: number, batchIndex: number, taskId: string): string =>
  `${String(Math.floor(createdAtMs)).padStart(15, "0")}-${String(batchIndex).padStart(3, "0")}-${taskId}`;

/** The ECS Task shape of a stored task; tags only when asked for. */
export async function renderTask(store: Store, doc: TaskDoc, withTags: boolean): Promise<Record<string, unknown>> {
  const { wharf: _internal, ...task } = doc;
  if (doc.wharf.capacityArn) delete task.containerInstanceArn;
  return { ...task, ...(withTags ? { tags: await readTags(store, doc.taskArn) } : {}) };
}

/**
 * A task given by id or ARN (long `task/CLUSTER/ID` or old `task/ID`) → its ARN in this
 * cluster, or undefined when the ARN is another partition's, Region's or account's.
 */
export function resolveTaskArn(p: Principal, clusterName: string, ref: string): string | undefined {
  const id = idInCluster(p, ref, "task", clusterName);
  return id === undefined ? undefined : makeTaskArn(p, clusterName, id);
}
