import type { Clock } from "../../core/time.js";
import type { Store } from "../../store/store.js";
import type { AgentHub } from "../agent-hub.js";
import type { PlacementIndexes } from "./placement-indexes.js";

/** What ECS operations are given besides their input: the store, the clock, and hooks. */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  /** Serialises read-modify-write sections inside this process. */
  lock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** The agent channel's in-memory side (sequence numbers, presence); absent in pure API tests. */
  agents?: AgentHub;
  /**
   * Each cluster's placement state kept in memory and current from committed writes (src/server.ts
   * wires it); absent, placement reads the cluster afresh on every call.
   */
  placement?: PlacementIndexes;
  /** Chance, injected (placement ties, Spot interruptions); Math.random when absent. */
  random?: () => number;
  /** The URL this control plane serves on (what DiscoverPollEndpoint hands agents); set once listening. */
  endpoint?: string;
  /** Called after CreateService/UpdateService/DeleteService commit (the service controller enqueues it). */
  onServiceChanged?: (serviceArn: string, clusterArn: string) => void;
}

/** A per-key async mutex: callers for the same key run one after another. */
export function keyedLock(): EcsDeps["lock"] {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
