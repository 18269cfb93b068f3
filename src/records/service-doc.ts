import type { Deployment, Service, ServiceEvent, TaskSet } from "@aws-sdk/client-ecs";
import { randomUUID } from "node:crypto";
import { arnBase, type Principal } from "../core/arn.js";
import type { DeploymentTimeline, TimelineSummary } from "../core/service/timeline.js";
import type { DeploymentState, SchedulerMemory, ServiceState } from "../core/service/types.js";
import type { TaskSetState } from "../core/service/task-sets.js";
import { epochSeconds } from "../core/time.js";
import type { Store } from "../store/store.js";
import { readTags } from "./tag-store.js";

/**
 * A service as stored (kind `service`, id = service ARN, scope = cluster ARN, sort = name):
 * the ECS Service shape minus what is derived when rendering (counts, deployments, tags),
 * plus `wharf`, the scheduler's side. cluster-usage.ts counts services by `status` and
 * `launchType`. Deployments are kept in the scheduler's own form (epoch milliseconds, with
 * circuit-breaker internals) and rendered to ECS's `Deployment` shape on the way out.
 */
export interface ServiceDoc
  extends Omit<Service, "createdAt" | "events" | "deployments" | "tags" | "runningCount" | "pendingCount" | "desiredCount"> {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  schedulingStrategy: "REPLICA" | "DAEMON";
  createdAt: number;
  /** Newest first, at most MAX_EVENTS. */
  events: StoredEvent[];
  wharf: ServiceInternals;
}

export interface StoredEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceInternals {
  deployments: DeploymentState[];
  scheduler: SchedulerMemory;
  /** CreateService's clientToken and a fingerprint of its parameters (idempotency). */
  clientToken?: string;
  requestHash?: string;
  /** Finished and current deployments, newest first (ListServiceDeployments). */
  history: DeploymentRecord[];
  /** Task definition family:revision → ARN is resolved at create/update; kept for rollback. */
  taskDefinitionArn: string;
  /** Service Connect settings (validated and stored; the proxy side is not built). */
  serviceConnectConfiguration?: { namespace?: string; enabled?: boolean };
  /** When the service went INACTIVE. */
  deletedAt?: number;
  /** StopServiceDeployment (ROLLBACK) asked for this deployment to stop; the next scheduler pass acts and clears it. */
  stopRequest?: { deploymentId: string; at: number };
  /** EXTERNAL deployment controller: the task sets (CreateTaskSet …), newest first; `deployments` stays empty. */
  taskSets?: TaskSetState[];
}

/** One service deployment as ListServiceDeployments/DescribeServiceDeployments report it. */
export interface DeploymentRecord {
  /** The Deployment id (`ecs-svc/…`) this record follows. */
  deploymentId: string;
  serviceDeploymentArn: string;
  targetRevisionArn: string;
  taskDefinition: string;
  sourceRevisionArns: string[];
  status: string;
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  deploymentConfiguration: unknown;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  circuitBreaker?: { status: string; failureCount: number; threshold: number };
  /** The deployment alarms that failed it (ServiceDeployment `alarms.triggeredAlarmNames`). */
  triggeredAlarms?: string[];
  /** `deploymentId`: the deployment the circuit breaker started to restore (its tasks join this record's timeline). */
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string; deploymentId?: string };
  /** ECS's ServiceDeploymentLifecycleStage while rolling (SCALE_UP, then CLEAN_UP); the last one stays. */
  lifecycleStage?: string;
  /** Task counts of each source revision (by ARN), followed while the deployment runs. */
  sourceCounts?: Record<string, { requested: number; running: number; pending: number }>;
  /** Per-task timeline (src/core/service/timeline.ts); only the newest records keep it. */
  timeline?: DeploymentTimeline;
  /** What an older record keeps of its timeline once compacted. */
  timelineSummary?: TimelineSummary;
}

export const MAX_EVENTS = 100;
export const MAX_HISTORY = 100;

/** Prepends events (given oldest first) keeping the newest MAX_EVENTS. */
export function addEvents(doc: ServiceDoc, messages: string[], nowMs: number): StoredEvent[] {
  const fresh = messages.map((message) => ({ id: randomUUID(), createdAt: epochSeconds(nowMs), message })).reverse();
  return [...fresh, ...doc.events].slice(0, MAX_EVENTS);
}

/** The scheduler's input, from the stored service. */
export function toServiceState(doc: ServiceDoc): ServiceState {
  const dc = doc.deploymentConfiguration ?? {};
  return {
    serviceName: doc.serviceName,
    status: doc.status,
    desiredCount: doc.desiredCount,
    deploymentConfiguration: {
      minimumHealthyPercent: dc.minimumHealthyPercent ?? 100,
      maximumPercent: dc.maximumPercent ?? 200,
      ...(dc.deploymentCircuitBreaker
        ? {
            deploymentCircuitBreaker: {
              enable: dc.deploymentCircuitBreaker.enable ?? false,
              rollback: dc.deploymentCircuitBreaker.rollback ?? false,
            },
          }
        : {}),
      ...(dc.alarms
        ? { alarms: { alarmNames: dc.alarms.alarmNames ?? [], enable: dc.alarms.enable ?? false, rollback: dc.alarms.rollback ?? false } }
        : {}),
    },
    deployments: doc.wharf.deployments,
    scheduler: doc.wharf.scheduler,
    ...(doc.wharf.stopRequest ? { stopRequest: { deploymentId: doc.wharf.stopRequest.deploymentId } } : {}),
  };
}

/** ECS's `Deployment` from the scheduler's form (epoch seconds, internals dropped). */
export function renderDeployment(d: DeploymentState): Deployment {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: d.pendingCount,
    runningCount: d.runningCount,
    failedTasks: d.failedTasks,
    createdAt: epochSeconds(d.createdAt) as unknown as Date,
    updatedAt: epochSeconds(d.updatedAt) as unknown as Date,
    ...(d.launchType ? { launchType: d.launchType as Deployment["launchType"] } : {}),
    ...(d.platformVersion ? { platformVersion: d.platformVersion } : {}),
    ...(d.capacityProviderStrategy?.length ? { capacityProviderStrategy: d.capacityProviderStrategy as Deployment["capacityProviderStrategy"] } : {}),
    ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration as Deployment["networkConfiguration"] } : {}),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

/** ECS's `Service` (counts summed over deployments, or task sets; tags only when asked). */
export async function renderService(store: Store, doc: ServiceDoc, withTags: boolean): Promise<Service> {
  const { wharf, events, createdAt, ...rest } = doc;
  if (isExternal(doc)) return renderExternalService(store, doc, withTags);
  const deployments = doc.status === "INACTIVE" ? [] : wharf.deployments;
  const out: Record<string, unknown> = {
    ...rest,
    runningCount: deployments.reduce((n, d) => n + d.runningCount, 0),
    pendingCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
    deployments: deployments.map(renderDeployment),
    events: events as unknown as ServiceEvent[],
    createdAt,
  };
  if (withTags) out.tags = await readTags(store, doc.serviceArn);
  return out as Service;
}

/**
 * The service as the load balancer and registry ports see it: an EXTERNAL service's
 * `loadBalancers` are all its task sets' (each task's own are its task set's, read by its
 * `startedBy`), its `serviceRegistries` those its task sets share.
 */
export function portView(doc: ServiceDoc): ServiceDoc {
  if (!isExternal(doc)) return doc;
  const sets = doc.wharf.taskSets ?? [];
  const seen = new Set<string>();
  const loadBalancers = sets.flatMap((t) => t.loadBalancers).filter((l) => {
    const key = `${l.targetGroupArn}|${l.containerName}|${l.containerPort}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const serviceRegistries = (sets.find((t) => t.status !== "DRAINING") ?? sets[0])?.serviceRegistries ?? [];
  return { ...doc, loadBalancers, serviceRegistries };
}

/** The load balancers a task of the service is registered with: its task set's, or the service's. */
export function loadBalancersOfTask(doc: ServiceDoc, startedBy: string | undefined): NonNullable<ServiceDoc["loadBalancers"]> {
  if (!isExternal(doc)) return doc.loadBalancers ?? [];
  return (doc.wharf.taskSets ?? []).find((t) => t.id === startedBy)?.loadBalancers ?? [];
}

/** The service is driven through task sets. */
export const isExternal = (doc: Pick<ServiceDoc, "deploymentController">): boolean => doc.deploymentController?.type === "EXTERNAL";

/**
 * An EXTERNAL service as ECS describes it: its counts summed over the task sets, `taskSets`
 * listed, and the PRIMARY task set's fields (task definition, launch, network, load balancers,
 * registries) as the service's; none of them while no task set is PRIMARY.
 */
async function renderExternalService(store: Store, doc: ServiceDoc, withTags: boolean): Promise<Service> {
  const { wharf, events, createdAt, ...rest } = doc;
  const sets = doc.status === "INACTIVE" ? [] : (wharf.taskSets ?? []);
  const primary = sets.find((t) => t.status === "PRIMARY");
  const out: Record<string, unknown> = {
    ...rest,
    loadBalancers: primary?.loadBalancers ?? [],
    serviceRegistries: primary?.serviceRegistries ?? [],
    runningCount: sets.reduce((n, t) => n + t.runningCount, 0),
    pendingCount: sets.reduce((n, t) => n + t.pendingCount, 0),
    deployments: [],
    taskSets: sets.map((t) => renderTaskSet(doc, t)),
    events: events as unknown as ServiceEvent[],
    createdAt,
  };
  delete out.taskDefinition;
  delete out.launchType;
  delete out.platformVersion;
  delete out.networkConfiguration;
  delete out.capacityProviderStrategy;
  if (primary) {
    out.taskDefinition = primary.taskDefinition;
    if (primary.launchType) out.launchType = primary.launchType;
    if (primary.platformVersion) out.platformVersion = primary.platformVersion;
    if (primary.networkConfiguration) out.networkConfiguration = primary.networkConfiguration;
    if (primary.capacityProviderStrategy?.length) out.capacityProviderStrategy = primary.capacityProviderStrategy;
  }
  if (withTags) out.tags = await readTags(store, doc.serviceArn);
  return out as Service;
}

/** ECS's `TaskSet` from the stored form (epoch seconds). */
export function renderTaskSet(doc: Pick<ServiceDoc, "serviceArn" | "clusterArn">, t: TaskSetState): TaskSet {
  return {
    id: t.id,
    taskSetArn: t.taskSetArn,
    serviceArn: doc.serviceArn,
    clusterArn: doc.clusterArn,
    ...(t.externalId !== undefined ? { externalId: t.externalId } : {}),
    status: t.status,
    taskDefinition: t.taskDefinition,
    computedDesiredCount: t.computedDesiredCount,
    pendingCount: t.pendingCount,
    runningCount: t.runningCount,
    createdAt: epochSeconds(t.createdAt) as unknown as Date,
    updatedAt: epochSeconds(t.updatedAt) as unknown as Date,
    ...(t.launchType ? { launchType: t.launchType as TaskSet["launchType"] } : {}),
    ...(t.capacityProviderStrategy?.length ? { capacityProviderStrategy: t.capacityProviderStrategy as TaskSet["capacityProviderStrategy"] } : {}),
    ...(t.platformVersion ? { platformVersion: t.platformVersion } : {}),
    ...(t.networkConfiguration ? { networkConfiguration: t.networkConfiguration as TaskSet["networkConfiguration"] } : {}),
    loadBalancers: t.loadBalancers,
    serviceRegistries: t.serviceRegistries,
    scale: t.scale,
    stabilityStatus: t.stabilityStatus,
    stabilityStatusAt: epochSeconds(t.stabilityStatusAt) as unknown as Date,
  };
}

/** `service-deployment` and `service-revision` ARNs (ECS: `…:service-deployment/CLUSTER/SERVICE/ID`). */
export const serviceDeploymentArn = (p: Principal, cluster: string, service: string, deploymentId: string) =>
  `${arnBase(p)}:service-deployment/${cluster}/${service}/${deploymentId.replace("ecs-svc/", "")}`;
export const serviceRevisionArn = (p: Principal, cluster: string, service: string, deploymentId: string) =>
  `${arnBase(p)}:service-revision/${cluster}/${service}/${deploymentId.replace("ecs-svc/", "")}`;
