import { backoffDelay } from "../core/backoff.js";

/**
 * Warm starts, the agent's end: pulls the images the control plane lists in its poll answers'
 * `prefetch` (src/contracts/agent-protocol.ts) in the background, so a deployment's tasks start
 * from a cached image. At most `concurrency` pulls at once; each image is pulled once while it
 * stays listed (again if it leaves the list and comes back). Pulls go through the task engine's
 * own `pull`, so a task needing the same image (with the agent's credentials) shares the pull.
 * A failed pull never fails anything: it is logged and retried with backoff (from 5 s up to
 * 5 min), at the next answer or timer after the delay.
 */
export interface PrefetcherOptions {
  pull: (image: string) => Promise<unknown>;
  log?: (line: Record<string, unknown>) => void;
  /** Pulls at once (default 2). */
  concurrency?: number;
  now?: () => number;
  random?: () => number;
}

interface ImageState {
  pulled: boolean;
  failures: number;
  retryAt: number;
}

export class Prefetcher {
  private listed: string[] = [];
  private readonly state = new Map<string, ImageState>();
  private readonly inFlight = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PrefetcherOptions) {}

  /** The control plane's latest list (whole each time). */
  update(images: readonly string[]): void {
    if (this.closed) return;
    this.listed = [...new Set(images)];
    const keep = new Set(this.listed);
    for (const image of [...this.state.keys()]) if (!keep.has(image) && !this.inFlight.has(image)) this.state.delete(image);
    this.pump();
  }

  /** Images pulled ahead and still listed. */
  get pulled(): string[] {
    return this.listed.filter((i) => this.state.get(i)?.pulled);
  }

  /** Resolves when no pull ahead is running (tests, benches). */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.closed) return;
    const now = (this.opts.now ?? Date.now)();
    const limit = this.opts.concurrency ?? 2;
    let nextRetry = Infinity;
    for (const image of this.listed) {
      if (this.inFlight.size >= limit) break;
      if (this.inFlight.has(image)) continue;
      const s = this.state.get(image) ?? { pulled: false, failures: 0, retryAt: 0 };
      this.state.set(image, s);
      if (s.pulled) continue;
      if (s.retryAt > now) {
        nextRetry = Math.min(nextRetry, s.retryAt);
        continue;
      }
      this.start(image, s);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (nextRetry !== Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, nextRetry - now));
      this.timer.unref?.();
    }
  }

  private start(image: string, s: ImageState): void {
    const log = this.opts.log ?? (() => undefined);
    this.inFlight.add(image);
    log({ msg: "pulling an image ahead of its tasks (warm start)", image });
    void this.opts
      .pull(image)
      .then(
        () => {
          s.pulled = true;
          s.failures = 0;
          log({ msg: "image pulled ahead", image });
        },
        (err: unknown) => {
          const delay = backoffDelay(s.failures++, { initialMs: 5_000, maxMs: 300_000 }, this.opts.random);
          s.retryAt = (this.opts.now ?? Date.now)() + delay;
          log({ msg: "pull ahead failed; retried later", image, error: (err as Error)?.message ?? String(err), retryInMs: delay });
        },
      )
      .finally(() => {
        this.inFlight.delete(image);
        if (this.inFlight.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        this.pump();
      });
  }
}
