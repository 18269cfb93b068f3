import { useCallback, useEffect, useState } from "react";
import { errorText } from "./aws";

/** How often screens refresh their data (state refreshes by polling; no reload needed). */
export const POLL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  refresh(): void;
}

/**
 * Loads `fetcher` now and again every `intervalMs` while the screen is shown; `deps` restart it.
 * A failing poll keeps the last data and reports the error in words.
 */
export function usePoll<T>(fetcher: () => Promise<T>, deps: unknown[], intervalMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const live = { current: true };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const d = await fetcher();
        if (!live.current) return;
        setData(d);
        setError(undefined);
      } catch (e) {
        if (live.current) setError(errorText(e));
      } finally {
        if (live.current) {
          setLoading(false);
          timer = setTimeout(run, intervalMs);
        }
      }
    };
    void run();
    return () => {
      live.current = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, refresh };
}
