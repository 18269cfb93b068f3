import type { DaemonInstance } from "../core/service/daemon.js";
import type { DeploymentState, ObservedTask } from "../core/service/types.js";
import type { ServiceDoc } from "./service-doc.js";
import type { TaskDoc } from "./task-doc.js";

/**
 * The seam between the service controller (src/controllers/service-controller.ts) and the task
 * layer (src/api/ecs/service-task-port.ts implements it): the controller never creates or stops a
 * task itself, and neither side imports the other.
 */
export interface ServiceTaskPort {
  /**
   * Every task of the service, of every deployment: live ones and those STOPPED recently
   * (ECS keeps them about an hour). Map TaskDocs with `observeTask` below.
   */
  listServiceTasks(service: ServiceDoc): Promise<ObservedTask[]>;
  /**
   * Launches `count` tasks of `deployment` (its task definition, launch type, network
   * configuration) with `startedBy` = deployment.id and `group` = `service:NAME`, placed with
   * the service's constraints and strategy (ECS's default spread when none), tags propagated
   * per `propagateTags`. DAEMON passes the instances to use, one task each. Partial success is
   * normal: return what started and why the rest could not be placed.
   */
  startTasks(service: ServiceDoc, deployment: DeploymentState, count: number, containerInstanceArns?: string[]): Promise<StartOutcome>;
  /** Stops one task, stopCode ServiceSchedulerInitiated, stoppedReason `reason`. */
  stopTask(service: ServiceDoc, taskArn: string, reason: string): Promise<void>;
  /**
   * Stops a task whose targets are draining: desired STOPPED, lastStatus DEACTIVATING, the
   * agent keeps it running until `releaseTask` (a task no longer RUNNING just stops).
   */
  deactivateTask?(service: ServiceDoc, taskArn: string, reason: string): Promise<void>;
  /** Lets a DEACTIVATING task stop (its targets have drained). */
  releaseTask?(service: ServiceDoc, taskArn: string): Promise<void>;
  /** DAEMON only: the cluster's instances, `eligible` = satisfies the service's constraints. */
  listDaemonInstances?(service: ServiceDoc): Promise<DaemonInstance[]>;
}

export interface StartOutcome {
  /** ARNs of the tasks created (PENDING). */
  started: string[];
  /** One entry per task that could not be placed; `detail` completes ECS's event text. */
  failures: { reason: string; detail?: string }[];
}

const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

/**
 * A stored task as the scheduler sees it. `drainingInstances`: ARNs of the cluster's
 * container instances that are DRAINING (or gone); their tasks must be replaced.
 */
export function observeTask(t: TaskDoc, drainingInstances: ReadonlySet<string> = new Set()): ObservedTask {
  const defs = ((t.wharf?.taskDefinition as { containerDefinitions?: { essential?: boolean; healthCheck?: unknown }[] })
    ?.containerDefinitions ?? []);
  const hasHealthCheck = defs.some((c) => c.essential !== false && c.healthCheck !== undefined);
  const out: ObservedTask = {
    taskArn: t.taskArn,
    deploymentId: t.startedBy ?? "",
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: (t.healthStatus as ObservedTask["healthStatus"]) ?? "UNKNOWN",
    hasHealthCheck,
    createdAt: ms(t.createdAt)!,
    onDrainingInstance: t.containerInstanceArn !== undefined && drainingInstances.has(t.containerInstanceArn),
  };
  if (t.pullStartedAt !== undefined) out.pullStartedAt = ms(t.pullStartedAt)!;
  if (t.pullStoppedAt !== undefined) out.pullStoppedAt = ms(t.pullStoppedAt)!;
  if (t.startedAt !== undefined) out.startedAt = ms(t.startedAt)!;
  if (t.stoppedAt !== undefined) out.stoppedAt = ms(t.stoppedAt)!;
  if (t.stopCode) out.stopCode = t.stopCode;
  if (t.stoppedReason) out.stoppedReason = t.stoppedReason;
  if (t.containerInstanceArn) out.containerInstanceArn = t.containerInstanceArn;
  if (t.wharf?.holdRunning) out.holdRunning = true;
  if (t.wharf?.protection) out.protectedUntil = t.wharf.protection.expiresAt;
  return out;
}
