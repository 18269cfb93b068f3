import { MAX_BATCH_EVENTS } from "../../core/log-batch.js";
import type { LogRoute } from "../../core/log-route.js";
import { backoffDelay, sleep } from "../../core/backoff.js";
import type { CursorDoc } from "./cursor.js";
import type { LogQueue, Queued } from "./log-queue.js";
import { PermanentSinkError, type Sink } from "./sinks.js";

/** How long the first line waits for company before a batch is sent (at low rates). */
export const LINGER_MS = 50;
const BATCH_TRIGGER_BYTES = 256 * 1024;

/** What the sender needs of its follower. */
export interface BatchSenderHooks {
  signal: AbortSignal;
  log: (line: Record<string, unknown>) => void;
  sink: Sink;
  route: LogRoute;
  containerId: string;
  queue: LogQueue;
  /** The reader has finished: send what is queued and stop. */
  readingOver(): boolean;
  /** Resolves when a line is queued or reading ends. */
  lines(): Promise<void>;
  /** Called after each batch (the reader may be waiting for room). */
  sent(): void;
  /** Saves the cursor (shipped/dropped counts included by the follower). */
  commit(change: Partial<CursorDoc>): void;
  now(): number;
}

class Closed extends Error {}

/**
 * Sends one container's queued lines to its sink in batches, one batch at a time, in order:
 * a batch is noted as pending in the cursor before it is sent (so a restarted agent can ask the
 * sink whether it arrived) and the cursor moves past it once the sink acknowledged it. Transient
 * errors are retried with backoff; a permanent refusal drops the batch and says so.
 */
export class BatchSender {
  shipped: number;
  rejected = 0;
  #lastRetryLog = 0;

  constructor(
    private readonly h: BatchSenderHooks,
    shipped: number,
  ) {
    this.shipped = shipped;
  }

  async run(): Promise<void> {
    const { signal, queue } = this.h;
    try {
      while (!signal.aborted) {
        if (queue.length === 0) {
          if (this.h.readingOver()) return;
          await this.h.lines();
          continue;
        }
        if (!this.h.readingOver() && queue.bytes < BATCH_TRIGGER_BYTES && queue.length < MAX_BATCH_EVENTS) {
          await sleep(LINGER_MS, signal).catch(() => undefined);
          if (signal.aborted) return;
        }
        await this.deliver(queue.take());
        this.h.sent();
      }
    } catch (err) {
      if (!(err instanceof Closed)) throw err;
    } finally {
      this.h.sent();
    }
  }

  private async deliver(batch: Queued[]): Promise<void> {
    const { sink, route, signal } = this.h;
    const lines = batch.map((q) => q.line);
    const end = batch[batch.length - 1]!.end;
    const fp = sink.fingerprint?.(lines);
    if (fp) {
      this.h.commit({ pending: { sinceNs: String(end.ts), skip: end.skip, count: lines.length, ...fp, sentAtMs: this.h.now() } });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { rejected } = await sink.write(lines);
        this.shipped += lines.length - rejected;
        if (rejected > 0) {
          this.rejected += rejected;
          this.h.log({ msg: "log events rejected by the destination (too old or too new)", container: this.h.containerId, to: sink.label, rejected });
        }
        break;
      } catch (err) {
        if (err instanceof PermanentSinkError) {
          this.rejected += lines.length;
          this.h.log({ msg: "log batch refused by its destination; dropped", container: this.h.containerId, to: sink.label, lines: lines.length, error: err.message });
          break;
        }
        if (signal.aborted) throw new Closed();
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 10_000 });
        if (this.h.now() - this.#lastRetryLog > 10_000) {
          this.#lastRetryLog = this.h.now();
          this.h.log({ msg: "log destination not answering, retrying", container: this.h.containerId, to: sink.label, mode: route.mode, error: (err as Error).message, retryInMs: delay });
        }
        await sleep(delay, signal).catch(() => undefined);
        if (signal.aborted) throw new Closed();
      }
    }
    this.h.commit({ sinceNs: String(end.ts), skip: end.skip, pending: undefined });
  }
}
