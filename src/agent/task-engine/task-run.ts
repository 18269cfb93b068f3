import type { AgentTaskStatus } from "../../core/agent-task-states.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import type { TaskPlan } from "../container-config.js";
import type { TaskSetup } from "../network/task-setup.js";
import type { ManagedContainer } from "./managed-container.js";
import type { TaskStateReport } from "./reporter.js";
import type { TaskContext } from "./task-context.js";
import type { TaskResources } from "./task-resources.js";

/**
 * What the start-up and shut-down sequences (task-startup.ts, task-shutdown.ts) see of the one
 * task loop that owns them (managed-task.ts): its plan and containers, and the few moves they may
 * make on it. Only the task loop runs them, so nothing here needs a lock.
 */
export interface TaskRun {
  readonly ctx: TaskContext;
  readonly assignment: TaskAssignment;
  readonly plan: TaskPlan;
  readonly containers: ManagedContainer[];
  readonly resources: TaskResources;
  readonly taskSetup?: TaskSetup;
  /** The desired status as the loop knows it now (RUNNING until a stop is asked for). */
  desired(): "RUNNING" | "STOPPED";
  requestStop(reason: string | undefined): void;
  /** Throws Closed once the agent is going away. */
  check(): void;
  /** Applies every queued event (exits, health, stop requests). */
  drainInbox(): Promise<void> | void;
  /** Waits for an event, or the time `untilMs` (epoch ms), then applies the queue. */
  nextEvents(untilMs?: number): Promise<void>;
  /** Starts watching a running container's exit. */
  watch(c: ManagedContainer): void;
  /** Moves the task's status (along src/core/agent-task-states.ts) and reports it. */
  enter(status: AgentTaskStatus & TaskStateReport["status"], executionStoppedAt?: number): void;
  /** Epoch milliseconds from the task's clock. */
  now(): number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
}
