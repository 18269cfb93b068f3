/**
 * The data the placement core works on. Plain values, no I/O: the caller (RunTask, StartTask,
 * the service scheduler, `wharf explain`) builds an InstanceSnapshot per container instance and a
 * PlacementRequest per call.
 */

/** One container instance as placement sees it. */
export interface InstanceSnapshot {
  /** Container instance ARN; failures and placements name instances by it. */
  arn: string;
  ec2InstanceId?: string;
  /** ACTIVE instances take tasks; DRAINING (and anything else) do not. */
  status: string;
  agentConnected: boolean;
  /** Epoch seconds. */
  registeredAt?: number;
  agentVersion?: string;
  /** name → value; null for an attribute without a value (ECS capability attributes). */
  attributes: Record<string, string | null>;
  registered: { cpu: number; memory: number; gpuIds?: string[] };
  remaining: {
    cpu: number;
    memory: number;
    /** Host TCP ports already taken (ECS remainingResources PORTS lists the ports in use). */
    ports?: number[];
    /** Host UDP ports already taken (PORTS_UDP). */
    portsUdp?: number[];
    /** GPU ids not assigned to any task. */
    gpuIds?: string[];
    /** awsvpc task addresses (ENI / trunk branch slots) still free; undefined = unlimited. */
    eni?: number;
  };
  runningTasksCount: number;
  /** task group → number of this instance's tasks in that group (running or pending). */
  taskGroups?: Record<string, number>;
}

/** What one task needs from an instance; see requirements.ts to derive it from a task definition. */
export interface TaskRequirements {
  /** CPU units (1024 = one vCPU). */
  cpu: number;
  /** MiB reserved: task-level memory, else per container memoryReservation, else hard memory (as ECS). */
  memory: number;
  /** Static host TCP ports. Dynamic ports (hostPort 0) are not listed: they never collide. */
  ports?: number[];
  portsUdp?: number[];
  /** Number of GPUs; specific ids are assigned per placement. */
  gpus?: number;
  /** awsvpc network mode: the task needs a task address (ENI) slot. */
  eni?: boolean;
}

export interface RequiredAttribute {
  name: string;
  value?: string;
  targetType?: string;
}

export interface PlacementConstraint {
  type: "distinctInstance" | "memberOf" | string;
  expression?: string;
}

export interface PlacementStrategy {
  type: "binpack" | "spread" | "random" | string;
  field?: string;
}

export interface PlacementRequest {
  /** Tasks to place (RunTask allows 1..10; services may ask for more). */
  count: number;
  task: TaskRequirements;
  /** Task group ("family:web", "service:web"); spread and distinctInstance count tasks of this group. */
  group?: string;
  /** The task definition's requiresAttributes. */
  requiresAttributes?: RequiredAttribute[];
  /** The task definition's constraints followed by the request's (at most 10 in all). */
  constraints?: PlacementConstraint[];
  /** Applied in order, each breaking the previous one's ties (at most 5). Empty → random. */
  strategy?: PlacementStrategy[];
}

export interface Placement {
  /** Which task of the batch (0-based). */
  task: number;
  instanceArn: string;
  ec2InstanceId?: string;
  /** GPU ids reserved for this task (NVIDIA_VISIBLE_DEVICES); empty when none asked. */
  gpuIds: string[];
}

/** ECS's Failure shape. */
export interface PlacementFailure {
  arn: string;
  reason: string;
  detail?: string;
}

export interface InstanceVerdict {
  arn: string;
  ec2InstanceId?: string;
  /** "eligible" instances pass every filter and carry a rank; "rejected" ones carry a reason. */
  verdict: "eligible" | "rejected";
  /** ECS failure reason (RESOURCE:MEMORY, ...) or STATUS for an instance that is not ACTIVE. */
  reason?: string;
  /** How short it fell, e.g. "needs 512 CPU units, 256 remaining". */
  detail?: string;
  /** 1 = where the task goes. Ties share no rank: they are ordered by the seeded random draw. */
  rank?: number;
  /** One score per strategy, lower is better (e.g. group tasks in the AZ, remaining MiB). */
  scores?: number[];
}

/** "Where would this go, and why not elsewhere", for the first task of the request. */
export interface Explanation {
  strategy: string[];
  instances: InstanceVerdict[];
}

export interface PlacementResult {
  placements: Placement[];
  /** One per instance (first reason that rejected it) when some task could not be placed. */
  failures: PlacementFailure[];
  /** Tasks that could not be placed. */
  unplaced: number;
  /** True when the cluster has no ACTIVE instance at all (ECS: "No Container Instances were found in your cluster."). */
  noActiveInstances: boolean;
  explain?: Explanation;
}

export interface PlaceOptions {
  /** Compute the per-instance explanation (costs a sort of the cluster; off in the hot path). */
  explain?: boolean;
  /** Leave the index as it was (explain / what-if); by default placements are applied to it. */
  dryRun?: boolean;
}
