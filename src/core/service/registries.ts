import { isLive } from "./health.js";
import { targetsHealthy } from "./targets.js";
import type { ObservedTask } from "./types.js";

/**
 * A service's tasks in its Cloud Map registry, as ECS keeps them: a task is registered once it
 * is RUNNING and healthy — its container health check HEALTHY when it has one, every load
 * balancer target healthy when the service has load balancers — and deregistered when it turns
 * unhealthy, is draining (DEACTIVATING), is to stop, or has stopped. Pure: the controller
 * applies the answer through its ServiceRegistryPort (instance id = the task id).
 */

export interface RegistryPlan {
  register: string[];
  deregister: string[];
}

/** The task should be in the registry now. */
export function wantsRegistration(t: ObservedTask): boolean {
  if (!isLive(t) || t.lastStatus !== "RUNNING" || t.holdRunning) return false;
  if (t.hasHealthCheck && t.healthStatus !== "HEALTHY") return false;
  if (t.loadBalanced && !targetsHealthy(t)) return false;
  return true;
}

/** `registered`: the task ARNs whose instance is in the registry now. */
export function planRegistrations(observed: readonly ObservedTask[], registered: ReadonlySet<string>): RegistryPlan {
  const register: string[] = [];
  const deregister: string[] = [];
  const seen = new Set<string>();
  for (const t of observed) {
    seen.add(t.taskArn);
    const want = wantsRegistration(t);
    if (want && !registered.has(t.taskArn)) register.push(t.taskArn);
    if (!want && registered.has(t.taskArn)) deregister.push(t.taskArn);
  }
  // An instance of a task the service no longer knows (reaped) leaves too.
  for (const arn of registered) if (!seen.has(arn)) deregister.push(arn);
  return { register, deregister };
}

/** Service events for registry changes, in the words ECS uses for target groups. */
export const registryMsg = {
  registered: (svc: string, n: number, arn: string) => `(service ${svc}) registered ${n} instances in (service-registry ${arn})`,
  deregistered: (svc: string, n: number, arn: string) => `(service ${svc}) deregistered ${n} instances in (service-registry ${arn})`,
  failed: (svc: string, arn: string, reason: string) => `(service ${svc}) failed to register a task in (service-registry ${arn}): ${reason}`,
};
