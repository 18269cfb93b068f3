import type { Clock } from "../core/time.js";
import type { KeyedLock } from "../store/keyed-lock.js";
import type { Store } from "../store/store.js";

/**
 * What code working on the stored records needs, and all that the controllers are given: the
 * store, the clock, and a per-key lock for read-modify-write sections (src/store/keyed-lock.ts).
 * The ECS operations' deps (src/api/ecs/deps.ts) extend it with the API's own hooks.
 */
export interface StoreDeps {
  store: Store;
  clock: Clock;
  /** Serialises read-modify-write sections inside this process. */
  lock: KeyedLock;
}
