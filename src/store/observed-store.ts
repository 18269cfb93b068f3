import type { Store, WriteOp, WriteOptions } from "./store.js";

/** Called after a batch of writes is durable, with the ops it held. */
export type WriteListener = (ops: readonly WriteOp[]) => void;

/** A store whose committed writes are announced; `listenerFailures` counts listeners that threw. */
export type ObservedStore<S extends Store> = S & { readonly listenerFailures: number };

/**
 * Wraps a Store so that committed writes are announced. Controllers use it as their trigger:
 * whatever code path changes a task or an instance, the interested controller hears of it,
 * then re-reads the state itself (level-triggered), so no write site needs to know them.
 * A listener that throws does not fail the acknowledged write: the error goes to `onError`
 * (the server logs it) and is counted in `listenerFailures`.
 */
export function withWriteListener<S extends Store>(
  store: S,
  listener: WriteListener,
  onError: (err: unknown, ops: readonly WriteOp[]) => void = () => undefined,
): ObservedStore<S> {
  let failures = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "listenerFailures") return failures;
      if (prop === "write") {
        return async (ops: WriteOp[], opts?: WriteOptions) => {
          await target.write(ops, opts);
          try {
            listener(ops);
          } catch (err) {
            failures++;
            try {
              onError(err, ops);
            } catch {
              /* the error reporter itself must not fail the write either */
            }
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as ObservedStore<S>;
}
