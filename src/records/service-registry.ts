import type { ServiceDoc } from "./service-doc.js";
import type { TaskDoc } from "./task-doc.js";

/**
 * The seam between the service controller and Cloud Map (src/api/ecs/service-registry-port.ts
 * implements it over the Cloud Map records and RegisterInstance / DeregisterInstance): which of
 * a service's tasks are registered in its `serviceRegistries`, and registering / deregistering
 * them. The controller decides (src/core/service/registries.ts); this only reads and writes.
 * Instance ids are task ids, as ECS registers them.
 */
export interface ServiceRegistryPort {
  /** The ARNs of the service's tasks whose instances are in its registry. */
  registeredTasks(service: ServiceDoc): Promise<Set<string>>;
  /** RegisterInstance for each task, with the attributes ECS sets; the ones that failed, with why. */
  register(service: ServiceDoc, taskArns: readonly string[]): Promise<{ taskArn: string; reason: string }[]>;
  /** DeregisterInstance for each task (an instance already gone is no error). */
  deregister(service: ServiceDoc, taskArns: readonly string[]): Promise<void>;
  /** Before a task of any service is told to stop: its instances leave every registry first. */
  beforeStop(task: TaskDoc): Promise<void>;
}
