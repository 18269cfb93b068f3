import { arnBase, partitionOf, type Principal } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import type { Clock } from "../../core/time.js";
import type { LogGroupRow, LogStore, LogStreamRow } from "./log-store.js";

/** What CloudWatch Logs operations are given besides their input. */
export interface LogsDeps {
  logs: LogStore;
  clock: Clock;
}

// ---- CloudWatch Logs' errors (names and messages as the service sends them) ----

export const resourceNotFound = (message: string): AwsError => new AwsError("ResourceNotFoundException", message);
export const groupNotFound = (): AwsError => resourceNotFound("The specified log group does not exist.");
export const streamNotFound = (): AwsError => resourceNotFound("The specified log stream does not exist.");
export const alreadyExists = (message: string): AwsError => new AwsError("ResourceAlreadyExistsException", message);

/** AWS's wording for a member that breaks a model constraint. */
export const validationError = (value: string, member: string, constraint: string): AwsError =>
  invalidParameter(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

// ---- ARNs ----

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (the `logGroupArn` form, also used for tagging). */
export const logGroupArn = (p: Principal, name: string): string => `${arnBase(p, "logs")}:log-group:${name}`;
export const logStreamArn = (p: Principal, group: string, stream: string): string =>
  `${logGroupArn(p, group)}:log-stream:${stream}`;

// ---- names ----

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;

export function checkGroupName(name: string, member = "logGroupName"): string {
  if (name.length < 1 || name.length > 512) {
    throw validationError(name, member, "Member must have length less than or equal to 512");
  }
  if (!GROUP_NAME.test(name)) {
    throw validationError(name, member, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
  }
  return name;
}

export function checkStreamName(name: string, member = "logStreamName"): string {
  if (name.length < 1 || name.length > 512) {
    throw validationError(name, member, "Member must have length between 1 and 512");
  }
  if (/[:*]/.test(name)) throw validationError(name, member, "Member must satisfy regular expression pattern: [^:*]*");
  return name;
}

/**
 * A group given as a name, or (for `logGroupIdentifier`) an ARN with or without the trailing
 * `:*` → its name. An ARN of another account or Region does not name a group here.
 */
export function groupNameOf(identifier: string, p: Principal): string {
  if (!identifier.startsWith("arn:")) return identifier;
  const m = /^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(identifier);
  if (!m || m[1] !== partitionOf(p.region) || m[2] !== p.region || m[3] !== p.accountId) throw groupNotFound();
  return m[4]!;
}

/** The group named by `logGroupName` or `logGroupIdentifier` (exactly one of them). */
export function requireGroup(
  deps: LogsDeps,
  input: { logGroupName?: string; logGroupIdentifier?: string },
  p: Principal,
): LogGroupRow {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  const ref = input.logGroupName ?? input.logGroupIdentifier;
  if (ref === undefined) throw invalidParameter("Should provide either name or ARN of LogGroup.");
  const group = deps.logs.getGroup(p.region, groupNameOf(ref, p));
  if (!group) throw groupNotFound();
  return group;
}

export function requireStream(deps: LogsDeps, group: LogGroupRow, name: string): LogStreamRow {
  const stream = deps.logs.getStream(group.gid, name);
  if (!stream) throw streamNotFound();
  return stream;
}

/** `limit` for the Describe* operations: 1–50, default 50. */
export function describeLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (limit < 1 || limit > 50) {
    throw validationError(String(limit), "limit", "Member must have value between 1 and 50");
  }
  return limit;
}

/** `limit` for the event reads: 1–10,000, default 10,000. */
export function eventsLimit(limit: number | undefined): number {
  if (limit === undefined) return 10_000;
  if (limit < 1 || limit > 10_000) {
    throw validationError(String(limit), "limit", "Member must have value between 1 and 10000");
  }
  return limit;
}

/** Opaque page tokens: base64url JSON, checked on the way back in. */
export function encodePageToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodePageToken<T>(token: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (valid(v)) return v;
  } catch {
    /* fall through */
  }
  throw invalidParameter("The specified nextToken is invalid.");
}
