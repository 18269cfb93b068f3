import { AGENT_GRACE_MS } from "../contracts/agent-protocol.js";
import type { Clock } from "../core/time.js";

/** Longest a single poll is held, whatever the agent asks for. */
export const MAX_POLL_WAIT_MS = 60_000;

/**
 * In-memory side of the agent channel: per-instance sequence numbers, held polls waiting for
 * a change, and agent presence. Nothing here needs to survive a restart: sequence numbers
 * start at boot time × 1000 (so they keep rising across restarts) and agents reconnect within
 * their backoff, which re-establishes presence. Until they do, the instances registered before
 * the restart are given one grace period from boot (`resumeAfterRestart`), as if their last poll
 * had just ended: a control-plane restart does not turn RunTask into `AGENT` failures, and
 * tasks placed meanwhile are delivered when each agent's next poll arrives.
 */
export class AgentHub {
  private counter: number;
  private readonly base: number;
  private readonly seqs = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly openPolls = new Map<string, number>();
  private readonly lastPollEnd = new Map<string, number>();
  /** Presence last announced per instance, and the pending "has the grace run out?" checks. */
  private readonly announced = new Map<string, boolean>();
  private readonly checks = new Map<string, NodeJS.Timeout>();
  private readonly presenceListeners: ((instanceArn: string, connected: boolean) => void)[] = [];
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

  /** Records a change that affects every instance (e.g. a security group's rules) and wakes every held poll. */
  bumpAll(): void {
    for (const arn of new Set([...this.seqs.keys(), ...this.openPolls.keys(), ...this.lastPollEnd.keys()])) this.bump(arn);
  }

  /** How many instances are connected now (Wharf's /metrics). */
  connectedCount(): number {
    let n = 0;
    for (const arn of new Set([...this.openPolls.keys(), ...this.lastPollEnd.keys()])) if (this.connected(arn)) n++;
    return n;
  }

  /** True while a poll is open, or ended less than `graceMs` ago. */
  connected(instanceArn: string): boolean {
    if ((this.openPolls.get(instanceArn) ?? 0) > 0) return true;
    const end = this.lastPollEnd.get(instanceArn);
    return end !== undefined && this.clock.now() - end < this.graceMs;
  }

  /** Instances known from before a restart count as connected for one grace period from now. */
  resumeAfterRestart(instanceArns: Iterable<string>): void {
    const now = this.clock.now();
    for (const arn of instanceArns) {
      if (this.lastPollEnd.has(arn) || (this.openPolls.get(arn) ?? 0) > 0) continue;
      this.lastPollEnd.set(arn, now);
      this.checkLater(arn, this.graceMs);
    }
  }

  pollStarted(instanceArn: string): void {
    this.openPolls.set(instanceArn, (this.openPolls.get(instanceArn) ?? 0) + 1);
    this.announce(instanceArn);
  }

  pollEnded(instanceArn: string): void {
    const n = (this.openPolls.get(instanceArn) ?? 1) - 1;
    if (n > 0) this.openPolls.set(instanceArn, n);
    else this.openPolls.delete(instanceArn);
    this.lastPollEnd.set(instanceArn, this.clock.now());
    if (n <= 0) this.checkLater(instanceArn, this.graceMs);
  }

  /** Forgets an instance's presence (deregistration): it reads disconnected at once. */
  forget(instanceArn: string): void {
    this.lastPollEnd.delete(instanceArn);
    this.announce(instanceArn);
  }

  /**
   * Calls `listener` whenever an instance's `connected()` changes: at its first poll, and once
   * the grace period after its last poll has run out (placement keeps agentConnected in its
   * index this way instead of asking per decision).
   */
  onPresenceChange(listener: (instanceArn: string, connected: boolean) => void): void {
    this.presenceListeners.push(listener);
  }

  private announce(instanceArn: string): void {
    const now = this.connected(instanceArn);
    if (this.announced.get(instanceArn) === now) return;
    this.announced.set(instanceArn, now);
    for (const l of this.presenceListeners) l(instanceArn, now);
  }

  /** One pending timer per instance at most; it re-arms while polls keep the grace from running out. */
  private checkLater(instanceArn: string, delayMs: number): void {
    if (this.closed || this.checks.has(instanceArn)) return;
    const timer = setTimeout(() => {
      this.checks.delete(instanceArn);
      if ((this.openPolls.get(instanceArn) ?? 0) > 0) return;
      const end = this.lastPollEnd.get(instanceArn);
      const left = end === undefined ? 0 : end + this.graceMs - this.clock.now();
      if (left > 0) this.checkLater(instanceArn, left);
      else this.announce(instanceArn);
    }, Math.max(0, delayMs) + 1);
    timer.unref();
    this.checks.set(instanceArn, timer);
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

  /**
   * Like `wait` for several instances at once (a simulated fleet's grouped poll): resolves once
   * any of them has a sequence above its `afterSeq`, after `waitMs`, on abort or close.
   */
  waitAny(polls: readonly { instanceArn: string; afterSeq: number }[], waitMs: number, abort?: AbortSignal): Promise<void> {
    if (this.closed || abort?.aborted || polls.some((p) => this.seq(p.instanceArn) > p.afterSeq)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sets: Set<() => void>[] = [];
      const done = () => {
        clearTimeout(timer);
        abort?.removeEventListener("abort", done);
        for (const [i, p] of polls.entries()) {
          const set = sets[i]!;
          set.delete(done);
          if (set.size === 0 && this.waiters.get(p.instanceArn) === set) this.waiters.delete(p.instanceArn);
        }
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(waitMs, MAX_POLL_WAIT_MS)));
      timer.unref();
      abort?.addEventListener("abort", done);
      for (const p of polls) {
        let set = this.waiters.get(p.instanceArn);
        if (!set) this.waiters.set(p.instanceArn, (set = new Set()));
        set.add(done);
        sets.push(set);
      }
    });
  }

  /** Releases every held poll (server shutdown). */
  close(): void {
    this.closed = true;
    for (const t of this.checks.values()) clearTimeout(t);
    this.checks.clear();
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
  }
}
