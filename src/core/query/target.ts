import type { QueryTarget } from "./compile.js";

/**
 * The plain fields of a container instance a query can read. Both the placement snapshot and a
 * stored container-instance record can be shaped like this, so ListContainerInstances can filter
 * with the same evaluator as placement.
 */
export interface QueryableInstance {
  ec2InstanceId?: string;
  /** Epoch seconds. */
  registeredAt?: number;
  runningTasksCount?: number;
  agentConnected?: boolean;
  agentVersion?: string;
  /** name → value; null (or "") for an attribute without a value. */
  attributes?: Readonly<Record<string, string | null | undefined>>;
  /** group → number of tasks of that group on the instance. */
  taskGroups?: Readonly<Record<string, number>>;
}

/** Adapts a plain instance record to a QueryTarget. */
export function targetFromInstance(i: QueryableInstance): QueryTarget {
  const attrs = i.attributes ?? {};
  const groups = i.taskGroups ?? {};
  return {
    ec2InstanceId: i.ec2InstanceId,
    registeredAt: i.registeredAt,
    runningTasksCount: i.runningTasksCount ?? 0,
    agentConnected: i.agentConnected ?? false,
    agentVersion: i.agentVersion,
    attribute: (name) => (Object.prototype.hasOwnProperty.call(attrs, name) ? (attrs[name] ?? null) : undefined),
    taskGroups: () => Object.keys(groups).filter((g) => (groups[g] ?? 0) > 0),
  };
}
