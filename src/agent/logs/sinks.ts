import { createHash } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type InputEvent, splitIntoBatches } from "../../core/log-batch.js";
import type { LogDestination, LogRoute } from "../../core/log-route.js";
import type { PendingBatch } from "./cursor.js";
import type { LogLine } from "./docker-frames.js";
import { ensureLogGroup, ensureLogStream, errorCode, isPermanent, type LogsCall } from "../../contracts/logs-client.js";

/**
 * Destinations of shipped lines. A sink delivers a batch and resolves once the destination has
 * it (PutLogEvents answered, the file appended, the HTTP endpoint answered 2xx); only then does
 * the shipper move its cursor. FireLens routes turn each line into Fluent Bit's record
 * (`source`, `log`, `container_id`, `container_name`, and with enable-ecs-log-metadata the
 * `ecs_cluster`, `ecs_task_arn`, `ecs_task_definition` keys).
 */

/** A batch the destination refused for good (it is dropped and counted; retrying cannot help). */
export class PermanentSinkError extends Error {
  override name = "PermanentSinkError";
}

export interface Sink {
  /** Where the lines go, for logs and stats (e.g. `awslogs ap-northeast-2 /ecs/dogsdef ecs/dogs/…`). */
  readonly label: string;
  /** Delivers lines in order; throws PermanentSinkError or a retryable error. Returns events the destination rejected. */
  write(lines: LogLine[]): Promise<{ rejected: number }>;
  /** What the destination will show last after this batch (for crash recovery); undefined when unverifiable. */
  fingerprint?(lines: LogLine[]): Pick<PendingBatch, "lastTs" | "lastHash"> | undefined;
  /** After a crash: was this batch stored? */
  confirm?(pending: PendingBatch): Promise<boolean>;
}

export interface ContainerIdentity {
  id: string;
  /** Docker's name, with the leading slash FireLens records carry. */
  dockerName: string;
}

const tsMs = (l: LogLine): number => Number(l.ts / 1_000_000n);
const sha1 = (s: string): string => createHash("sha1").update(s).digest("hex");

/** Fluent Bit's record for one line of a FireLens-routed container. */
export function firelensRecord(route: LogRoute, c: ContainerIdentity, l: LogLine): Record<string, string> {
  return {
    source: l.source,
    log: l.text,
    container_id: c.id,
    container_name: c.dockerName.startsWith("/") ? c.dockerName : `/${c.dockerName}`,
    ...(route.firelens?.metadata ?? {}),
  };
}

/** `seconds.nanoseconds`, Fluent Bit's event time. */
const eventTime = (l: LogLine): string => `${l.ts / 1_000_000_000n}.${String(l.ts % 1_000_000_000n).padStart(9, "0")}`;

/**
 * `call` delivers (under the task's execution role when it has one); `confirmCall` makes the
 * crash-recovery read (GetLogEvents), Wharf's own bookkeeping rather than anything ECS does, so it
 * is made with the agent's keys (an execution role need not allow logs:GetLogEvents;
 * AmazonECSTaskExecutionRolePolicy does not).
 */
export function createSink(route: LogRoute, c: ContainerIdentity, call: LogsCall, log: (l: Record<string, unknown>) => void, confirmCall: LogsCall = call): Sink {
  const dest = route.destination;
  const message = (l: LogLine): string => {
    if (route.driver === "awslogs") return l.text;
    const record = firelensRecord(route, c, l);
    if (dest.type === "cloudwatch" && dest.logKey) return record[dest.logKey] ?? "";
    return JSON.stringify(record);
  };
  switch (dest.type) {
    case "cloudwatch":
      return new CloudWatchSink(call, dest, dest.stream ?? c.id, message, route.driver, confirmCall);
    case "file":
      return fileSink(dest, route, c);
    case "http":
      return httpSink(dest, route, c);
    case "stdout":
      return {
        label: "firelens stdout",
        async write(lines) {
          for (const l of lines) log({ msg: "firelens stdout", tag: route.firelens?.tag, time: eventTime(l), record: firelensRecord(route, c, l) });
          return { rejected: 0 };
        },
      };
  }
}

type CloudWatchDest = Extract<LogDestination, { type: "cloudwatch" }>;

/** PutLogEvents into one stream; recreates a deleted stream (and group, with create-group) and goes on. */
class CloudWatchSink implements Sink {
  readonly label: string;
  constructor(
    private readonly call: LogsCall,
    private readonly dest: CloudWatchDest,
    private readonly stream: string,
    private readonly message: (l: LogLine) => string,
    driver: string,
    private readonly confirmCall: LogsCall = call,
  ) {
    this.label = `${driver} ${dest.region} ${dest.group} ${stream}`;
  }

  private events(lines: LogLine[]): InputEvent[] {
    const out: InputEvent[] = [];
    for (const l of lines) {
      const m = this.message(l);
      if (m.length > 0) out.push({ timestamp: tsMs(l), message: m });
    }
    return out;
  }

  /** A write retried with the same lines resumes after the API batches already stored (no duplicates). */
  private progress?: { lines: LogLine[]; batches: InputEvent[][]; stored: number; rejected: number };

  async write(lines: LogLine[]): Promise<{ rejected: number }> {
    if (this.progress?.lines !== lines) {
      this.progress = { lines, batches: splitIntoBatches(this.events(lines)), stored: 0, rejected: 0 };
    }
    const p = this.progress;
    for (; p.stored < p.batches.length; p.stored++) p.rejected += await this.put(p.batches[p.stored]!, true);
    this.progress = undefined;
    return { rejected: p.rejected };
  }

  private async put(batch: InputEvent[], mayRepair: boolean): Promise<number> {
    const d = this.dest;
    try {
      const out = await this.call<{ rejectedLogEventsInfo?: Record<string, number> }>(d.region, "PutLogEvents", {
        logGroupName: d.group,
        logStreamName: this.stream,
        logEvents: batch,
      });
      const r = out.rejectedLogEventsInfo;
      if (!r) return 0;
      // Indexes are inclusive ends (too old / expired) or a start (too new).
      const old = Math.max(r.tooOldLogEventEndIndex ?? -1, r.expiredLogEventEndIndex ?? -1) + 1;
      const tooNew = r.tooNewLogEventStartIndex === undefined ? 0 : batch.length - r.tooNewLogEventStartIndex;
      return old + tooNew;
    } catch (err) {
      if (errorCode(err) === "ResourceNotFoundException" && mayRepair) {
        if (d.createGroup) await ensureLogGroup(this.call, d.region, d.group);
        try {
          await ensureLogStream(this.call, d.region, d.group, this.stream);
        } catch (e) {
          if (errorCode(e) === "ResourceNotFoundException") {
            throw new PermanentSinkError(`log group ${d.group} (${d.region}) does not exist and awslogs-create-group is off`);
          }
          throw e;
        }
        return this.put(batch, false);
      }
      if (isPermanent(err)) throw new PermanentSinkError((err as Error).message);
      throw err;
    }
  }

  fingerprint(lines: LogLine[]): Pick<PendingBatch, "lastTs" | "lastHash"> | undefined {
    const batches = splitIntoBatches(this.events(lines));
    const last = batches[batches.length - 1]?.at(-1);
    return last ? { lastTs: last.timestamp, lastHash: sha1(last.message) } : undefined;
  }

  /**
   * The stream has one writer (this container's shipper), so if its newest event is the batch's
   * last one, ingested after the batch was sent, the batch was stored.
   */
  async confirm(p: PendingBatch): Promise<boolean> {
    const d = this.dest;
    try {
      const out = await this.confirmCall<{ events?: { timestamp?: number; message?: string; ingestionTime?: number }[] }>(
        d.region,
        "GetLogEvents",
        { logGroupName: d.group, logStreamName: this.stream, limit: 1, startFromHead: false },
      );
      const e = out.events?.[0];
      return !!e && e.timestamp === p.lastTs && sha1(e.message ?? "") === p.lastHash && (e.ingestionTime ?? 0) >= p.sentAtMs - 60_000;
    } catch (err) {
      if (errorCode(err) === "ResourceNotFoundException") return false;
      throw err;
    }
  }
}

type FileDest = Extract<LogDestination, { type: "file" }>;

/** Fluent Bit's `file` output: `out_file` lines (`tag: [time, record]`) or `plain` (the record as JSON). */
function fileSink(dest: FileDest, route: LogRoute, c: ContainerIdentity): Sink {
  const path = join(dest.path, dest.file);
  return {
    label: `firelens file ${path}`,
    async write(lines) {
      const text = lines
        .map((l) => {
          const json = JSON.stringify(firelensRecord(route, c, l));
          return dest.format === "plain" ? `${json}\n` : `${route.firelens?.tag}: [${eventTime(l)}, ${json}]\n`;
        })
        .join("");
      await mkdir(dest.path, { recursive: true });
      await appendFile(path, text);
      return { rejected: 0 };
    },
  };
}

type HttpDest = Extract<LogDestination, { type: "http" }>;

/** Fluent Bit's `http` output with Format json (an array of records with `date`) or json_lines. */
function httpSink(dest: HttpDest, route: LogRoute, c: ContainerIdentity): Sink {
  const url = `http://${dest.host.includes(":") ? `[${dest.host}]` : dest.host}:${dest.port}${dest.uri.startsWith("/") ? "" : "/"}${dest.uri}`;
  return {
    label: `firelens http ${url}`,
    async write(lines) {
      const records = lines.map((l) => ({ date: Number(eventTime(l)), ...firelensRecord(route, c, l) }));
      const body = dest.format === "json" ? JSON.stringify(records) : records.map((r) => JSON.stringify(r)).join("\n") + "\n";
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": dest.format === "json" ? "application/json" : "application/x-ndjson" },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 500 || res.status === 429) throw new Error(`HTTP ${res.status} from ${url}`);
      if (res.status >= 400) throw new PermanentSinkError(`HTTP ${res.status} from ${url}`);
      return { rejected: 0 };
    },
  };
}
