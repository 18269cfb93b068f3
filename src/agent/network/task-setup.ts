import type { TaskPlan } from "../container-config.js";
import type { MetadataEndpoint } from "../metadata/server.js";
import { METADATA_ENV } from "../metadata/server.js";
import type { TaskAssignment } from "../protocol.js";
import { type AwsvpcContext, AwsvpcTaskNetwork, PAUSE_CONTAINER_NAME } from "./awsvpc.js";

/**
 * What a task needs around its containers, as one hook for the task loop (managed-task.ts):
 * the metadata endpoint's variables in every container's environment (at planning), the awsvpc
 * network and pause container (before containers are created), and their removal (after the
 * containers are removed).
 */
export interface TaskSetup {
  /** Before the first container is created (or adopted ones are used): network, pause container. */
  beforeCreate(): Promise<void>;
  /** After the task's containers are removed. */
  afterRemove(): Promise<void>;
  /** After every container stopped, before the task reports STOPPED (log shipping drains here). */
  beforeStopped?(): Promise<void>;
  /** Before the task's containers are removed. */
  beforeRemove?(): Promise<void>;
}

export interface TaskSetupInput {
  assignment: TaskAssignment;
  /** The planned containers; their create bodies may be edited until they are created. */
  plan: TaskPlan;
  /** Containers found from an earlier agent run, by container name (the pause one included). */
  adopted: ReadonlyMap<string, string>;
}

export type TaskSetupFactory = (task: TaskSetupInput) => TaskSetup;

export interface TaskSetupOptions extends AwsvpcContext {
  metadata?: MetadataEndpoint;
}

/** The agent's TaskSetupFactory: metadata variables for every mode, awsvpc networking where asked. */
export function taskSetupFactory(o: TaskSetupOptions): TaskSetupFactory {
  return ({ assignment, plan, adopted }) => {
    if (o.metadata) {
      for (const c of plan.containers) {
        const env = o.metadata.envFor(assignment.taskArn, c.name, plan.networkMode, assignment.eni);
        if (!env.length) continue;
        const own = (c.body.Env ?? []).filter((kv) => !kv.startsWith(`${METADATA_ENV.v4}=`) && !kv.startsWith(`${METADATA_ENV.v3}=`));
        c.body.Env = [...own, ...env];
      }
    }
    const network = plan.networkMode === "awsvpc" ? new AwsvpcTaskNetwork(o, assignment, plan, adopted.get(PAUSE_CONTAINER_NAME)) : undefined;
    return {
      async beforeCreate() {
        await network?.setUp();
      },
      async afterRemove() {
        await network?.tearDown();
        o.metadata?.forget(assignment.taskArn);
      },
    };
  };
}
