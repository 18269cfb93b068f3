/**
 * A task's `healthStatus` from its containers', as ECS computes it ("How Amazon ECS determines
 * task health", developer guide): only essential containers that have a health check in the
 * task definition count, evaluated in order —
 *   1. any of them UNHEALTHY → UNHEALTHY;
 *   2. else any of them UNKNOWN (still being evaluated, or no status yet) → UNKNOWN;
 *   3. else (all HEALTHY) → HEALTHY.
 * With no essential container carrying a health check, the task is UNKNOWN. Health checks
 * baked into an image (Dockerfile HEALTHCHECK) are not monitored, and `NONE` is no check.
 * Pure: no I/O.
 */

export type HealthStatus = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
export const HEALTH_STATUSES: readonly HealthStatus[] = ["HEALTHY", "UNHEALTHY", "UNKNOWN"];

/** The parts of a container definition that decide whether its health counts. */
export interface HealthInput {
  name?: string;
  essential?: boolean;
  healthCheck?: { command?: string[] };
}

/** True when the container definition carries a health check the agent runs (not absent, not NONE). */
export function hasHealthCheck(def: HealthInput): boolean {
  const cmd = def.healthCheck?.command ?? [];
  return cmd.length > 0 && cmd[0] !== "NONE";
}

/**
 * The task's health from each container's current `healthStatus` (by name) and the task
 * definition's container definitions.
 */
export function taskHealthStatus(defs: HealthInput[], statusByName: ReadonlyMap<string, string | undefined>): HealthStatus {
  const counted = defs.filter((d) => d.essential !== false && hasHealthCheck(d));
  if (counted.length === 0) return "UNKNOWN";
  const statuses = counted.map((d) => statusByName.get(d.name ?? "") ?? "UNKNOWN");
  if (statuses.includes("UNHEALTHY")) return "UNHEALTHY";
  if (statuses.some((s) => s !== "HEALTHY")) return "UNKNOWN";
  return "HEALTHY";
}
