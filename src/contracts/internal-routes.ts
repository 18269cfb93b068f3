import type { InstanceVerdict, PlacementFailure, TaskRequirements } from "../core/placement/index.js";
import type { DeploymentTimeline, TimelineSummary } from "../core/service/timeline.js";

/**
 * Wharf's own routes beside the AWS APIs (under `/_wharf/`, SigV4-signed with service `ecs`, JSON
 * in and out): their paths and answers, shared by the server (src/api/*-route.ts) and the
 * `wharf` CLI. The agent channel's paths are in ./agent-protocol.ts.
 */

/** `POST /_wharf/explain` (src/api/explain-route.ts): a RunTask input → ExplainOutput. */
export const EXPLAIN_PATH = "/_wharf/explain";

/** What `POST /_wharf/explain` answers: RunTask's decision, made but not carried out, and why. */
export interface ExplainOutput {
  cluster: string;
  taskDefinitionArn: string;
  count: number;
  group: string;
  /** What one task needs (CPU units, MiB, host ports, GPUs, an ENI slot). */
  task: TaskRequirements;
  requiresAttributes: string[];
  constraints: { type: string; expression?: string }[];
  /** The strategies applied, in order (RunTask's default: random). */
  strategy: string[];
  /** Where each of the `count` tasks would go. */
  placements: { task: number; containerInstanceArn: string; ec2InstanceId?: string; gpuIds?: string[] }[];
  /** Tasks that would not be placed; `failures` then lists why, per instance, as RunTask would. */
  unplaced: number;
  failures: PlacementFailure[];
  /** Per instance, for the first task: eligible with its rank and scores, or rejected with the rule and how short. */
  instances: InstanceVerdict[];
}

/** `POST /_wharf/service-deployment-timeline` (src/api/deployment-timeline-route.ts). */
export const TIMELINE_PATH = "/_wharf/service-deployment-timeline";

export interface TimelineAnswer {
  serviceDeployment: Record<string, unknown>;
  deploymentId: string;
  taskDefinition: string;
  timeline?: DeploymentTimeline;
  summary: TimelineSummary;
  healthyAfterMs: number;
  now: number;
}

/** `POST /_wharf/capacity/interrupt-spot` (src/api/spot-route.ts). */
export const SPOT_INTERRUPT_PATH = "/_wharf/capacity/interrupt-spot";

export interface InterruptInput {
  /** The cluster (default "default"). */
  cluster?: string;
  /** Tasks to interrupt (ids or ARNs); each must be a live FARGATE_SPOT task. */
  tasks?: string[];
  /** Or a share (0–1) of the cluster's live Spot tasks, chosen at random. */
  share?: number;
}

export interface InterruptOutput {
  interrupted: string[];
  failures: { arn: string; reason: string }[];
}
