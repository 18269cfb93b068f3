import { ECS_LABELS } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import type { ContainerInspect, CreateContainerBody, DockerEvent } from "../docker/types.js";
import { jsonLines, openRequest } from "../docker/transport.js";
import { backoffDelay, sleep } from "../../core/backoff.js";

/**
 * Container health as ECS reports it. Docker runs the task definition's health check (the
 * container's Healthcheck); the agent watches Docker's health state and maps it: healthy →
 * HEALTHY, unhealthy → UNHEALTHY, anything else (starting, no status yet) → UNKNOWN. Only
 * containers whose definition has a health check (not NONE) are reported; a check baked into
 * the image is not monitored, as in ECS.
 *
 * One Docker event stream per agent (`health_status` events of the instance's containers)
 * tells each task which container to re-read; a task then inspects it, so a missed or
 * reordered event costs nothing but latency. Docker emits the event on every status change.
 * When the stream breaks it reconnects with backoff and asks every task to re-read all its
 * containers, which also covers changes made while it was away.
 */

export type ContainerHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

export function mapDockerHealth(status: string | undefined): ContainerHealth {
  if (status === "healthy") return "HEALTHY";
  if (status === "unhealthy") return "UNHEALTHY";
  return "UNKNOWN";
}

/** Docker's health status of an inspected container (State.Health.Status), mapped. */
export const healthOfInspect = (info: ContainerInspect): ContainerHealth =>
  mapDockerHealth((info.State as { Health?: { Status?: string } }).Health?.Status);

/** True when the create body carries a health check the agent monitors. */
export const monitorsHealth = (body: CreateContainerBody): boolean =>
  !!body.Healthcheck?.Test?.length && body.Healthcheck.Test[0] !== "NONE";

/** Called with a container name to re-read, or undefined to re-read every container of the task. */
export type HealthListener = (containerName: string | undefined) => void;

export class HealthMonitor {
  private readonly listeners = new Map<string, HealthListener>();
  private running = false;

  constructor(
    private readonly docker: DockerClient,
    /** Labels every container of this agent carries (the instance label). */
    private readonly labels: Record<string, string>,
    private readonly signal: AbortSignal,
    private readonly log: (line: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** Registers a task's listener; returns the function that removes it. Starts the stream on first use. */
  watch(taskArn: string, listener: HealthListener): () => void {
    this.listeners.set(taskArn, listener);
    if (!this.running && !this.signal.aborted) {
      this.running = true;
      void this.loop();
    }
    return () => {
      if (this.listeners.get(taskArn) === listener) this.listeners.delete(taskArn);
    };
  }

  private async loop(): Promise<void> {
    const filters = JSON.stringify({
      type: ["container"],
      event: ["health_status"],
      label: Object.entries(this.labels).map(([k, v]) => `${k}=${v}`),
    });
    for (let attempt = 0; !this.signal.aborted; ) {
      try {
        const res = await openRequest(this.docker.endpoint, {
          method: "GET",
          path: `/events?filters=${encodeURIComponent(filters)}`,
          signal: this.signal,
        });
        attempt = 0;
        // Connected: anything that changed before now is read once by every task.
        for (const listener of this.listeners.values()) listener(undefined);
        for await (const ev of jsonLines<DockerEvent>(res)) {
          const attrs = ev.Actor?.Attributes ?? {};
          const task = attrs[ECS_LABELS.taskArn];
          const name = attrs[ECS_LABELS.containerName];
          if (task && name) this.listeners.get(task)?.(name);
        }
      } catch (err) {
        if (this.signal.aborted) return;
        this.log({ msg: "docker health events interrupted, reconnecting", error: (err as Error).message });
      }
      if (this.signal.aborted) return;
      await sleep(backoffDelay(attempt++, { initialMs: 200, maxMs: 10_000 }), this.signal);
    }
  }
}
