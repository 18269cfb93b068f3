/** Runs `fn` once every earlier call for the same key has finished. */
export type KeyedLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** A per-key async mutex: callers for the same key run one after another. */
export function keyedLock(): KeyedLock {
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
