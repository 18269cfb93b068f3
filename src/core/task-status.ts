/**
 * The task lifecycle as ECS orders it. Reports only move a task forward along it: a stale
 * or duplicate report (an agent retrying after a lost acknowledgment) changes nothing.
 */
export const TASK_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Container statuses, in order. */
export const CONTAINER_STATUSES = ["PENDING", "RUNNING", "STOPPED"] as const;

/** Position of a task status in the lifecycle, or -1 when it is not one. */
export const taskStatusRank = (s: string | undefined): number => TASK_STATUSES.indexOf(s as TaskStatus);
export const containerStatusRank = (s: string | undefined): number =>
  CONTAINER_STATUSES.indexOf(s as (typeof CONTAINER_STATUSES)[number]);

/** The reason the agent gives when an essential container's exit stops its task. */
export const ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited";
/** Reason prefixes of tasks that never started. */
export const FAILED_TO_START_PREFIXES = [
  "CannotPullContainerError",
  "CannotStartContainerError",
  "CannotCreateContainerError",
  "ResourceInitializationError",
  "CannotCreateVolumeError",
];

/** ECS's stopCode for a task the agent stopped itself, from the reason it reported. */
export function stopCodeForReason(reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  if (reason.startsWith(ESSENTIAL_CONTAINER_EXITED)) return "EssentialContainerExited";
  if (FAILED_TO_START_PREFIXES.some((p) => reason.startsWith(p))) return "TaskFailedToStart";
  return undefined;
}
