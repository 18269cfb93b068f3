import { AGENT_GRACE_MS } from "../agent/protocol.js";
import type { Clock } from "../core/time.js";

/** Longest a single poll is held, whatever the agent asks for. */
export const MAX_POLL_WAIT_MS = 60_000;

/**
 * In-memory side of the agent channel: per-instance sequence numbers, held polls waiting for
 * a change, and agent presence. Nothing here needs to survive a restart: sequence numbers
 * start at boot time × 1000 (so they keep rising across restarts) and agents reconnect within
 * their backoff, which re-establishes presence.
 */
export class AgentHub {
  private counter: number;
  private readonly base: number;
  private readonly seqs = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly openPolls = new Map<string, number>();
  private readonly lastPollEnd = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    /** How long after its last poll an agent still counts as connected. */
    readonly graceMs = AGENT_GRACE_MS,
  ) {
    this.base = clock.now() * 1000;
    this.counter = this.base;
  }

  /** The instance's current sequence number. */
  seq(instanceArn: string): number {
    return this.seqs.get(instanceArn) ?? this.base;
  }

  /** Records a change that affects the instance (call AFTER the store write) and wakes its held polls. */
  bump(instanceArn: string): void {
    this.seqs.set(instanceArn, ++this.counter);
    const set = this.waiters.get(instanceArn);
    if (set) for (const wake of [...set]) wake();
  }

  /** True while a poll is open, or ended less than `graceMs` ago. */
  connected(instanceArn: string): boolean {
    if ((this.openPolls.get(instanceArn) ?? 0) > 0) return true;
    const end = this.lastPollEnd.get(instanceArn);
    return end !== undefined && this.clock.now() - end < this.graceMs;
  }

  pollStarted(instanceArn: string): void {
    this.openPolls.set(instanceArn, (this.openPolls.get(instanceArn) ?? 0) + 1);
  }

  pollEnded(instanceArn: string): void {
    const n = (this.openPolls.get(instanceArn) ?? 1) - 1;
    if (n > 0) this.openPolls.set(instanceArn, n);
    else this.openPolls.delete(instanceArn);
    this.lastPollEnd.set(instanceArn, this.clock.now());
  }

  /** Forgets an instance's presence (deregistration): it reads disconnected at once. */
  forget(instanceArn: string): void {
    this.lastPollEnd.delete(instanceArn);
  }

  /**
   * Resolves once the instance's sequence exceeds `afterSeq`, after `waitMs`, when `abort`
   * fires (the agent hung up) or when the hub closes, whichever comes first.
   */
  wait(instanceArn: string, afterSeq: number, waitMs: number, abort?: AbortSignal): Promise<void> {
    if (this.closed || this.seq(instanceArn) > afterSeq || abort?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(instanceArn);
      if (!set) this.waiters.set(instanceArn, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        abort?.removeEventListener("abort", done);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(instanceArn) === set) this.waiters.delete(instanceArn);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(waitMs, MAX_POLL_WAIT_MS)));
      timer.unref();
      abort?.addEventListener("abort", done);
      set.add(done);
    });
  }

  /** Releases every held poll (server shutdown). */
  close(): void {
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
  }
}
