import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { AWSLOGS_IGNORED_OPTIONS, type LogRoute, planLogRoute } from "../../core/log-route.js";
import { usableExecutionRole } from "../../core/task-role.js";
import type { TaskSetupFactory } from "../network/task-setup.js";
import { LOG_ROUTE_LABEL, type LogShipper, ResourceInitializationError } from "./shipper.js";

/**
 * Puts log shipping into a task's life, around the agent's other task setup (awsvpc, metadata):
 * - planning: each awslogs/awsfirelens container gets its route as a label (the shipper follows
 *   containers by it, so it survives agent restarts with the containers);
 * - before the containers are created: groups created or checked, streams created — a missing
 *   group with creation off stops the task with ECS's ResourceInitializationError;
 * - before the task reports STOPPED: the lines written up to the exits are shipped (bounded
 *   wait), so whoever sees STOPPED (e.g. `wharf run`) can read the whole output;
 * - before the containers are removed: the same, with a longer bound, since removal deletes
 *   Docker's copy of the lines.
 */

/** Wait for shipping before reporting STOPPED. */
export const STOPPED_DRAIN_MS = 15_000;
/** Wait for shipping before removing containers (Docker's json-file copy goes with them). */
export const REMOVE_DRAIN_MS = 120_000;
/** Label telling the shipper the container has a TTY (Docker's log stream is then not multiplexed). */
export const TTY_LABEL = "com.wharf.tty";

export interface TaskLogsOptions {
  shipper: LogShipper;
  /** Region of awslogs groups without awslogs-region (the agent's). */
  defaultRegion: string;
  /** The engine's lifetime: waits end when it aborts. */
  signal: AbortSignal;
  log: (line: Record<string, unknown>) => void;
}

export function withTaskLogs(inner: TaskSetupFactory | undefined, o: TaskLogsOptions): TaskSetupFactory {
  return (input) => {
    const innerSetup = inner?.(input);
    const { assignment, plan, adopted } = input;
    const td = assignment.taskDefinition as { family?: string; revision?: number; containerDefinitions?: ContainerDefinition[] };
    const defs = td.containerDefinitions ?? [];
    const ctx = {
      taskArn: assignment.taskArn,
      clusterArn: assignment.clusterArn,
      family: td.family ?? plan.family,
      revision: td.revision ?? plan.revision,
      defaultRegion: o.defaultRegion,
      containers: defs,
    };
    // Delivery runs under the task's execution role when it has one of Wharf's account (ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE's behaviour).
    const executionRoleArn = usableExecutionRole(assignment.taskArn, assignment.taskDefinition, assignment.overrides);
    const fresh: LogRoute[] = [];
    let planError: Error | undefined;
    for (const c of plan.containers) {
      const def = defs.find((d) => d.name === c.name);
      if (!def) continue;
      try {
        const route = planLogRoute(def, ctx);
        if (!route) continue;
        if (executionRoleArn && route.driver === "awslogs") route.executionRoleArn = executionRoleArn;
        c.body.Labels[LOG_ROUTE_LABEL] = JSON.stringify(route);
        if (c.body.Tty) c.body.Labels[TTY_LABEL] = "true";
        if (!adopted.has(c.name)) fresh.push(route);
        const ignored = AWSLOGS_IGNORED_OPTIONS.filter((k) => def.logConfiguration?.options?.[k] !== undefined);
        if (ignored.length) o.log({ msg: "awslogs options not implemented by Wharf are ignored", task: assignment.taskArn, container: c.name, options: ignored });
      } catch (err) {
        planError ??= err as Error;
      }
    }
    const drain = (ms: number) => o.shipper.drainTask(assignment.taskArn, ms, o.signal);
    return {
      ...innerSetup,
      async beforeCreate() {
        if (planError) throw new ResourceInitializationError(`failed to validate logger args: ${planError.message}`);
        await o.shipper.prepare(fresh).catch((err: Error) => {
          // The task's stoppedReason is cut at 255 characters, as ECS cuts it: the whole text goes to the agent's log.
          o.log({ msg: "log delivery could not be set up; the task stops", task: assignment.taskArn, error: `${err.name}: ${err.message}` });
          throw err;
        });
        await innerSetup?.beforeCreate();
      },
      async beforeStopped() {
        await innerSetup?.beforeStopped?.();
        await drain(STOPPED_DRAIN_MS);
      },
      async beforeRemove() {
        await innerSetup?.beforeRemove?.();
        await drain(REMOVE_DRAIN_MS);
      },
      async afterRemove() {
        o.shipper.release(assignment.taskArn);
        await innerSetup?.afterRemove();
      },
    };
  };
}
