import type { LogRoute } from "../../core/log-route.js";
import type { Clock } from "../../core/time.js";
import { systemClock } from "../../core/time.js";
import type { DockerClient } from "../docker/client.js";
import { backoffDelay, sleep } from "../../core/backoff.js";
import { BatchSender } from "./batch-sender.js";
import { type CursorDoc, type CursorStore, type Position, positionOf } from "./cursor.js";
import type { LogLine } from "./docker-frames.js";
import { LogQueue } from "./log-queue.js";
import { LogReader } from "./log-reader.js";
import type { Sink } from "./sinks.js";

export { LINGER_MS } from "./batch-sender.js";

/**
 * One container's log pipeline: Docker's log stream (log-reader.ts) → an in-memory queue
 * (log-queue.ts) → batches → the sink (batch-sender.ts). This file ties them together: the
 * delivery mode, the cursor, recovery after a restart, the counters.
 *
 * Delivery modes, as Docker's:
 * - blocking (default): nothing is dropped. When the queue passes HIGH_WATER the reader stops
 *   pulling from Docker until the sink catches up; the lines wait in the container's json-file
 *   log meanwhile, so the application itself is never stalled by a slow destination.
 * - non-blocking: the queue holds at most `max-buffer-size` bytes of messages; a line that does
 *   not fit is dropped (as Docker's ring buffer drops it) and counted.
 *
 * The cursor file (cursor.ts) is written only after the sink acknowledged a batch; before
 * sending, the batch is noted as pending so that after a crash the sink can be asked whether it
 * arrived. A restarted agent resumes from the file: no line lost, none shipped twice.
 */

/** Blocking mode: stop reading from Docker above this many queued bytes, resume below LOW_WATER. */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;

export interface FollowerContext {
  docker: DockerClient;
  cursors: CursorStore;
  log: (line: Record<string, unknown>) => void;
  /** Aborted when the agent stops: reading ends, an in-flight batch is finished and recorded. */
  signal: AbortSignal;
  /** Stamps and log-rate limits (default: the system clock). */
  clock?: Clock;
}

export interface FollowTarget {
  id: string;
  dockerName: string;
  route: LogRoute;
  tty: boolean;
  sink: Sink;
}

export interface FollowerStats {
  containerId: string;
  taskArn: string;
  containerName: string;
  destination: string;
  mode: string;
  shipped: number;
  dropped: number;
  /** Events the destination refused (too old/new for CloudWatch, or a permanent error). */
  rejected: number;
  queuedBytes: number;
  done: boolean;
}

export class ContainerFollower {
  readonly done: Promise<void>;
  private dropped = 0;
  private finished = false;
  private readonly queue = new LogQueue();
  private doc!: CursorDoc;
  private readingOver = false;
  private reader?: LogReader;
  private sender?: BatchSender;
  private wakeSender?: () => void;
  private wakeReader?: () => void;
  private lastDropLog = 0;
  private unloggedDrops = 0;
  private final = false;
  private readonly clock: Clock;

  constructor(
    private readonly ctx: FollowerContext,
    readonly target: FollowTarget,
  ) {
    this.clock = ctx.clock ?? systemClock;
    this.done = this.run().catch((err: Error) => {
      if (!ctx.signal.aborted) ctx.log({ msg: "log shipping failed", container: target.id, error: err.message });
    });
    ctx.signal.addEventListener("abort", () => this.wakeAll(), { once: true });
  }

  get isDone(): boolean {
    return this.finished;
  }

  /** The container changed state (started, died): stop waiting and look again. */
  nudge(): void {
    this.reader?.nudge();
  }

  /** The task is stopping: a container that never started never will, so it has nothing more to ship. */
  finalize(): void {
    this.final = true;
    this.nudge();
  }

  stats(): FollowerStats {
    const t = this.target;
    return {
      containerId: t.id,
      taskArn: t.route.taskArn,
      containerName: t.route.containerName,
      destination: t.sink.label,
      mode: t.route.mode,
      shipped: this.shipped,
      dropped: this.dropped,
      rejected: this.sender?.rejected ?? 0,
      queuedBytes: this.queue.bytes,
      done: this.finished,
    };
  }

  private get shipped(): number {
    return this.sender?.shipped ?? this.doc?.shipped ?? 0;
  }

  private get aborted(): boolean {
    return this.ctx.signal.aborted;
  }

  private wakeAll(): void {
    this.wakeSender?.();
    this.wakeReader?.();
    this.reader?.nudge();
  }

  private async run(): Promise<void> {
    const t = this.target;
    const prior = this.ctx.cursors.load(t.id);
    this.doc = prior ?? {
      containerId: t.id,
      taskArn: t.route.taskArn,
      containerName: t.route.containerName,
      destination: t.sink.label,
      sinceNs: "0",
      skip: 0,
      shipped: 0,
      dropped: 0,
      done: false,
    };
    if (this.doc.done) {
      this.finished = true;
      return;
    }
    this.dropped = this.doc.dropped;
    const shippedBefore = await this.recover(this.doc.shipped);
    const reader = (this.reader = new LogReader(
      {
        docker: this.ctx.docker,
        signal: this.ctx.signal,
        log: this.ctx.log,
        emit: (line, end) => this.enqueue(line, end),
        backpressure: () =>
          t.route.mode === "blocking" && this.queue.bytes > HIGH_WATER_BYTES && !this.aborted
            ? new Promise<void>((r) => (this.wakeReader = r)).finally(() => (this.wakeReader = undefined))
            : undefined,
        isFinal: () => this.final,
      },
      { id: t.id, tty: t.tty },
      positionOf(this.doc),
    ));
    this.sender = new BatchSender(
      {
        signal: this.ctx.signal,
        log: this.ctx.log,
        sink: t.sink,
        route: t.route,
        containerId: t.id,
        queue: this.queue,
        readingOver: () => this.readingOver,
        lines: () => new Promise<void>((r) => (this.wakeSender = r)).finally(() => (this.wakeSender = undefined)),
        sent: () => {
          if (this.queue.bytes < LOW_WATER_BYTES) this.wakeReader?.();
        },
        commit: (change) => this.commit(change),
        now: () => this.clock.now(),
      },
      shippedBefore,
    );
    const sending = this.sender.run();
    try {
      await reader.run();
    } finally {
      this.readingOver = true;
      this.wakeSender?.();
    }
    await sending;
    if (this.aborted || !reader.complete || this.queue.length > 0) return;
    this.commit({ sinceNs: String(reader.pos.ts), skip: reader.pos.skip, done: true });
    this.finished = true;
    this.logDrops(true);
    this.ctx.log({ msg: "log shipping finished", container: t.id, task: t.route.taskArn, name: t.route.containerName, to: t.sink.label, shipped: this.shipped, dropped: this.dropped });
  }

  /** A batch was in flight when the previous agent stopped: ask the destination whether it arrived. Returns the shipped count. */
  private async recover(shipped: number): Promise<number> {
    const p = this.doc.pending;
    if (!p) return shipped;
    let stored = false;
    for (let attempt = 0; this.target.sink.confirm && !this.aborted; attempt++) {
      try {
        stored = await this.target.sink.confirm(p);
        break;
      } catch {
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 }), this.ctx.signal).catch(() => undefined);
      }
    }
    const total = stored ? shipped + p.count : shipped;
    this.doc = { ...this.doc, shipped: total };
    this.commit(stored ? { sinceNs: p.sinceNs, skip: p.skip, pending: undefined } : { pending: undefined });
    this.ctx.log({ msg: "resumed log shipping after a restart", container: this.target.id, pendingBatchStored: stored, lines: p.count });
    return total;
  }

  private commit(change: Partial<CursorDoc>): void {
    this.doc = { ...this.doc, ...change, shipped: this.shipped, dropped: this.dropped };
    if (change.pending === undefined) delete this.doc.pending;
    this.ctx.cursors.save(this.doc);
  }

  private enqueue(line: LogLine, end: Position): void {
    if (line.bytes === 0) return; // empty lines are no events (CloudWatch refuses empty messages), as Docker's awslogs skips them
    const r = this.target.route;
    if (!this.queue.offer({ line, end }, r.mode === "non-blocking" ? r.maxBufferBytes : undefined)) {
      this.dropped++;
      this.unloggedDrops++;
      this.logDrops(false);
      return;
    }
    this.wakeSender?.();
  }

  private logDrops(final: boolean): void {
    if (this.unloggedDrops === 0) return;
    const now = this.clock.now();
    if (!final && now - this.lastDropLog < 5_000) return;
    this.lastDropLog = now;
    const r = this.target.route;
    this.ctx.log({
      msg: "log lines dropped: the non-blocking buffer (max-buffer-size) was full",
      container: this.target.id,
      task: r.taskArn,
      name: r.containerName,
      maxBufferBytes: r.maxBufferBytes,
      dropped: this.unloggedDrops,
      totalDropped: this.dropped,
    });
    this.unloggedDrops = 0;
  }
}
