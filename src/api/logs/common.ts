import { arnBase, partitionOf, type Principal } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { validationMessage, violation } from "../../core/validation/constraint-text.js";
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

/** AWS's wording for a member that breaks a constraint CloudWatch Logs checks beyond its model. */
export const validationError = (value: unknown, member: string, constraint: string): AwsError =>
  invalidParameter(validationMessage([violation(value, member, constraint)]));

// ---- ARNs ----

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (the `logGroupArn` form, also used for tagging). */
export const logGroupArn = (p: Principal, name: string): string => `${arnBase(p, "logs")}:log-group:${name}`;
export const logStreamArn = (p: Principal, group: string, stream: string): string =>
  `${logGroupArn(p, group)}:log-stream:${stream}`;

// ---- names ----
// Group and stream names (lengths, characters) are the model's: the edge checks them.

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

/** `limit` for the Describe* operations: default 50 (the model bounds it to 1–50). */
export const describeLimit = (limit: number | undefined): number => limit ?? 50;

/** `limit` for the event reads: default 10,000 (the model bounds it to 1–10,000). */
export const eventsLimit = (limit: number | undefined): number => limit ?? 10_000;

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
