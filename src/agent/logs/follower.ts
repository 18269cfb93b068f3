import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES, EVENT_OVERHEAD_BYTES } from "../../core/log-batch.js";
import type { LogRoute } from "../../core/log-route.js";
import type { DockerClient } from "../docker/client.js";
import { DockerApiError } from "../docker/errors.js";
import { openRequest } from "../docker/transport.js";
import { backoffDelay, sleep } from "../task-engine/reporter.js";
import { advance, type CursorDoc, type CursorStore, type Position, positionOf, sinceParam } from "./cursor.js";
import { DockerLogDecoder, LineAssembler, type LogLine } from "./docker-frames.js";
import { PermanentSinkError, type Sink } from "./sinks.js";

/**
 * One container's log pipeline: Docker's log stream → an in-memory queue → batches → the sink.
 *
 * Reading follows `GET /containers/{id}/logs?follow=1` from the last position read; when the
 * stream ends the container is inspected: still running (Docker ended the stream early) →
 * follow again; not started yet → wait; exited → read once more without follow (stragglers)
 * and finish. So lines written just before the exit are delivered.
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
/** How long the first line waits for company before a batch is sent (at low rates). */
export const LINGER_MS = 50;
const BATCH_TRIGGER_BYTES = 256 * 1024;

export interface FollowerContext {
  docker: DockerClient;
  cursors: CursorStore;
  log: (line: Record<string, unknown>) => void;
  /** Aborted when the agent stops: reading ends, an in-flight batch is finished and recorded. */
  signal: AbortSignal;
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

interface Queued {
  line: LogLine;
  end: Position;
}

class Closed extends Error {}

export class ContainerFollower {
  readonly done: Promise<void>;
  private shipped = 0;
  private dropped = 0;
  private rejected = 0;
  private finished = false;
  private queue: Queued[] = [];
  private qHead = 0;
  private queuedBytes = 0;
  private readPos: Position = { ts: 0n, skip: 0 };
  private doc!: CursorDoc;
  private readingOver = false;
  private complete = false;
  private wakeShipper?: () => void;
  private wakeReader?: () => void;
  private wakePause?: () => void;
  private lastDropLog = 0;
  private unloggedDrops = 0;
  private lastRetryLog = 0;
  private final = false;

  constructor(
    private readonly ctx: FollowerContext,
    readonly target: FollowTarget,
  ) {
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
    this.wakePause?.();
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
      rejected: this.rejected,
      queuedBytes: this.queuedBytes,
      done: this.finished,
    };
  }

  private get aborted(): boolean {
    return this.ctx.signal.aborted;
  }

  private wakeAll(): void {
    this.wakeShipper?.();
    this.wakeReader?.();
    this.wakePause?.();
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
    this.shipped = this.doc.shipped;
    this.dropped = this.doc.dropped;
    await this.recover();
    this.readPos = positionOf(this.doc);
    const shipping = this.shipLoop();
    try {
      await this.readLoop();
    } finally {
      this.readingOver = true;
      this.wakeShipper?.();
    }
    await shipping;
    if (this.aborted || !this.complete || this.queueLength > 0) return;
    this.commit({ sinceNs: String(this.readPos.ts), skip: this.readPos.skip, done: true });
    this.finished = true;
    this.logDrops(true);
    this.ctx.log({ msg: "log shipping finished", container: t.id, task: t.route.taskArn, name: t.route.containerName, to: t.sink.label, shipped: this.shipped, dropped: this.dropped });
  }

  /** A batch was in flight when the previous agent stopped: ask the destination whether it arrived. */
  private async recover(): Promise<void> {
    const p = this.doc.pending;
    if (!p) return;
    let stored = false;
    for (let attempt = 0; this.target.sink.confirm && !this.aborted; attempt++) {
      try {
        stored = await this.target.sink.confirm(p);
        break;
      } catch {
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 }), this.ctx.signal).catch(() => undefined);
      }
    }
    if (stored) this.shipped += p.count;
    this.commit(stored ? { sinceNs: p.sinceNs, skip: p.skip, pending: undefined } : { pending: undefined });
    this.ctx.log({ msg: "resumed log shipping after a restart", container: this.target.id, pendingBatchStored: stored, lines: p.count });
  }

  private commit(change: Partial<CursorDoc>): void {
    this.doc = { ...this.doc, ...change, shipped: this.shipped, dropped: this.dropped };
    if (change.pending === undefined) delete this.doc.pending;
    this.ctx.cursors.save(this.doc);
  }

  // ---- reading ----

  private async readLoop(): Promise<void> {
    const asm = new LineAssembler(this.target.tty);
    while (!this.aborted) {
      await this.readOnce(true, asm);
      if (this.aborted) return;
      let info;
      try {
        info = await this.ctx.docker.inspectContainer(this.target.id);
      } catch (err) {
        if (err instanceof DockerApiError && err.statusCode === 404) {
          // Removed: what was read is shipped; nothing more can be.
          for (const l of asm.flush()) this.enqueue(l, this.readPos);
          this.complete = true;
          return;
        }
        await this.pause(500);
        continue;
      }
      const s = info.State.Status;
      if (s === "exited" || s === "dead" || s === "removing") {
        await this.readOnce(false, asm);
        for (const l of asm.flush()) this.enqueue(l, this.readPos);
        this.complete = !this.aborted;
        return;
      }
      if (s === "created" && this.final) {
        this.complete = true;
        return;
      }
      await this.pause(s === "created" ? 1_000 : 100);
    }
  }

  private async readOnce(follow: boolean, asm: LineAssembler): Promise<void> {
    const since = sinceParam(this.readPos);
    const sinceTs = this.readPos.ts;
    let skip = this.readPos.skip;
    const query = `follow=${follow ? 1 : 0}&stdout=1&stderr=1&timestamps=1${since ? `&since=${since}` : ""}`;
    const dec = new DockerLogDecoder(this.target.tty);
    const blocking = this.target.route.mode === "blocking";
    try {
      const res = await openRequest(this.ctx.docker.endpoint, {
        method: "GET",
        path: `/containers/${encodeURIComponent(this.target.id)}/logs?${query}`,
        signal: this.ctx.signal,
        timeoutMs: 0,
      });
      for await (const chunk of res) {
        for (const m of dec.push(chunk as Buffer)) {
          // The first `skip` messages stamped exactly `since` were read before (cursor.ts).
          if (skip > 0 && m.ts === sinceTs) {
            skip--;
            continue;
          }
          skip = 0;
          this.readPos = advance(this.readPos, m.ts);
          const line = asm.push(m);
          if (line) this.enqueue(line, this.readPos);
        }
        while (blocking && this.queuedBytes > HIGH_WATER_BYTES && !this.aborted) {
          await new Promise<void>((r) => (this.wakeReader = r));
          this.wakeReader = undefined;
        }
      }
    } catch (err) {
      if (this.aborted) return;
      if (err instanceof DockerApiError && err.statusCode === 404) return;
      this.ctx.log({ msg: "docker log stream interrupted, resuming", container: this.target.id, error: (err as Error).message });
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakePause = done;
      if (this.aborted) done();
    }).finally(() => (this.wakePause = undefined));
  }

  private enqueue(line: LogLine, end: Position): void {
    if (line.bytes === 0) return; // empty lines are no events (CloudWatch refuses empty messages), as Docker's awslogs skips them
    const r = this.target.route;
    if (r.mode === "non-blocking" && this.queueLength > 0 && this.queuedBytes + line.bytes > r.maxBufferBytes) {
      this.dropped++;
      this.unloggedDrops++;
      this.logDrops(false);
      return;
    }
    this.queue.push({ line, end });
    this.queuedBytes += line.bytes;
    this.wakeShipper?.();
  }

  private logDrops(final: boolean): void {
    if (this.unloggedDrops === 0) return;
    const now = Date.now();
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

  // ---- shipping ----

  private get queueLength(): number {
    return this.queue.length - this.qHead;
  }

  private async shipLoop(): Promise<void> {
    try {
      while (!this.aborted) {
        if (this.queueLength === 0) {
          if (this.readingOver) return;
          await new Promise<void>((r) => (this.wakeShipper = r));
          this.wakeShipper = undefined;
          continue;
        }
        if (!this.readingOver && this.queuedBytes < BATCH_TRIGGER_BYTES && this.queueLength < MAX_BATCH_EVENTS) {
          await sleep(LINGER_MS, this.ctx.signal).catch(() => undefined);
          if (this.aborted) return;
        }
        await this.deliver(this.take());
        if (this.queuedBytes < LOW_WATER_BYTES) this.wakeReader?.();
      }
    } catch (err) {
      if (!(err instanceof Closed)) throw err;
    } finally {
      this.wakeReader?.();
    }
  }

  /** The next batch, in read order: ≤ 10,000 lines, ≤ 1 MiB as CloudWatch counts it. */
  private take(): Queued[] {
    const out: Queued[] = [];
    let bytes = 0;
    while (this.qHead < this.queue.length && out.length < MAX_BATCH_EVENTS) {
      const q = this.queue[this.qHead]!;
      const size = Math.min(q.line.bytes, MAX_EVENT_BYTES) + EVENT_OVERHEAD_BYTES;
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      out.push(q);
      bytes += size;
      this.qHead++;
      this.queuedBytes -= q.line.bytes;
    }
    if (this.qHead > 4096 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    return out;
  }

  private async deliver(batch: Queued[]): Promise<void> {
    const { sink, route } = this.target;
    const lines = batch.map((q) => q.line);
    const end = batch[batch.length - 1]!.end;
    const fp = sink.fingerprint?.(lines);
    if (fp) {
      this.commit({ pending: { sinceNs: String(end.ts), skip: end.skip, count: lines.length, ...fp, sentAtMs: Date.now() } });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { rejected } = await sink.write(lines);
        this.shipped += lines.length - rejected;
        if (rejected > 0) {
          this.rejected += rejected;
          this.ctx.log({ msg: "log events rejected by the destination (too old or too new)", container: this.target.id, to: sink.label, rejected });
        }
        break;
      } catch (err) {
        if (err instanceof PermanentSinkError) {
          this.rejected += lines.length;
          this.ctx.log({ msg: "log batch refused by its destination; dropped", container: this.target.id, to: sink.label, lines: lines.length, error: err.message });
          break;
        }
        if (this.aborted) throw new Closed();
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 10_000 });
        if (Date.now() - this.lastRetryLog > 10_000) {
          this.lastRetryLog = Date.now();
          this.ctx.log({ msg: "log destination not answering, retrying", container: this.target.id, to: sink.label, mode: route.mode, error: (err as Error).message, retryInMs: delay });
        }
        await sleep(delay, this.ctx.signal).catch(() => undefined);
        if (this.aborted) throw new Closed();
      }
    }
    this.commit({ sinceNs: String(end.ts), skip: end.skip, pending: undefined });
  }
}
