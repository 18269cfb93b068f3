/**
 * The agent channel: the contract between the control plane and `wharf agent`.
 *
 * - An agent registers its host with the ECS API (`RegisterContainerInstance`), then long-polls
 *   `POST /_wharf/agent/poll` (SigV4-signed like any API call, service `ecs`). The poll is also
 *   the heartbeat: `agentConnected` is true while a poll is open or ended less than
 *   AGENT_GRACE_MS ago.
 * - Each answer carries the instance's whole desired task list (level-triggered) and a sequence
 *   number. The server answers at once when its sequence for the instance is newer than
 *   `afterSeq`, else holds the poll up to `waitMs`. The agent drops answers whose `seq` is older
 *   than one it has already applied.
 * - The agent reports through the ECS API: `SubmitTaskStateChange` / `SubmitContainerStateChange`,
 *   retried with backoff until acknowledged.
 */
export const AGENT_POLL_PATH = "/_wharf/agent/poll";
/** How long after its last poll an agent still counts as connected. */
export const AGENT_GRACE_MS = 30_000;
/** Default long-poll hold time. */
export const AGENT_POLL_WAIT_MS = 20_000;

export interface PollRequest {
  cluster: string;
  containerInstanceArn: string;
  /** Highest sequence number the agent has applied (0 at start). */
  afterSeq: number;
  waitMs?: number;
}

export interface PollResponse {
  seq: number;
  /** Every task assigned to this instance whose desired or last status is not yet STOPPED. */
  tasks: TaskAssignment[];
  /** False when the instance was deregistered: the agent should stop and exit. */
  registered: boolean;
}

/** What an agent needs to run (or stop) one task. */
export interface TaskAssignment {
  taskArn: string;
  clusterArn: string;
  /** The resolved task definition (the ECS TaskDefinition shape, as DescribeTaskDefinition returns it). */
  taskDefinition: Record<string, unknown>;
  /** RunTask's `overrides` (TaskOverride shape), if any. */
  overrides?: Record<string, unknown>;
  /** One per container definition, in definition order. */
  containers: { name: string; containerArn: string }[];
  desiredStatus: "RUNNING" | "STOPPED";
  launchType: string;
  startedBy?: string;
  group?: string;
  /** Task-level cpu/memory after overrides (strings, as ECS writes them). */
  cpu?: string;
  memory?: string;
  /** Host ports the control plane reserved for static mappings, by container name. */
  createdAt: number;
  /** Set when desiredStatus is STOPPED: why, for the task's stoppedReason. */
  stoppedReason?: string;
}
