import type { Deployment, Service, ServiceEvent } from "@aws-sdk/client-ecs";
import { randomUUID } from "node:crypto";
import { arnBase, type Principal } from "../core/arn.js";
import type { DeploymentTimeline, TimelineSummary } from "../core/service/timeline.js";
import type { DeploymentState, SchedulerMemory, ServiceState } from "../core/service/types.js";
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
    },
    deployments: doc.wharf.deployments,
    scheduler: doc.wharf.scheduler,
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

/** ECS's `Service` (counts summed over deployments; tags only when asked). */
export async function renderService(store: Store, doc: ServiceDoc, withTags: boolean): Promise<Service> {
  const { wharf, events, createdAt, ...rest } = doc;
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

/** `service-deployment` and `service-revision` ARNs (ECS: `…:service-deployment/CLUSTER/SERVICE/ID`). */
export const serviceDeploymentArn = (p: Principal, cluster: string, service: string, deploymentId: string) =>
  `${arnBase(p)}:service-deployment/${cluster}/${service}/${deploymentId.replace("ecs-svc/", "")}`;
export const serviceRevisionArn = (p: Principal, cluster: string, service: string, deploymentId: string) =>
  `${arnBase(p)}:service-revision/${cluster}/${service}/${deploymentId.replace("ecs-svc/", "")}`;
