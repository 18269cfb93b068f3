import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  LogGroup,
  PutRetentionPolicyRequest,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Principal } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import {
  alreadyExists,
  decodePageToken,
  describeLimit,
  encodePageToken,
  groupNameOf,
  type LogsDeps,
  logGroupArn,
  requireGroup,
  validationError,
} from "./common.js";
import type { LogGroupRow } from "./log-store.js";
import { checkTags } from "./tags.js";

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function renderGroup(g: LogGroupRow, p: Principal): LogGroup {
  const arn = logGroupArn(p, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.createdMs,
    ...(g.retentionDays !== null ? { retentionInDays: g.retentionDays } : {}),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    ...(g.kmsKeyId !== null ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass as LogGroup["logGroupClass"],
    logGroupArn: arn,
  };
}

export async function createLogGroup(deps: LogsDeps, input: CreateLogGroupRequest, ctx: RequestContext) {
  const name = input.logGroupName!;
  if (input.deletionProtectionEnabled) {
    throw invalidParameter("deletionProtectionEnabled is not supported by Wharf yet.");
  }
  const tags = input.tags ? checkTags(input.tags) : {};
  const created = deps.logs.createGroup(ctx.principal.region, name, deps.clock.now(), {
    kmsKeyId: input.kmsKeyId,
    logGroupClass: input.logGroupClass,
    tags,
  });
  if (!created) throw alreadyExists("The specified log group already exists");
  return {};
}

export async function deleteLogGroup(deps: LogsDeps, input: DeleteLogGroupRequest, ctx: RequestContext) {
  const group = requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal);
  deps.logs.deleteGroup(group.gid);
  return {};
}

interface GroupsToken {
  after: string;
}
const isGroupsToken = (v: unknown): v is GroupsToken => typeof (v as GroupsToken)?.after === "string";

export async function describeLogGroups(deps: LogsDeps, input: DescribeLogGroupsRequest, ctx: RequestContext) {
  const p = ctx.principal;
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  const limit = describeLimit(input.limit);
  if (input.logGroupIdentifiers) {
    const names = [...new Set(input.logGroupIdentifiers.map((id) => groupNameOfOrNull(id, p)))].filter(
      (n): n is string => n !== null,
    );
    const found = names
      .map((n) => deps.logs.getGroup(p.region, n))
      .filter((g): g is LogGroupRow => g !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return { logGroups: found.map((g) => renderGroup(g, p)) };
  }
  const token = decodePageToken(input.nextToken, isGroupsToken);
  const rows = deps.logs.listGroups(p.region, {
    prefix: input.logGroupNamePrefix,
    contains: input.logGroupNamePattern,
    after: token?.after,
    limit: limit + 1,
  });
  // The class filter applies to the groups scanned: a page may hold fewer than `limit` (or none)
  // and still have a nextToken, which resumes after the last group scanned.
  const scanned = rows.slice(0, limit);
  const page = input.logGroupClass ? scanned.filter((g) => g.logGroupClass === input.logGroupClass) : scanned;
  return {
    logGroups: page.map((g) => renderGroup(g, p)),
    ...(rows.length > limit ? { nextToken: encodePageToken({ after: scanned[scanned.length - 1]!.name }) } : {}),
  };
}

function groupNameOfOrNull(id: string, p: Principal): string | null {
  try {
    return groupNameOf(id, p);
  } catch {
    return null;
  }
}

export async function putRetentionPolicy(deps: LogsDeps, input: PutRetentionPolicyRequest, ctx: RequestContext) {
  const days = input.retentionInDays!;
  if (!RETENTION_DAYS.includes(days)) {
    throw validationError(
      days,
      "retentionInDays",
      `Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
    );
  }
  const group = requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal);
  deps.logs.setRetention(group.gid, days);
  return {};
}

export async function deleteRetentionPolicy(deps: LogsDeps, input: DeleteRetentionPolicyRequest, ctx: RequestContext) {
  const group = requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal);
  deps.logs.setRetention(group.gid, null);
  return {};
}
