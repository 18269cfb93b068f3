/**
 * Task role credentials (issue 13 part 4), the pure part: which role a task runs with, and when
 * the agent refreshes its credentials.
 */

/** The service principal task roles must trust. */
export const ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

/** How long the credentials the server issues for a task last (capped by the role's MaxSessionDuration). */
export const TASK_CREDENTIALS_DURATION_S = 6 * 3600;

/** The task's role: RunTask's `overrides.taskRoleArn`, else its task definition's. Never the execution role. */
export function taskRoleOf(taskDefinition: Record<string, unknown>, overrides?: Record<string, unknown>): string | undefined {
  const o = overrides?.taskRoleArn;
  if (typeof o === "string" && o) return o;
  const d = taskDefinition.taskRoleArn;
  return typeof d === "string" && d ? d : undefined;
}

/** The task's execution role: RunTask's `overrides.executionRoleArn`, else its task definition's. */
export function executionRoleOf(taskDefinition: Record<string, unknown>, overrides?: Record<string, unknown>): string | undefined {
  const o = overrides?.executionRoleArn;
  if (typeof o === "string" && o) return o;
  const d = taskDefinition.executionRoleArn;
  return typeof d === "string" && d ? d : undefined;
}

/**
 * When to fetch fresh credentials: halfway through their lifetime, and never later than 15
 * minutes before they expire (the SDKs refresh theirs about 5 minutes before `Expiration`, so the
 * endpoint must already hold newer ones then). Epoch milliseconds in, epoch milliseconds out.
 */
export function refreshAt(issuedAtMs: number, expiresAtMs: number): number {
  const half = issuedAtMs + (expiresAtMs - issuedAtMs) / 2;
  return Math.max(issuedAtMs, Math.min(half, expiresAtMs - 15 * 60_000));
}

/** The account a role ARN belongs to, if it is one. */
export function roleAccount(roleArn: string): string | undefined {
  return /^arn:aws[\w-]*:iam::(\d{12}):role\/.+$/.exec(roleArn)?.[1];
}

/**
 * The execution role the agent works under for a task: the task's execution role when it is of
 * the task's own account (Wharf's). A role of another account (the seed's examples name
 * 123456789012's) is never assumed — the control plane does not check it either — so the agent
 * goes on with its own keys for that task, as before execution roles were used.
 */
export function usableExecutionRole(taskArn: string, taskDefinition: Record<string, unknown>, overrides?: Record<string, unknown>): string | undefined {
  const role = executionRoleOf(taskDefinition, overrides);
  const account = /^arn:aws[\w-]*:ecs:[\w-]+:(\d{12}):task\//.exec(taskArn)?.[1];
  return role && account && roleAccount(role) === account ? role : undefined;
}
