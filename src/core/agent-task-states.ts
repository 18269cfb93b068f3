/**
 * The agent's task and container state machines, as tables: which status may follow which, how
 * a Docker container state reads as an agent container status, and which status the agent
 * reports to the control plane for each. Pure; the agent's task loop
 * (src/agent/task-engine/managed-task.ts) moves only along these edges.
 *
 * Task:      NONE → PENDING → RUNNING → STOPPED, plus NONE → RUNNING (every container adopted
 *            running after an agent restart) and any → STOPPED (stopped before it ran).
 * Container: NONE → CREATED → RUNNING → STOPPED, plus NONE → RUNNING / STOPPED (adopted as Docker
 *            has it) and CREATED → STOPPED (a dependency that can never hold, or the task stopping
 *            before it started). Staying put is always allowed (a restarting container re-read as
 *            running, a created one inspected again).
 */

export const AGENT_TASK_STATUSES = ["NONE", "PENDING", "RUNNING", "STOPPED"] as const;
export type AgentTaskStatus = (typeof AGENT_TASK_STATUSES)[number];

export const AGENT_CONTAINER_STATUSES = ["NONE", "CREATED", "RUNNING", "STOPPED"] as const;
export type AgentContainerStatus = (typeof AGENT_CONTAINER_STATUSES)[number];

export const TASK_TRANSITIONS: Readonly<Record<AgentTaskStatus, readonly AgentTaskStatus[]>> = {
  NONE: ["PENDING", "RUNNING", "STOPPED"],
  PENDING: ["RUNNING", "STOPPED"],
  RUNNING: ["STOPPED"],
  STOPPED: [],
};

export const CONTAINER_TRANSITIONS: Readonly<Record<AgentContainerStatus, readonly AgentContainerStatus[]>> = {
  NONE: ["CREATED", "RUNNING", "STOPPED"],
  CREATED: ["RUNNING", "STOPPED"],
  RUNNING: ["STOPPED"],
  STOPPED: [],
};

/** The status after a move, or an error naming the edge that the table does not have. */
export function moveTask(from: AgentTaskStatus, to: AgentTaskStatus): AgentTaskStatus {
  if (!TASK_TRANSITIONS[from].includes(to)) throw new Error(`task status cannot move from ${from} to ${to}`);
  return to;
}

export function moveContainer(from: AgentContainerStatus, to: AgentContainerStatus): AgentContainerStatus {
  if (from === to) return to;
  if (!CONTAINER_TRANSITIONS[from].includes(to)) throw new Error(`container status cannot move from ${from} to ${to}`);
  return to;
}

/** Docker's `State.Status` as an agent container status (paused and restarting count as running). */
export function containerStatusOfDocker(state: string): AgentContainerStatus {
  switch (state) {
    case "running":
    case "paused":
    case "restarting":
      return "RUNNING";
    case "created":
      return "CREATED";
    default:
      return "STOPPED";
  }
}

/** What the control plane hears: a container not yet running is PENDING. */
export const REPORTED_CONTAINER_STATUS: Readonly<Record<AgentContainerStatus, "PENDING" | "RUNNING" | "STOPPED">> = {
  NONE: "PENDING",
  CREATED: "PENDING",
  RUNNING: "RUNNING",
  STOPPED: "STOPPED",
};
