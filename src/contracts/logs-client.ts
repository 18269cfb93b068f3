import type { WharfClient } from "./wharf-client.js";
import { EcsApiError } from "./wharf-client.js";

/**
 * CloudWatch Logs calls as the shipper and the CLI make them: JSON 1.1 on Wharf's endpoint,
 * SigV4-signed for service `logs` in the log group's Region (a group lives in one Region, so
 * `awslogs-region` decides where it is created and read). Errors are EcsApiError with the
 * service's error code (`ResourceNotFoundException`, …).
 */
export type LogsCall = <T = Record<string, unknown>>(region: string, operation: string, input: unknown, signal?: AbortSignal) => Promise<T>;

export const LOGS_TARGET = { prefix: "Logs_20140328", service: "logs" } as const;
/** A call that has not answered by then is treated as failed (and retried by the caller). */
export const LOGS_CALL_TIMEOUT_MS = 30_000;

/** The CloudWatch Logs side of the agent's (or the CLI's) signed API client. */
export function logsCallOf(api: WharfClient): LogsCall {
  return (region, operation, input, signal) => {
    const timeout = AbortSignal.timeout(LOGS_CALL_TIMEOUT_MS);
    return api.callService({ ...LOGS_TARGET, region }, operation, input, signal ? AbortSignal.any([signal, timeout]) : timeout);
  };
}

export const errorCode = (err: unknown): string | undefined => (err instanceof EcsApiError ? err.code : undefined);

/** Errors retrying cannot fix: the request itself is wrong or refused. */
export function isPermanent(err: unknown): boolean {
  return err instanceof EcsApiError && err.statusCode >= 400 && err.statusCode < 500 && err.code !== "ThrottlingException";
}

/** CreateLogGroup, treating "already exists" as success. */
export async function ensureLogGroup(call: LogsCall, region: string, group: string, signal?: AbortSignal): Promise<void> {
  try {
    await call(region, "CreateLogGroup", { logGroupName: group }, signal);
  } catch (err) {
    if (errorCode(err) !== "ResourceAlreadyExistsException") throw err;
  }
}

/** CreateLogStream, treating "already exists" as success; ResourceNotFoundException when the group is missing. */
export async function ensureLogStream(call: LogsCall, region: string, group: string, stream: string, signal?: AbortSignal): Promise<void> {
  try {
    await call(region, "CreateLogStream", { logGroupName: group, logStreamName: stream }, signal);
  } catch (err) {
    if (errorCode(err) !== "ResourceAlreadyExistsException") throw err;
  }
}

export async function logGroupExists(call: LogsCall, region: string, group: string, signal?: AbortSignal): Promise<boolean> {
  const out = await call<{ logGroups?: { logGroupName?: string }[] }>(
    region,
    "DescribeLogGroups",
    { logGroupNamePrefix: group, limit: 50 },
    signal,
  );
  return (out.logGroups ?? []).some((g) => g.logGroupName === group);
}
