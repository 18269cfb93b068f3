import { invalidParameter } from "./errors.js";

/**
 * CloudWatch Logs' PutLogEvents batch rules, as pure functions: the checks that fail a whole
 * batch, the classification of events that are rejected one by one (`rejectedLogEventsInfo`),
 * and a splitter that turns any list of lines into batches the API accepts (for shippers).
 */

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
/** Bytes of overhead CloudWatch counts per event on top of its UTF-8 message. */
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_EVENT_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
export const MAX_BATCH_SPAN_MS = 24 * 3600_000;
export const MAX_FUTURE_MS = 2 * 3600_000;
export const MAX_AGE_MS = 14 * 86_400_000;

export interface InputEvent {
  timestamp: number;
  message: string;
}

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface BatchPlan {
  /** The events to store, in order. */
  accepted: InputEvent[];
  rejected?: RejectedInfo;
}

/**
 * Checks a batch at `nowMs` for a group keeping `retentionDays` (null: forever). Throws
 * InvalidParameterException for what fails the whole call: an oversized message, a batch over
 * 1,048,576 bytes (messages + 26 bytes each), events out of chronological order, or accepted
 * events spanning more than 24 hours. (1–10,000 events and non-empty messages are the model's
 * rules, checked before this runs.) Events more than 2 hours
 * ahead, more than 14 days old, or older than the retention are left out and reported.
 */
export function planBatch(events: InputEvent[], nowMs: number, retentionDays: number | null): BatchPlan {
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const bytes = Buffer.byteLength(e.message, "utf8");
    if (bytes > MAX_EVENT_BYTES) {
      throw invalidParameter(`Log event too large: ${bytes} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    }
    total += bytes + EVENT_OVERHEAD_BYTES;
    if (i > 0 && e.timestamp < events[i - 1]!.timestamp) {
      throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if (total > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);

  const tooOldBefore = nowMs - MAX_AGE_MS;
  const expiredBefore = retentionDays === null ? -Infinity : nowMs - retentionDays * 86_400_000;
  const tooNewAfter = nowMs + MAX_FUTURE_MS;
  const rejected: RejectedInfo = {};
  const accepted: InputEvent[] = [];
  events.forEach((e, i) => {
    if (e.timestamp < tooOldBefore) rejected.tooOldLogEventEndIndex = i;
    else if (e.timestamp < expiredBefore) rejected.expiredLogEventEndIndex = i;
    else if (e.timestamp > tooNewAfter) rejected.tooNewLogEventStartIndex ??= i;
    else accepted.push(e);
  });
  if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > MAX_BATCH_SPAN_MS) {
    throw invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  return Object.keys(rejected).length > 0 ? { accepted, rejected } : { accepted };
}

/**
 * Sorts events by timestamp (stable: lines of the same millisecond keep their order) and cuts
 * them into batches PutLogEvents accepts: ≤ 10,000 events, ≤ 1,048,576 bytes, ≤ 24 hours span.
 * Messages over the per-event limit are split into several events, as Docker's awslogs does.
 */
export function splitIntoBatches(events: InputEvent[]): InputEvent[][] {
  const sorted = events
    .flatMap((e) => splitMessage(e))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i)
    .map((x) => x.e);
  const batches: InputEvent[][] = [];
  let cur: InputEvent[] = [];
  let bytes = 0;
  for (const e of sorted) {
    const size = Buffer.byteLength(e.message, "utf8") + EVENT_OVERHEAD_BYTES;
    if (
      cur.length > 0 &&
      (cur.length >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || e.timestamp - cur[0]!.timestamp > MAX_BATCH_SPAN_MS)
    ) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += size;
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

function splitMessage(e: InputEvent): InputEvent[] {
  if (e.message.length === 0) return [];
  if (Buffer.byteLength(e.message, "utf8") <= MAX_EVENT_BYTES) return [e];
  const out: InputEvent[] = [];
  let chunk = "";
  let chunkBytes = 0;
  for (const ch of e.message) {
    const b = Buffer.byteLength(ch, "utf8");
    if (chunkBytes + b > MAX_EVENT_BYTES) {
      out.push({ timestamp: e.timestamp, message: chunk });
      chunk = "";
      chunkBytes = 0;
    }
    chunk += ch;
    chunkBytes += b;
  }
  if (chunk) out.push({ timestamp: e.timestamp, message: chunk });
  return out;
}
