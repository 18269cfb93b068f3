import type { Store, WriteOp } from "./store.js";

/** Called after a batch of writes is durable, with the ops it held. */
export type WriteListener = (ops: readonly WriteOp[]) => void;

/**
 * Wraps a Store so that committed writes are announced. Controllers use it as their trigger:
 * whatever code path changes a task or an instance, the interested controller hears of it,
 * then re-reads the state itself (level-triggered), so no write site needs to know them.
 */
export function withWriteListener<S extends Store>(store: S, listener: WriteListener): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "write") {
        return async (ops: WriteOp[]) => {
          await target.write(ops);
          try {
            listener(ops);
          } catch {
            /* a listener's failure must not fail an acknowledged write */
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
