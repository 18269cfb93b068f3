import type { NetworkPolicy } from "../core/network/security-policy.js";
import type { ExecSessionAssignment } from "./exec-stream.js";

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
 * - Wharf extensions of those reports (optional members added to the ECS model by
 *   scripts/gen-models.py, so the edge keeps them; AWS's model has no way to carry them):
 *   `ContainerStateChange` (in `containers[]`) and `SubmitContainerStateChange` take
 *   `healthStatus` (HEALTHY | UNHEALTHY | UNKNOWN, only for containers whose definition has a
 *   health check) and `startedAt` (epoch seconds, when the container started). The agent sends
 *   a SubmitContainerStateChange (status RUNNING) whenever a container's health changes. The
 *   control plane records `containers[].healthStatus`, derives the task's `healthStatus` from
 *   its essential containers (src/core/task-health.ts) and shows `containers[].startedAt`
 *   (first value kept) in DescribeTasks (a member the SDKs ignore, visible in the raw JSON).
 *
 * Control-plane details the agent can rely on (src/api/agent-channel.ts):
 * - `seq` starts at the control plane's boot time × 1000 and rises on every change that affects
 *   the instance (a task placed on it, a task's desired status set to STOPPED, a task reaching
 *   STOPPED, re-registration, a status change, deregistration). It keeps rising across
 *   control-plane restarts, so "drop answers with seq < the last applied" stays correct.
 * - `waitMs` is capped at 60 s by the server; an answer may come early with an unchanged list.
 * - A poll for an instance that is unknown, in another cluster, or deregistered answers at once
 *   with `registered: false` (tasks: the instance's not-yet-STOPPED tasks, all desired STOPPED,
 *   so the agent can stop them and report before it exits).
 * - Errors come back as `{ "__type", "message" }` with a 4xx/5xx status, like API errors (e.g.
 *   400 MissingAuthenticationTokenException for an unsigned poll).
 * - Task `lastStatus` starts at PROVISIONING; the agent's reports move it forward only
 *   (PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING →
 *   STOPPED); stale or repeated reports are acknowledged and ignored. When the agent stops a task
 *   on its own, its `reason` sets stoppedReason and stopCode: "Essential container in task
 *   exited" → EssentialContainerExited; a reason starting "CannotPullContainerError",
 *   "CannotStartContainerError", "CannotCreateContainerError", "ResourceInitializationError" or "CannotCreateVolumeError" →
 *   TaskFailedToStart. StopTask's tasks keep UserInitiated and the user's reason.
 * - `RegisterContainerInstance` with `containerInstanceArn` of an ACTIVE/DRAINING instance of the
 *   cluster re-registers it (same ARN, tasks kept). An ARN that is unknown or deregistered
 *   (INACTIVE) registers a NEW instance: read the ARN from the response, never assume it.
 */
export const AGENT_POLL_PATH = "/_wharf/agent/poll";
/**
 * Where a host joins the managed Fargate capacity (`wharf agent --fargate`): a signed POST with a
 * RegisterContainerInstance body. Such a host then polls with cluster FARGATE_POOL_CLUSTER.
 */
export const CAPACITY_REGISTER_PATH = "/_wharf/capacity/register";
export const FARGATE_POOL_CLUSTER = ".fargate";
/**
 * The grouped poll a simulated fleet uses (src/agent/simulate): one held request for many
 * instances of one cluster. It counts as a poll of every instance it names (presence), answers
 * as soon as any of them has a sequence above its `afterSeq` (with the answers of those that
 * do), else after `waitMs` with no answers.
 */
export const AGENT_POLL_MANY_PATH = "/_wharf/agent/poll-many";
/** Most instances one grouped poll may name. */
export const MAX_POLL_MANY_INSTANCES = 1000;
/**
 * Task role credentials (issue 13 part 4). The agent asks for a task's credentials (signed, like
 * the poll) when it sets up a task whose definition or overrides name a `taskRoleArn`, and again
 * before they expire. The server answers only for a task of that cluster placed on that
 * instance and not yet STOPPED (else 400 InvalidParameterException), assuming the task role as
 * `ecs-tasks.amazonaws.com` with the task id as session name. With `role: "execution"` the answer
 * is the task's execution role instead (assumed the same way), for what the agent does on the
 * task's behalf (log delivery; image pulls once a registry exists): the agent keeps those to
 * itself and never serves them to containers. A role that is gone or no longer trusts ECS tasks:
 * 400 AccessDeniedException.
 */
export const AGENT_CREDENTIALS_PATH = "/_wharf/agent/credentials";

export interface TaskCredentialsRequest {
  cluster: string;
  containerInstanceArn: string;
  taskArn: string;
  /** Which of the task's roles (default "task"). */
  role?: "task" | "execution";
}

/** The credentials as the container endpoint serves them (amazon-ecs-agent's field names). */
export interface TaskRoleCredentials {
  RoleArn: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  /** ISO 8601, UTC, whole seconds ("2026-12-03T19:00:00Z"). */
  Expiration: string;
}

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
  /**
   * The security groups to enforce on this host's task ENIs (src/core/network/security-policy.ts),
   * whole each time. Absent: nothing is filtered (the empty policy). The control plane bumps the
   * instance's sequence whenever it changes (a rule, a group's members, a task placed or stopped),
   * so the agent's held poll answers with the new one at once.
   */
  networkPolicy?: NetworkPolicy;
  /**
   * Wharf's DNS server (docs/dns.md), where the agent's relay sends its tasks' queries
   * (169.254.169.253:53), signed with the VPC of the asking task (src/contracts/dns-relay.ts).
   * An address of 0.0.0.0 or :: means the control plane's host as the agent reaches it.
   * Absent: the control plane runs none; tasks keep Docker's resolver.
   */
  dnsServer?: { address: string; port: number };
  /**
   * Warm starts (docs/services.md): the images of the ACTIVE services whose tasks could be placed
   * on this instance (src/core/service/prefetch.ts), whole each time, sorted. The agent pulls them
   * in the background (unless started with `--no-warm-starts`) so a deployment's tasks start from
   * a cached image. Pulls ahead are made with the agent's own credentials (ECR images included:
   * there is no task yet whose execution role could ask). The control plane wakes the held polls of
   * the service's cluster (and of the Fargate pool) when a service's images change. Absent: the control plane has warm starts off.
   */
  prefetch?: { image: string }[];
  /**
   * Exec sessions (ExecuteCommand) for tasks on this instance that the agent has not joined yet
   * (src/contracts/exec-stream.ts): for each, the agent opens its end of the session and runs the
   * command with Docker's exec API. A new session releases the instance's held poll at once.
   */
  execSessions?: ExecSessionAssignment[];
}

export interface PollManyRequest {
  cluster: string;
  instances: { containerInstanceArn: string; afterSeq: number }[];
  waitMs?: number;
}

export interface PollManyResponse {
  /** Only the instances whose sequence moved past their `afterSeq` (or that are not registered). */
  instances: (PollResponse & { containerInstanceArn: string })[];
}

/** What an agent needs to run (or stop) one task. */
export interface TaskAssignment {
  taskArn: string;
  clusterArn: string;
  /** The resolved task definition (the ECS TaskDefinition shape, as DescribeTaskDefinition returns it). */
  taskDefinition: Record<string, unknown>;
  /** RunTask's `overrides` (TaskOverride shape), if any. */
  overrides?: Record<string, unknown>;
  /**
   * One per container definition, in definition order. `gpuIds`: the GPUs placement assigned to
   * the container (its `resourceRequirements` of type GPU); the agent passes them as
   * NVIDIA_VISIBLE_DEVICES.
   */
  containers: { name: string; containerArn: string; gpuIds?: string[] }[];
  desiredStatus: "RUNNING" | "STOPPED";
  launchType: string;
  startedBy?: string;
  group?: string;
  /** Task-level cpu/memory after overrides (strings, as ECS writes them). */
  cpu?: string;
  memory?: string;
  /** Epoch seconds. (Static host ports are not listed: they are the task definition's, as reserved.) */
  createdAt: number;
  /** Set when desiredStatus is STOPPED: why, for the task's stoppedReason. */
  stoppedReason?: string;
  /** awsvpc tasks only: the task's network interface, allocated by the control plane. */
  eni?: TaskEni;
  /** Fargate tasks: the task's zone (its subnet's) and its ephemeral storage, for the metadata endpoint. */
  availabilityZone?: string;
  ephemeralStorageGiB?: number;
}

/**
 * An awsvpc task's network interface (what an ENI is to ECS). The control plane owns the
 * addressing: the subnet is the EC2 API's (its block becomes a Docker network the agent creates
 * on first use, named `wharf-<subnetId>`, labelled `com.wharf.managed=true` and with the subnet's
 * VPC, see src/agent/network/docker-networks.ts), picks the task's address
 * (never handed out twice while a task holds it; freed at STOPPED) and its MAC. The agent puts
 * a pause container with exactly this address and MAC on that network and joins the task's
 * containers to it (`NetworkMode: container:<pause>`). The same values appear in DescribeTasks
 * (the ElasticNetworkInterface attachment) and in the task metadata endpoint.
 *
 * ENI capacity: the agent registers the attribute `ecs.capability.task-eni`, and optionally
 * `wharf.eni-limit` (task ENIs without trunking; agent `--eni-limit N`) and
 * `wharf.eni-trunk-limit` (with the awsvpcTrunking account setting; `--eni-trunk-limit N`).
 * Without them the control plane uses the `ecs.instance-type` attribute's ENI table
 * (src/core/eni.ts), else 2 (3 ENIs minus the primary) / 10 with trunking. Placement counts the
 * instance's not-yet-STOPPED awsvpc tasks against it and fails with `RESOURCE:ENI`.
 */
export interface TaskEni {
  /** The task's `attachments[].id` (a UUID). */
  attachmentId: string;
  /** `eni-` and 17 hex digits. */
  networkInterfaceId: string;
  subnetId: string;
  /**
   * The subnet's VPC (absent in tasks written before it was carried). The agent labels the
   * subnet's Docker network with it and routes between the networks of one VPC.
   */
  vpcId?: string;
  /** The subnet's block, e.g. "10.213.7.0/24". */
  subnetCidrBlock: string;
  /** The subnet's gateway, e.g. "10.213.7.1" (the Docker network's gateway; the host reaches tasks through it). */
  subnetGatewayIpv4Address: string;
  privateIpv4Address: string;
  macAddress: string;
  privateDnsName: string;
  /** The task's security groups (its awsvpcConfiguration's `securityGroups`), for the network policy. */
  securityGroupIds?: string[];
}

/**
 * Task usage (issue 16 part 2, docs/cloudwatch.md#awsecs-metrics). Every sampling interval the
 * agent measures its RUNNING tasks' containers with Docker's one-shot stats and posts, signed like
 * the poll, what each task used over the interval: CPU units (1,024 = one core, summed over the
 * task's containers; absent on a task's first sample, which has no earlier one to compare with)
 * and memory MiB (usage minus inactive page cache, as `docker stats`). The control plane keeps
 * the latest report of each task of that instance (others are ignored and counted in `ignored`)
 * and publishes CloudWatch's `AWS/ECS` CPUUtilization / MemoryUtilization from them.
 */
export const AGENT_USAGE_PATH = "/_wharf/agent/usage";

/** Default sampling interval of the agent (`AgentOptions.usageSampleMs`). */
export const AGENT_USAGE_SAMPLE_MS = 10_000;

/** Most tasks one usage report may carry. */
export const MAX_USAGE_TASKS = 500;

export interface TaskUsageSample {
  taskArn: string;
  cpuUnits?: number;
  memoryMiB?: number;
}

export interface UsageReport {
  cluster: string;
  containerInstanceArn: string;
  /** Epoch milliseconds at the end of the sampled interval. */
  sampledAt: number;
  tasks: TaskUsageSample[];
}

export interface UsageReportAnswer {
  accepted: number;
  ignored: number;
}
