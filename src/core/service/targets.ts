import type { ObservedTask, TaskTarget, TaskTargetView } from "./types.js";

export type { TaskTarget, TaskTargetView, TargetMembership } from "./types.js";

/**
 * A service's tasks as load balancer targets: what to register, deregister and release in one
 * controller pass, as ECS does it — a task is registered in every target group of the
 * service's `loadBalancers` once it is RUNNING; before the scheduler stops a registered task
 * its targets are deregistered and the task waits in DEACTIVATING while they drain; a task that
 * stopped on its own loses its targets; once a DEACTIVATING task has no target left registered
 * or draining, it is released to stop. Pure: the controller applies the answer through its
 * ServiceLbPort and ServiceTaskPort.
 */

export interface TargetPlan {
  register: TaskTarget[];
  deregister: TaskTarget[];
  /** DEACTIVATING tasks whose targets are gone: the agent may stop them now. */
  release: string[];
  events: string[];
}

const strip = (v: TaskTargetView): TaskTarget => ({
  targetGroupArn: v.targetGroupArn,
  id: v.id,
  port: v.port,
  containerName: v.containerName,
  containerPort: v.containerPort,
});

/** The task still holds a place in some group (registered or draining). */
export const holdsTargets = (t: ObservedTask): boolean => (t.targets ?? []).some((v) => v.membership !== "absent");

/**
 * A target is "in use" by a task that is RUNNING and wanted. Two tasks can share an id:port
 * only when one has stopped and its address went to the other; the live one wins.
 */
export function planTargets(serviceName: string, observed: readonly ObservedTask[]): TargetPlan {
  const register: TaskTarget[] = [];
  const deregister: TaskTarget[] = [];
  const release: string[] = [];
  const key = (v: TaskTarget) => `${v.targetGroupArn}|${v.id}|${v.port}`;
  const wanted = new Set<string>();
  for (const t of observed) {
    if (t.lastStatus !== "RUNNING" || t.desiredStatus === "STOPPED") continue;
    for (const v of t.targets ?? []) {
      wanted.add(key(v));
      if (v.membership === "absent") register.push(strip(v));
    }
  }
  for (const t of observed) {
    const gone = t.lastStatus === "STOPPED" || (t.desiredStatus === "STOPPED" && !t.holdRunning);
    if (gone) {
      for (const v of t.targets ?? []) if (v.membership === "registered" && !wanted.has(key(v))) deregister.push(strip(v));
    }
    if (t.holdRunning && t.lastStatus !== "STOPPED" && !holdsTargets(t)) release.push(t.taskArn);
  }
  const events: string[] = [];
  for (const [tg, n] of countByGroup(register)) events.push(targetMsg.registered(serviceName, n, tg));
  for (const [tg, n] of countByGroup(deregister)) events.push(targetMsg.deregistered(serviceName, n, tg));
  return { register, deregister, release, events };
}

/** The registered targets of tasks the scheduler is about to stop: deregister, then hold DEACTIVATING. */
export function targetsToDrain(t: ObservedTask): TaskTarget[] {
  return (t.targets ?? []).filter((v) => v.membership === "registered").map(strip);
}

export function countByGroup(targets: readonly TaskTarget[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of targets) out.set(t.targetGroupArn, (out.get(t.targetGroupArn) ?? 0) + 1);
  return out;
}

/** The task's LB verdict: every target registered and `healthy` (no target known yet: not healthy). */
export function targetsHealthy(t: ObservedTask): boolean {
  const v = t.targets ?? [];
  return v.length > 0 && v.every((x) => x.membership === "registered" && x.state === "healthy");
}

/** The first registered target ELB calls `unhealthy`, if any. */
export const unhealthyTarget = (t: ObservedTask): TaskTargetView | undefined =>
  (t.targets ?? []).find((x) => x.membership === "registered" && x.state === "unhealthy");

/** ECS's service events and stop reason for targets (texts as ECS writes them). */
export const targetMsg = {
  registered: (svc: string, n: number, tg: string) => `(service ${svc}) registered ${n} targets in (target-group ${tg})`,
  deregistered: (svc: string, n: number, tg: string) => `(service ${svc}) deregistered ${n} targets in (target-group ${tg})`,
  draining: (svc: string, n: number) => `(service ${svc}) has begun draining connections on ${n} tasks.`,
  unhealthy: (svc: string, v: TaskTargetView) =>
    `(service ${svc}) ${v.id.startsWith("i-") ? `(instance ${v.id}) ` : ""}(port ${v.port}) is unhealthy in (target-group ${v.targetGroupArn}) due to (reason ${v.description ?? "Health checks failed"}).`,
  stopReason: (tg: string) => `Task failed ELB health checks in (target-group ${tg})`,
};
