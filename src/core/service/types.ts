/**
 * The service scheduler's view of the world, as plain data. The pure reconcilers in this
 * folder read these shapes and answer with actions; they never do I/O. Times are epoch
 * MILLISECONDS here (the API layer stores epoch seconds and converts at its border).
 */

export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** One deployment of a service: ECS's `Deployment` minus what only the API renders. */
export interface DeploymentState {
  /** `ecs-svc/<19 digits>`; tasks carry it as `startedBy`. */
  id: string;
  /** PRIMARY is the one being rolled out; ACTIVE are older ones still holding tasks. */
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  /** Tasks of this deployment that failed to start or to become healthy (ECS `failedTasks`). */
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  /** What tasks of this deployment are launched with; copied on rollback. Opaque to the scheduler. */
  launchType?: string;
  platformVersion?: string;
  capacityProviderStrategy?: unknown[];
  networkConfiguration?: unknown;
  /** Circuit-breaker failure count since the last task became healthy (resetOnHealthyTask). */
  breakerFailures?: number;
  /** When the last failure was counted (ms); a task healthy after it resets `breakerFailures`. */
  lastFailureAt?: number;
  /** Set on a deployment created by a circuit-breaker rollback: the COMPLETED one it restores. */
  rollbackOf?: string;
  /** What failed it (FAILED): the circuit breaker, its deployment alarms, or StopServiceDeployment. */
  failedBy?: "circuitBreaker" | "alarms" | "user";
  /** The deployment alarms that were in ALARM when they failed it. */
  triggeredAlarms?: string[];
  /** Deployment alarms in ALARM when it started, ignored until they leave ALARM (alarms.ts). */
  alarmsIgnored?: string[];
  /** When it first settled (all tasks healthy, nothing else left): its alarms' bake time runs from here. */
  bakeStartedAt?: number;
  /** When this deployment started (first scheduler pass) and finished (COMPLETED/FAILED). */
  startedAt?: number;
  finishedAt?: number;
}

export interface CircuitBreakerConfig {
  enable: boolean;
  rollback: boolean;
}

export interface DeploymentConfig {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker?: CircuitBreakerConfig;
  /** ECS's DeploymentAlarms: CloudWatch alarms that fail (and with `rollback`, roll back) a deployment. */
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
}

/** What the scheduler remembers between passes (stored on the service record). */
export interface SchedulerMemory {
  /**
   * Tasks whose failure was already counted (a stopped task, or an unhealthy one the scheduler
   * stopped), so each counts once; pruned to the tasks still observed.
   */
  accounted: string[];
  /** Consecutive tasks that went PENDING → STOPPED without reaching RUNNING (throttle). */
  startFailureStreak: number;
  /** No task launches before this time (ms): the throttle's backoff. */
  nextStartAt?: number;
  /** When the streak last grew; a task reaching RUNNING after it ends the streak. */
  lastStartFailureAt?: number;
  /** The PRIMARY deployment the streak belongs to: a new deployment resets the throttle. */
  throttleDeploymentId?: string;
  /** The last pass ended in a steady state (so the event is written on the edge). */
  steady: boolean;
  lastSteadyEventAt?: number;
  /** The most recent COMPLETED deployment, the circuit breaker's rollback target. */
  lastCompleted?: DeploymentState;
}

export const emptyMemory = (): SchedulerMemory => ({ accounted: [], startFailureStreak: 0, steady: false });

/** The desired side: a service as the scheduler needs it. */
export interface ServiceState {
  serviceName: string;
  /** DRAINING services are scaled to zero by the API before they get here. */
  status: string;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfig;
  /** PRIMARY first, then ACTIVE ones, newest first. */
  deployments: DeploymentState[];
  scheduler: SchedulerMemory;
  /** The deployment alarms' states this pass (alarms.ts observeAlarms): names in ALARM, bake time. */
  alarms?: { inAlarm: string[]; bakeMs: number };
  /** StopServiceDeployment (ROLLBACK) asked to stop this deployment. */
  stopRequest?: { deploymentId: string };
}

export type TaskHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

/** The observed side: one task of the service, live or recently stopped. */
export interface ObservedTask {
  taskArn: string;
  /** The deployment that started it (the task's `startedBy`). */
  deploymentId: string;
  lastStatus: string;
  desiredStatus: string;
  healthStatus?: TaskHealth;
  /** The task has at least one essential container with a task-definition health check. */
  hasHealthCheck?: boolean;
  createdAt: number;
  /** When the agent began and finished pulling its images (the deployment timeline shows them). */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  /** When it reached RUNNING; absent if it never did. */
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** Its container instance is DRAINING (or gone): replace it, place nothing there. */
  onDrainingInstance?: boolean;
  containerInstanceArn?: string;
  /** The service has `loadBalancers`: the task counts healthy only when all its targets are (targets.ts). */
  loadBalanced?: boolean;
  /** Its targets in the service's target groups (absent until it has an address). */
  targets?: TaskTargetView[];
  /** DEACTIVATING: desired STOPPED, still running while its targets drain. */
  holdRunning?: boolean;
  /** Task scale-in protection: until this instant (ms) scale-in and deployments leave it running. */
  protectedUntil?: number;
}

/** One target of one task: a `loadBalancers` entry resolved to the task's address. */
export interface TaskTarget {
  targetGroupArn: string;
  /** The ENI address (`ip` groups) or the container instance's EC2 instance id (`instance`). */
  id: string;
  /** The container port (`ip`) or the host port bound to it (`instance`, bridge dynamic included). */
  port: number;
  containerName: string;
  containerPort: number;
}

/** Where the target stands in its group: registered, draining after a deregistration, or not there. */
export type TargetMembership = "registered" | "draining" | "absent";

export interface TaskTargetView extends TaskTarget {
  membership: TargetMembership;
  /** ELB's TargetHealth while registered: initial, healthy, unhealthy, unused, unavailable. */
  state?: string;
  reason?: string;
  description?: string;
  /** Epoch ms of the data plane's report of `state`. */
  since?: number;
}

export interface StartAction {
  deploymentId: string;
  count: number;
  /** DAEMON: the instances to start on, one task each (count === length). */
  containerInstanceArns?: string[];
}

export interface StopAction {
  taskArn: string;
  /** ECS's `stoppedReason` text. */
  reason: string;
  /** Why, for callers and tests: scale-in/replacement, unhealthy, draining. */
  cause: "scale-in" | "replaced" | "unhealthy" | "draining";
}

/** Everything one reconcile pass decided. The caller applies it and persists `service`. */
export interface ReconcileResult {
  /** Task launches to ask the placement layer for. */
  start: StartAction[];
  stop: StopAction[];
  /** The service's new deployments[] (counts, rollout states, rollback deployment added). */
  deployments: DeploymentState[];
  /** Deployments that left deployments[] this pass, in their final state (for history). */
  dropped: DeploymentState[];
  scheduler: SchedulerMemory;
  /** Event messages, oldest first (the caller timestamps them and keeps the newest 100). */
  events: string[];
  /** Set when the circuit breaker tripped this pass. */
  circuitBreakerTripped?: { deploymentId: string; rollbackTo?: string };
  /** Set when deployment alarms or StopServiceDeployment failed the PRIMARY this pass. */
  failed?: { deploymentId: string; cause: "alarms" | "user"; rollbackTo?: string };
  /** Reconcile again after this many ms even if nothing changes (time-based transitions). */
  requeueAfterMs?: number;
  /** The service is at steady state after this pass. */
  steady: boolean;
}

/** Tunables; ECS's values are the defaults. */
export interface ReconcileParams {
  /** A task without health checks counts as healthy this long after reaching RUNNING (ECS: 40 s). */
  healthyAfterMs: number;
  /** Container health is ignored this long after a task starts (healthCheckGracePeriodSeconds). */
  healthCheckGraceMs: number;
  /** Throttle: consecutive start failures tolerated before backing off. */
  throttleAfter: number;
  throttleBaseMs: number;
  /** ECS caps the delay between launch attempts at 27 minutes. */
  throttleMaxMs: number;
  /** ECS repeats the steady-state event every 6 hours while steady. */
  steadyEventEveryMs: number;
  /** How soon to look again while a rollout is moving. */
  pollMs: number;
  /** New deployment ids (rollback); injected so the reconciler stays pure. */
  newDeploymentId: () => string;
}

export const defaultParams = (newDeploymentId: () => string): ReconcileParams => ({
  healthyAfterMs: 40_000,
  healthCheckGraceMs: 0,
  throttleAfter: 3,
  throttleBaseMs: 10_000,
  throttleMaxMs: 27 * 60_000,
  steadyEventEveryMs: 6 * 3600_000,
  pollMs: 5_000,
  newDeploymentId,
});
