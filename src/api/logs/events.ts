import type {
  FilteredLogEvent,
  FilterLogEventsRequest,
  GetLogEventsRequest,
  OutputLogEvent,
  PutLogEventsRequest,
  PutLogEventsResponse,
} from "@aws-sdk/client-cloudwatch-logs";
import { invalidParameter } from "../../core/errors.js";
import { parseFilterPattern } from "../../core/filter-pattern.js";
import { type InputEvent, MAX_BATCH_BYTES, planBatch } from "../../core/log-batch.js";
import type { RequestContext } from "../../edge/service.js";
import {
  decodePageToken,
  encodePageToken,
  eventsLimit,
  groupNotFound,
  type LogsDeps,
  requireGroup,
  requireStream,
  streamNotFound,
} from "./common.js";
import { END, type Position, START, type StoredEvent } from "./log-store.js";
import { sequenceToken } from "./streams.js";
import { validateLogsInput } from "./validation.js";

/** Events examined per FilterLogEvents call before it answers with a short page and a token. */
export const FILTER_SCAN_BUDGET = 100_000;
/** Response size cap for event reads, as CloudWatch's (1 MB). */
const MAX_RESPONSE_BYTES = MAX_BATCH_BYTES;

/** The eventId of a stored event: its never-reused sequence number, zero-padded. */
export const eventIdOf = (seq: number): string => String(seq).padStart(56, "0");

export interface AppendRequest {
  region: string;
  logGroupName: string;
  logStreamName: string;
  logEvents: InputEvent[];
  /** Create the group if missing (awslogs-create-group); default false. */
  createGroup?: boolean;
  /** Create the stream if missing (what the awslogs driver does); default false. */
  createStream?: boolean;
}

/**
 * Appends one batch to a stream, with PutLogEvents' rules and answer; the in-process entry point
 * for shippers (the API operation is a thin wrapper). Stored durably before it returns, with
 * `ingestionTime` = now. Use `splitIntoBatches` (src/core/log-batch.ts) to cut arbitrary lines
 * into acceptable batches first.
 */
export function appendLogEvents(deps: LogsDeps, req: AppendRequest): PutLogEventsResponse {
  // In-process callers bypass the edge: the model's checks (names, 1–10,000 events, non-empty
  // messages) as a PutLogEvents call gets them.
  validateLogsInput("PutLogEvents", { logGroupName: req.logGroupName, logStreamName: req.logStreamName, logEvents: req.logEvents });
  return append(deps, req);
}

/** appendLogEvents for input the model has already checked. */
function append(deps: LogsDeps, req: AppendRequest): PutLogEventsResponse {
  const now = deps.clock.now();
  let group = deps.logs.getGroup(req.region, req.logGroupName);
  if (!group && req.createGroup) {
    group = deps.logs.createGroup(req.region, req.logGroupName, now) ?? deps.logs.getGroup(req.region, req.logGroupName);
  }
  if (!group) throw groupNotFound();
  let stream = deps.logs.getStream(group.gid, req.logStreamName);
  if (!stream && req.createStream) {
    stream = deps.logs.createStream(group.gid, req.logStreamName, now) ?? deps.logs.getStream(group.gid, req.logStreamName);
  }
  if (!stream) throw streamNotFound();
  const plan = planBatch(req.logEvents, now, group.retentionDays);
  const last = plan.accepted.length > 0 ? deps.logs.append(group, stream, plan.accepted, now) : 0;
  return {
    nextSequenceToken: sequenceToken(last || stream.sid),
    ...(plan.rejected ? { rejectedLogEventsInfo: plan.rejected } : {}),
  };
}

export async function putLogEvents(deps: LogsDeps, input: PutLogEventsRequest, ctx: RequestContext) {
  return append(deps, {
    region: ctx.principal.region,
    logGroupName: input.logGroupName!,
    logStreamName: input.logStreamName!,
    logEvents: input.logEvents as InputEvent[],
  });
}

function timeWindow(startTime: number | undefined, endTime: number | undefined): { start: number; end: number } {
  const start = startTime ?? 0;
  const end = endTime ?? END.ts;
  if (end < start) throw invalidParameter("End time cannot be less than Start time");
  return { start, end };
}

/** Keeps events while their messages fit in the response cap, from the front or the back. */
function capBytes(events: StoredEvent[], fromBack: boolean): StoredEvent[] {
  let bytes = 0;
  const order = fromBack ? [...events].reverse() : events;
  let n = 0;
  for (const e of order) {
    bytes += Buffer.byteLength(e.message, "utf8") + 26;
    if (bytes > MAX_RESPONSE_BYTES && n > 0) break;
    n++;
  }
  return fromBack ? events.slice(events.length - n) : events.slice(0, n);
}

// GetLogEvents tokens: `f/TS/SEQ` (read forward after) or `b/TS/SEQ` (read backward before).
const encodeGetToken = (dir: "f" | "b", p: Position): string => `${dir}/${p.ts}/${p.seq}`;
function decodeGetToken(token: string): { dir: "f" | "b"; pos: Position } {
  const m = /^([fb])\/(-?\d{1,16})\/(\d{1,16})$/.exec(token);
  if (!m) throw invalidParameter("The specified nextToken is invalid.");
  return { dir: m[1] as "f" | "b", pos: { ts: Number(m[2]), seq: Number(m[3]) } };
}

/**
 * GetLogEvents: one stream's events in [startTime, endTime), oldest first. Without a token it
 * returns the newest `limit` events (or the oldest with `startFromHead`). A forward token reads
 * the events after the last one returned; a backward token those before the first. When there
 * is nothing more in that direction the token passed in comes back unchanged, which is how
 * clients know they reached the end.
 */
export async function getLogEvents(deps: LogsDeps, input: GetLogEventsRequest, ctx: RequestContext) {
  const group = requireGroup(deps, input, ctx.principal);
  const stream = requireStream(deps, group, input.logStreamName!);
  const limit = eventsLimit(input.limit);
  const { start, end } = timeWindow(input.startTime, input.endTime);
  const token = input.nextToken !== undefined ? decodeGetToken(input.nextToken) : undefined;
  const forward = token ? token.dir === "f" : input.startFromHead === true;
  const from = token?.pos ?? (forward ? START : END);
  const rows = deps.logs.streamEvents(stream.sid, {
    startTime: start,
    endTime: end,
    ...(forward ? { after: from } : { before: from }),
    limit,
  });
  const events = capBytes(rows, !forward);
  const out: OutputLogEvent[] = events.map((e) => ({ timestamp: e.ts, message: e.message, ingestionTime: e.ingestMs }));
  if (events.length === 0) {
    const same = input.nextToken ?? encodeGetToken(forward ? "f" : "b", from);
    const other = encodeGetToken(forward ? "b" : "f", from.ts === END.ts ? START : from);
    return forward
      ? { events: out, nextForwardToken: same, nextBackwardToken: other }
      : { events: out, nextForwardToken: other, nextBackwardToken: same };
  }
  const first = events[0]!;
  const last = events[events.length - 1]!;
  return {
    events: out,
    nextForwardToken: encodeGetToken("f", { ts: last.ts, seq: last.seq }),
    nextBackwardToken: encodeGetToken("b", { ts: first.ts, seq: first.seq }),
  };
}

interface FilterToken {
  ts: number;
  seq: number;
}
const isFilterToken = (v: unknown): v is FilterToken =>
  Number.isSafeInteger((v as FilterToken)?.ts) && Number.isSafeInteger((v as FilterToken)?.seq);

/**
 * FilterLogEvents: a group's events in [startTime, endTime] across its streams (all, named ones,
 * or a name prefix), matching `filterPattern`, interleaved in timestamp order. Each event carries
 * a stable `eventId`, so pollers such as `aws logs tail --follow` can de-duplicate. `nextToken`
 * appears while more of the range remains; a page may hold fewer than `limit` events when the
 * scan budget ran out first. `searchedLogStreams` is empty, as CloudWatch has returned since 2020.
 */
export async function filterLogEvents(deps: LogsDeps, input: FilterLogEventsRequest, ctx: RequestContext) {
  const group = requireGroup(deps, input, ctx.principal);
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  const pattern = parseFilterPattern(input.filterPattern);
  const limit = eventsLimit(input.limit);
  const { start, end } = timeWindow(input.startTime, input.endTime);
  const token = decodePageToken(input.nextToken, isFilterToken);
  let sids: number[] | undefined;
  if (input.logStreamNames !== undefined || input.logStreamNamePrefix !== undefined) {
    sids = deps.logs.streamIds(group.gid, { names: input.logStreamNames, prefix: input.logStreamNamePrefix });
    if (sids.length === 0) return { events: [], searchedLogStreams: [] };
  }
  const res = deps.logs.filterEvents(group.gid, {
    sids,
    startTime: start,
    endTime: end,
    after: token ?? START,
    limit,
    pattern,
    scanBudget: FILTER_SCAN_BUDGET,
  });
  let resumeAt = res.resumeAt;
  const events = capBytes(res.events, false);
  if (events.length < res.events.length) {
    const last = events[events.length - 1]!;
    resumeAt = { ts: last.ts, seq: last.seq };
  }
  const out: FilteredLogEvent[] = events.map((e) => ({
    logStreamName: e.stream,
    timestamp: e.ts,
    message: e.message,
    ingestionTime: e.ingestMs,
    eventId: eventIdOf(e.seq),
  }));
  return {
    events: out,
    searchedLogStreams: [],
    ...(resumeAt ? { nextToken: encodePageToken({ ts: resumeAt.ts, seq: resumeAt.seq }) } : {}),
  };
}
