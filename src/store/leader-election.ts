import type { Fence, Kind, ListQuery, Store, WriteOp, WriteOptions } from "./store.js";
import { FencedOut } from "./store.js";

/** Where leases live (PostgresStore): claim or renew in one step, release on a clean stop. */
export interface LeaseStore {
  claimLease(name: string, holder: string, ttlMs: number): Promise<number | undefined>;
  releaseLease(name: string, holder: string): Promise<void>;
}

/** This replica's view of who leads: controllers run while `isLeader()`, their writes carry `fence()`. */
export interface Leadership {
  readonly lease: string;
  readonly holder: string;
  isLeader(): boolean;
  /** The current term's fencing token, while leader. */
  fence(): Fence | undefined;
  /** Called on every change: became leader (with its token) or stepped down. */
  onChange(fn: (leader: boolean, token: number | undefined) => void): void;
  /** Stops claiming; a leader releases its lease so another takes over at once. */
  stop(): Promise<void>;
}

export interface ElectionOptions {
  lease: string;
  holder: string;
  /** How long a claim holds (default 3 s): a dead leader's successor waits at most this long, plus one retry. */
  ttlMs?: number;
  /** A leader renews this often (default ttl / 3). */
  renewMs?: number;
  /** A follower tries this often (default ttl / 6). */
  retryMs?: number;
  /** Monotonic milliseconds (injected; default performance.now). */
  now?: () => number;
  onError?: (err: unknown) => void;
}

/**
 * Leader election over a lease with a fencing token. A replica leads from a successful claim
 * until the claim's ttl would run out by its own monotonic clock without a renewal (a database it
 * cannot reach makes it step down before anyone else may take over). Safety does not rest on
 * clocks: every controller write carries the token, and the database refuses a stale one.
 */
export function electLeader(leases: LeaseStore, opts: ElectionOptions): Leadership {
  const ttlMs = opts.ttlMs ?? 3_000;
  const renewMs = opts.renewMs ?? Math.max(50, Math.floor(ttlMs / 3));
  const retryMs = opts.retryMs ?? Math.max(50, Math.floor(ttlMs / 6));
  const now = opts.now ?? (() => performance.now());
  const listeners: ((leader: boolean, token: number | undefined) => void)[] = [];
  let token: number | undefined;
  /** Our claim is good until then (monotonic), counted from when the claim was sent. */
  let validUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const set = (next: number | undefined) => {
    if (next === token) return;
    const was = token;
    token = next;
    if (was !== undefined && next !== undefined) for (const l of listeners) l(false, undefined); // a new term: step down, then up
    for (const l of listeners) l(next !== undefined, next);
  };
  const round = async () => {
    const sent = now();
    try {
      const got = await leases.claimLease(opts.lease, opts.holder, ttlMs);
      if (stopped) return;
      if (got !== undefined) validUntil = sent + ttlMs;
      set(got);
    } catch (err) {
      opts.onError?.(err);
      if (token !== undefined && now() >= validUntil - renewMs) set(undefined);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = round().finally(() => {
        inFlight = undefined;
        schedule();
      });
    }, token !== undefined ? renewMs : retryMs);
    timer.unref?.();
  };
  inFlight = round().finally(() => {
    inFlight = undefined;
    schedule();
  });

  return {
    lease: opts.lease,
    holder: opts.holder,
    isLeader: () => token !== undefined && now() < validUntil,
    fence: () => (token !== undefined && now() < validUntil ? { lease: opts.lease, token } : undefined),
    onChange: (fn) => void listeners.push(fn),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      if (token !== undefined) {
        set(undefined);
        await leases.releaseLease(opts.lease, opts.holder).catch((err) => opts.onError?.(err));
      }
    },
  };
}

/** One process owns the store (SQLite): it always leads, and its writes need no fence. */
export function soleLeader(lease: string, holder: string): Leadership {
  return {
    lease,
    holder,
    isLeader: () => true,
    fence: () => undefined,
    onChange: () => undefined,
    stop: async () => undefined,
  };
}

/**
 * The store as controllers see it: every write carries the leader's current fencing token, and a
 * replica that does not lead (any more) is refused at once. Reads pass through.
 */
export function fencedStore<S extends Store>(store: S, leadership: Leadership, needsFence: boolean): Store {
  return {
    get: <T>(kind: Kind, id: string) => store.get<T>(kind, id),
    list: <T>(kind: Kind, q?: ListQuery) => store.list<T>(kind, q),
    nextSequence: (name) => store.nextSequence(name),
    close: () => store.close(),
    write(ops: WriteOp[], opts?: WriteOptions) {
      if (!needsFence) return store.write(ops, opts);
      const fence = leadership.fence();
      if (!fence) return Promise.reject(new FencedOut(leadership.lease, undefined));
      return store.write(ops, { ...opts, fence });
    },
  };
}
