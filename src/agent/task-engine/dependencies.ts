/**
 * Container ordering (`dependsOn`) as amazon-ecs-agent resolves it (agent/engine/dependencygraph):
 *
 * - START: the dependency has started (it is running, or already ran and stopped).
 * - COMPLETE: the dependency has exited, whatever its exit code.
 * - SUCCESS: the dependency has exited with code 0; a non-zero exit can never satisfy it.
 * - HEALTHY: the dependency's health check has passed.
 *
 * Terminal cases (the condition can never hold) fail the waiting container at once, with the
 * agent's "dependency graph: …" wording: a SUCCESS dependency that exited non-zero, a dependency
 * that will never start, a HEALTHY dependency that exited. Wharf also fails a HEALTHY wait on a
 * dependency Docker reports UNHEALTHY (the agent keeps waiting for startTimeout; Wharf fails
 * fast so a broken health check does not leave the task PENDING forever). The dependency's own
 * `startTimeout` bounds how long others wait for its COMPLETE/SUCCESS/HEALTHY, counted from when
 * it started. Shutdown is the reverse: a container stops only once every container that
 * depends on it has stopped. Pure: no I/O.
 */

export type DependencyCondition = "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";

/** What the resolver needs to know about one container right now. */
export interface DependencyState {
  /** NONE/CREATED: not started yet; RUNNING; STOPPED (exited, or never started and never will). */
  status: "NONE" | "CREATED" | "RUNNING" | "STOPPED";
  exitCode?: number;
  /** HEALTHY / UNHEALTHY / UNKNOWN, for containers with a health check. */
  health?: string;
  /** Epoch milliseconds of the start; undefined when it never started. */
  startedAtMs?: number;
  /** The container definition's startTimeout, seconds. */
  startTimeoutSec?: number;
}

export type DependencyVerdict =
  | { kind: "ready" }
  /** Not yet; `untilMs` is the earliest startTimeout deadline to re-check at, if any. */
  | { kind: "wait"; untilMs?: number }
  | { kind: "fail"; reason: string };

/** Exit code ECS reports for a container it stopped because its dependencies cannot resolve. */
export const DEPENDENCY_FAILED_EXIT_CODE = 143;

const prefix = (dep: string, target: string) => `dependency graph: failed to resolve container ordering dependency [${dep}] for target [${target}]`;

/** Decides whether `target` may start given the states of the containers it depends on. */
export function evaluateDependencies(
  target: string,
  dependsOn: readonly { containerName: string; condition: string }[],
  states: ReadonlyMap<string, DependencyState>,
  nowMs: number,
): DependencyVerdict {
  let untilMs: number | undefined;
  let waiting = false;
  for (const dep of dependsOn) {
    const s = states.get(dep.containerName);
    if (!s) {
      return { kind: "fail", reason: `dependency graph: container ordering dependency [${dep.containerName}] for target [${target}] does not exist.` };
    }
    const started = s.startedAtMs !== undefined;
    if (s.status === "STOPPED" && !started) {
      return { kind: "fail", reason: `${prefix(dep.containerName, target)} because dependency will never start` };
    }
    const cond = dep.condition as DependencyCondition;
    if (cond === "SUCCESS" && s.status === "STOPPED" && s.exitCode !== 0) {
      return { kind: "fail", reason: `${prefix(dep.containerName, target)} as dependency did not exit successfully.` };
    }
    if (cond === "HEALTHY" && s.status === "STOPPED" && s.health !== "HEALTHY") {
      return { kind: "fail", reason: `${prefix(dep.containerName, target)} as dependency exited before it became healthy.` };
    }
    if (cond === "HEALTHY" && s.status === "RUNNING" && s.health === "UNHEALTHY") {
      return { kind: "fail", reason: `${prefix(dep.containerName, target)} as dependency is unhealthy.` };
    }
    if (resolved(cond, s)) continue;
    waiting = true;
    // The dependency's startTimeout, counted from its start, bounds waits for COMPLETE/SUCCESS/HEALTHY.
    if (cond !== "START" && started && s.startTimeoutSec && s.startTimeoutSec > 0 && s.status !== "STOPPED") {
      const deadline = s.startedAtMs! + s.startTimeoutSec * 1000;
      if (nowMs >= deadline) {
        return { kind: "fail", reason: `dependency graph: container ordering dependency [${dep.containerName}] for target [${target}] has timed out.` };
      }
      untilMs = untilMs === undefined ? deadline : Math.min(untilMs, deadline);
    }
  }
  if (!waiting) return { kind: "ready" };
  return untilMs === undefined ? { kind: "wait" } : { kind: "wait", untilMs };
}

function resolved(cond: DependencyCondition, s: DependencyState): boolean {
  switch (cond) {
    case "START":
      return s.status === "RUNNING" || (s.status === "STOPPED" && s.startedAtMs !== undefined);
    case "COMPLETE":
      return s.status === "STOPPED";
    case "SUCCESS":
      return s.status === "STOPPED" && s.exitCode === 0;
    case "HEALTHY":
      return s.health === "HEALTHY";
    default:
      return false;
  }
}

/**
 * The order containers stop in, as waves stopped one after another (each wave in parallel):
 * a container is in a wave once every container that depends on it (dependsOn) is in an
 * earlier one. A cycle (refused at registration) ends in one final wave.
 */
export function shutdownWaves<T extends { name: string; dependsOn: readonly { containerName: string }[] }>(plans: readonly T[]): T[][] {
  const remaining = new Set(plans.map((p) => p.name));
  const waves: T[][] = [];
  while (remaining.size > 0) {
    const wave = plans.filter(
      (p) => remaining.has(p.name) && !plans.some((o) => remaining.has(o.name) && o.name !== p.name && o.dependsOn.some((d) => d.containerName === p.name)),
    );
    const next = wave.length > 0 ? wave : plans.filter((p) => remaining.has(p.name));
    for (const p of next) remaining.delete(p.name);
    waves.push(next);
  }
  return waves;
}
