import type { PlacementConstraint, PlacementStrategy, RunTaskRequest, TaskOverride } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../core/errors.js";
import {
  constraintsOf,
  type InstanceVerdict,
  place,
  type PlacementFailure,
  type PlacementRequest,
  requiredAttributesOf,
  requirementsFromNeeds,
  type TaskRequirements,
  validateRequest,
} from "../../core/placement/index.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { ExplainOutput } from "../../contracts/internal-routes.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster } from "./clusters.js";
import type { ClusterPlacement } from "./cluster-placement.js";
import type { EcsDeps } from "./deps.js";
import { buildPlacement } from "./placement-indexes.js";
import { resolveTaskDefinition } from "./task-definitions.js";
import { checkCompatibility, needsOf, validateOverrides } from "./task-launch.js";
import { resolveTaskNetwork, trunkingEnabled, validateTaskNetwork } from "./task-network.js";

/**
 * The glue between the ECS task operations and the pure placement engine: the engine's request
 * from a task definition and RunTask's input, the cluster's kept placement state, and the
 * explanation `POST /_wharf/explain` and `wharf explain` show.
 */

export interface PlacementInput {
  count: number;
  /** Task group; default `family:<family>` (ECS's). */
  group?: string;
  overrides?: TaskOverride;
  placementConstraints?: PlacementConstraint[];
  placementStrategy?: PlacementStrategy[];
}

/** ECS's message when a cluster has no ACTIVE instance at all. */
export const NO_INSTANCES = "No Container Instances were found in your cluster.";

/** The task group ECS gives a task: RunTask's `group`, else `family:<family>`. */
export const taskGroup = (td: TaskDefinitionDoc, group: string | undefined): string => group ?? `family:${td.family}`;

/**
 * The placement request for `td` with RunTask's input: the task's needs (overrides applied),
 * the definition's requiresAttributes, its constraints followed by the request's (at most 10),
 * and the strategies (at most 5). Invalid ones (a bad memberOf expression, an unknown spread
 * field) throw InvalidParameterException with the engine's message.
 */
export function placementRequest(td: TaskDefinitionDoc, input: PlacementInput): PlacementRequest {
  const req: PlacementRequest = {
    count: input.count,
    task: requirementsFromNeeds(needsOf(td, input.overrides)),
    group: taskGroup(td, input.group),
    requiresAttributes: requiredAttributesOf(td as never),
    constraints: constraintsOf(td as never, input.placementConstraints),
    strategy: (input.placementStrategy ?? []).map((s) => ({ type: s.type ?? "", ...(s.field !== undefined ? { field: s.field } : {}) })),
  };
  validateRequest(req);
  return req;
}

/**
 * RunTask's checks that do not depend on the cluster's state, shared by RunTask and explain: the
 * count, the task definition (ACTIVE, compatible with the launch type), the overrides, the
 * network configuration, and the placement request (constraints and strategies validated).
 */
export async function prepareRunTask(deps: EcsDeps, input: RunTaskRequest, launchType: string, ctx: RequestContext) {
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter("count must be between 1 and 10.");
  const td = await resolveTaskDefinition(deps, input.taskDefinition ?? "", ctx);
  checkCompatibility(td, launchType);
  validateOverrides(td, input.overrides);
  const shape = validateTaskNetwork(td, input.networkConfiguration, launchType);
  const request = placementRequest(td, {
    count,
    group: input.group,
    overrides: input.overrides,
    placementConstraints: input.placementConstraints,
    placementStrategy: input.placementStrategy,
  });
  const vpc = shape ? await resolveTaskNetwork(deps, ctx, shape) : undefined;
  return { td, vpc, request };
}

/** The cluster's kept placement state, or one read afresh when the server keeps none (API-only tests). */
export function clusterPlacement(deps: EcsDeps, clusterArn: string): Promise<ClusterPlacement> {
  if (deps.placement) return deps.placement.cluster(clusterArn);
  return buildPlacement(deps.store, clusterArn, (arn) => deps.agents?.connected(arn) ?? false);
}


/**
 * Explains a RunTask without starting anything: the same validation and the same request as
 * RunTask, placed on the cluster's live state as a dry run (nothing is reserved or written).
 */
export async function explainRunTask(deps: EcsDeps, input: RunTaskRequest, ctx: RequestContext): Promise<ExplainOutput> {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const launchType = input.launchType ?? "EC2";
  if (launchType !== "EC2" && launchType !== "EXTERNAL") {
    throw invalidParameter(`Only EC2 and EXTERNAL tasks are placed on container instances, not ${launchType}.`);
  }
  const { td, vpc, request: req } = await prepareRunTask(deps, input, launchType, ctx);
  const trunking = vpc ? await trunkingEnabled(deps, ctx) : false;
  const placement = await clusterPlacement(deps, cluster.clusterArn);
  if (vpc) placement.useTrunking(trunking);
  const result = place(req, placement.index, deps.random ?? Math.random, { explain: true, dryRun: true });
  return {
    cluster: cluster.clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    count: req.count,
    group: req.group!,
    task: req.task,
    requiresAttributes: (req.requiresAttributes ?? []).map((a) => (a.value !== undefined ? `${a.name}=${a.value}` : a.name)),
    constraints: req.constraints ?? [],
    strategy: result.explain!.strategy,
    placements: result.placements.map((p) => ({
      task: p.task,
      containerInstanceArn: p.instanceArn,
      ...(p.ec2InstanceId !== undefined ? { ec2InstanceId: p.ec2InstanceId } : {}),
      ...(p.gpuIds.length ? { gpuIds: p.gpuIds } : {}),
    })),
    unplaced: result.unplaced,
    failures: result.failures,
    instances: result.explain!.instances,
  };
}
