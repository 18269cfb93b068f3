import { backoffDelay, sleep } from "../../core/backoff.js";
import type { DockerClient } from "../docker/client.js";

/**
 * Calls `onExit` once the container is no longer running, by Docker's `wait` (re-armed with a
 * backoff when the wait itself fails while the container still runs), until `signal` aborts.
 */
export function watchExit(docker: DockerClient, id: string, signal: AbortSignal, onExit: () => void): void {
  const loop = async () => {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await docker.waitContainer(id, signal);
        return onExit();
      } catch {
        if (signal.aborted) return;
        const info = await docker.inspectContainer(id).catch(() => undefined);
        if (!info || !info.State.Running) return onExit();
        await sleep(backoffDelay(attempt, { initialMs: 250, maxMs: 5000, jitter: 0 }), signal);
      }
    }
  };
  void loop();
}
