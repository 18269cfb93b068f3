import type {
  CreateLogStreamRequest,
  DeleteLogStreamRequest,
  DescribeLogStreamsRequest,
  LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Principal } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import {
  alreadyExists,
  decodePageToken,
  describeLimit,
  encodePageToken,
  type LogsDeps,
  logStreamArn,
  requireGroup,
  requireStream,
} from "./common.js";
import type { LogStreamRow } from "./log-store.js";

/**
 * `storedBytes` of a stream is always 0: CloudWatch Logs stopped reporting it per stream in
 * 2019 (the group's `storedBytes` carries the total).
 */
export function renderStream(s: LogStreamRow, groupName: string, p: Principal): LogStream {
  return {
    logStreamName: s.name,
    creationTime: s.createdMs,
    ...(s.firstEventMs !== null ? { firstEventTimestamp: s.firstEventMs } : {}),
    ...(s.lastEventMs !== null ? { lastEventTimestamp: s.lastEventMs } : {}),
    ...(s.lastIngestionMs !== null ? { lastIngestionTime: s.lastIngestionMs } : {}),
    uploadSequenceToken: sequenceToken(s.sid),
    arn: logStreamArn(p, groupName, s.name),
    storedBytes: 0,
  };
}

/** Sequence tokens are ignored by PutLogEvents today; one is still returned, as AWS does. */
export const sequenceToken = (n: number): string => String(n).padStart(56, "4");

export async function createLogStream(deps: LogsDeps, input: CreateLogStreamRequest, ctx: RequestContext) {
  const name = input.logStreamName!;
  const group = requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal);
  if (!deps.logs.createStream(group.gid, name, deps.clock.now())) {
    throw alreadyExists("The specified log stream already exists");
  }
  return {};
}

export async function deleteLogStream(deps: LogsDeps, input: DeleteLogStreamRequest, ctx: RequestContext) {
  const group = requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal);
  deps.logs.deleteStream(requireStream(deps, group, input.logStreamName!).sid);
  return {};
}

interface StreamsToken {
  name: string;
  last?: number;
}
const isStreamsToken = (v: unknown): v is StreamsToken =>
  typeof (v as StreamsToken)?.name === "string" && ["number", "undefined"].includes(typeof (v as StreamsToken).last);

export async function describeLogStreams(deps: LogsDeps, input: DescribeLogStreamsRequest, ctx: RequestContext) {
  const group = requireGroup(deps, input, ctx.principal);
  const byLastEvent = input.orderBy === "LastEventTime";
  if (byLastEvent && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  const limit = describeLimit(input.limit);
  const token = decodePageToken(input.nextToken, isStreamsToken);
  const rows = deps.logs.listStreams(group.gid, {
    prefix: input.logStreamNamePrefix,
    byLastEvent,
    desc: input.descending === true,
    after: token ? { name: token.name, last: token.last ?? -1 } : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    logStreams: page.map((s) => renderStream(s, group.name, ctx.principal)),
    ...(rows.length > limit && last
      ? { nextToken: encodePageToken(byLastEvent ? { name: last.name, last: last.lastEventMs ?? -1 } : { name: last.name }) }
      : {}),
  };
}
