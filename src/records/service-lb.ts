import type { TaskTarget, TaskTargetView } from "../core/service/targets.js";
import type { ServiceDoc } from "./service-doc.js";

/**
 * The seam between the service controller and the load balancers (src/api/ecs/service-lb-port.ts
 * implements it over the ELBv2 records): which targets each task of a service should have in the
 * service's target groups, what ELB says of them, and registering / deregistering them. The
 * controller decides (src/core/service/targets.ts); this only reads and writes.
 */
export interface ServiceLbPort {
  /**
   * For every task of the service that has (or had) an address: its targets, one per
   * `loadBalancers` entry — `ip` targets by the task's ENI address and container port,
   * `instance` targets by its container instance's EC2 id and host port — with their state in
   * the target group. Tasks whose address is not known yet (not RUNNING) are absent.
   */
  observeTargets(service: ServiceDoc): Promise<Map<string, TaskTargetView[]>>;
  /** RegisterTargets of these targets in their groups (one call per group). */
  registerTargets(service: ServiceDoc, targets: readonly TaskTarget[]): Promise<void>;
  /** DeregisterTargets of these targets (their drains then follow the group's deregistration delay). */
  deregisterTargets(service: ServiceDoc, targets: readonly TaskTarget[]): Promise<void>;
}
