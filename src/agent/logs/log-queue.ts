import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from "../../core/log-batch.js";
import type { Position } from "./cursor.js";
import type { LogLine } from "./docker-frames.js";

/** A line read from Docker and the read position just after it (what the cursor saves once it is shipped). */
export interface Queued {
  line: LogLine;
  end: Position;
}

/**
 * One container's lines between the reader and the sender, in read order, with the byte count
 * both sides steer by (blocking mode's high/low water, non-blocking mode's max-buffer-size).
 */
export class LogQueue {
  #items: Queued[] = [];
  #head = 0;
  /** Message bytes queued. */
  bytes = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Queues a line; with `limitBytes` (non-blocking mode) a line that would take the queue past
   * it is refused (false) unless the queue is empty, as Docker's ring buffer drops it.
   */
  offer(q: Queued, limitBytes?: number): boolean {
    if (limitBytes !== undefined && this.length > 0 && this.bytes + q.line.bytes > limitBytes) return false;
    this.#items.push(q);
    this.bytes += q.line.bytes;
    return true;
  }

  /** The next batch, in read order: ≤ 10,000 lines, ≤ 1 MiB as CloudWatch counts it. */
  take(): Queued[] {
    const out: Queued[] = [];
    let size = 0;
    while (this.#head < this.#items.length && out.length < MAX_BATCH_EVENTS) {
      const q = this.#items[this.#head]!;
      const cost = Math.min(q.line.bytes, MAX_EVENT_BYTES) + EVENT_OVERHEAD_BYTES;
      if (out.length > 0 && size + cost > MAX_BATCH_BYTES) break;
      out.push(q);
      size += cost;
      this.#head++;
      this.bytes -= q.line.bytes;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }
}
