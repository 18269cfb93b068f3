import { backoffDelay } from "../core/backoff.js";

/**
 * A de-duplicating, level-triggered work queue (the shape Kubernetes controllers use): keys
 * (service ARNs) are enqueued when something about them may have changed; a key queued many
 * times is processed once; a key enqueued while it is being processed runs again right after;
 * a handler may ask to be called again after a delay; a failing handler is retried with
 * exponential backoff per key. Nothing here knows what a key means.
 */
export interface WorkQueueOptions {
  /** Keys processed at the same time (distinct keys only; one key never runs twice at once). */
  concurrency?: number;
  /** Backoff after a failure: base × 2^(failures-1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  onError?: (key: string, err: unknown) => void;
}

export type WorkHandler = (key: string) => Promise<{ requeueAfterMs?: number } | void>;

export class WorkQueue {
  readonly #handler: WorkHandler;
  readonly #concurrency: number;
  readonly #base: number;
  readonly #max: number;
  readonly #onError?: (key: string, err: unknown) => void;
  /** Keys ready to run, in arrival order (a Set keeps them unique). */
  readonly #ready = new Set<string>();
  readonly #running = new Set<string>();
  /** Keys enqueued again while running: run once more when done. */
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  readonly #idle: (() => void)[] = [];
  #stopped = false;

  constructor(handler: WorkHandler, opts: WorkQueueOptions = {}) {
    this.#handler = handler;
    this.#concurrency = opts.concurrency ?? 4;
    this.#base = opts.backoffBaseMs ?? 200;
    this.#max = opts.backoffMaxMs ?? 30_000;
    this.#onError = opts.onError;
  }

  /** Process `key` as soon as possible (no-op if already waiting). */
  add(key: string): void {
    if (this.#stopped) return;
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#ready.add(key);
    this.#pump();
  }

  /** Process `key` after `ms` (the earliest of several requests wins). */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const cur = this.#timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.#timers.set(key, { at, timer });
  }

  /** Keys waiting, running or scheduled (for tests and status). */
  get size(): number {
    return new Set([...this.#ready, ...this.#running, ...this.#timers.keys()]).size;
  }

  /** Resolves when nothing is ready or running (scheduled timers may remain). */
  async drained(): Promise<void> {
    if (this.#ready.size === 0 && this.#running.size === 0) return;
    await new Promise<void>((r) => this.#idle.push(r));
  }

  /** Stops taking work, cancels timers and waits for running handlers. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#ready.clear();
    await this.drained();
  }

  #pump(): void {
    for (const key of this.#ready) {
      if (this.#running.size >= this.#concurrency) break;
      if (this.#running.has(key)) continue;
      this.#ready.delete(key);
      this.#running.add(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    let again: number | undefined;
    try {
      const out = await this.#handler(key);
      this.#failures.delete(key);
      again = out?.requeueAfterMs;
    } catch (err) {
      const n = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, n);
      again = backoffDelay(n - 1, { initialMs: this.#base, maxMs: this.#max, jitter: 0 });
      this.#onError?.(key, err);
    } finally {
      this.#running.delete(key);
    }
    if (this.#dirty.delete(key)) this.add(key);
    else if (again !== undefined) this.addAfter(key, again);
    this.#pump();
    if (this.#ready.size === 0 && this.#running.size === 0) for (const r of this.#idle.splice(0)) r();
  }
}
