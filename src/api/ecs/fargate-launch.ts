import type { RunTaskRequest } from "@aws-sdk/client-ecs";
import { clusterArn, lastSegment } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import {
  distributeTasks,
  ephemeralStorageGiB,
  FARGATE_PROVIDERS,
  resolvePlatformVersion,
  spreadOverSubnets,
  type StrategyItem,
  validateStrategy,
} from "../../core/fargate/index.js";
import { place, type PlacementFailure, type PlacementRequest } from "../../core/placement/index.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { RequestContext } from "../../edge/service.js";
import { type ClusterDoc, MIXED_PROVIDERS } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { FARGATE_POOL_NAME } from "../../records/instance-doc.js";
import type { TaskDoc } from "../../records/task-doc.js";
import { type LaunchSpec, newTaskDoc } from "./task-launch.js";
import type { TaskNetwork } from "./task-network.js";

/**
 * Fargate on Wharf: tasks with no hosts to manage. Each task is placed on a host of the managed
 * capacity pool (hosts that joined with `wharf agent --fargate`, or `wharf up`'s own), which no
 * cluster lists; it gets its own network namespace and an address in one of its subnets, spread
 * over the subnets' Availability Zones, and its task size as hard limits (the agent's task cgroup).
 */

/** ECS's failure reason when Fargate has no room. */
export const CAPACITY_UNAVAILABLE = "Capacity is unavailable at this time. Please try again later or in a different availability zone";
const NO_POOL_DETAIL = "No Fargate capacity has joined this Wharf: run `wharf up`, or `wharf agent --fargate` on a host.";
const NOT_ASSOCIATED =
  "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.";

/** How RunTask (or a service) launches: a launch type, or a capacity provider strategy. */
export interface Launch {
  launchType: string;
  /** Set when tasks go through capacity providers (then each task shows its capacityProviderName). */
  strategy?: StrategyItem[];
}

/**
 * ECS's rules for choosing the launch: launchType and a strategy are exclusive; no launch type
 * means the request's strategy, else the cluster's default strategy, else EC2. Wharf's capacity
 * providers are FARGATE and FARGATE_SPOT (any cluster); others are not associated with it.
 */
export function resolveLaunch(
  input: { launchType?: string; capacityProviderStrategy?: StrategyItem[] },
  cluster: Pick<ClusterDoc, "defaultCapacityProviderStrategy" | "capacityProviders">,
): Launch {
  const given = input.capacityProviderStrategy ?? [];
  if (input.launchType && given.length) {
    throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  }
  if (input.launchType) {
    if (!["EC2", "EXTERNAL", "FARGATE"].includes(input.launchType)) {
      throw invalidParameter(`Launch type ${input.launchType} is not supported by Wharf.`);
    }
    return { launchType: input.launchType };
  }
  const strategy = (given.length ? given : (cluster.defaultCapacityProviderStrategy ?? [])) as StrategyItem[];
  if (strategy.length === 0) return { launchType: "EC2" };
  // ECS echoes every item with its base and weight, 0 where not given; providers by name.
  const items = strategy.map((s) => ({ capacityProvider: lastSegment(s.capacityProvider), weight: s.weight ?? 0, base: s.base ?? 0 }));
  validateStrategy(items);
  const fargate = items.filter((s) => FARGATE_PROVIDERS.has(s.capacityProvider)).length;
  if (fargate === items.length) return { launchType: "FARGATE", strategy: items };
  if (fargate > 0) throw invalidParameter(MIXED_PROVIDERS);
  // EC2-style providers: only those associated with the cluster; tasks go to their instances.
  if (items.some((s) => !(cluster.capacityProviders ?? []).includes(s.capacityProvider))) throw invalidParameter(NOT_ASSOCIATED);
  return { launchType: "EC2", strategy: items };
}

/** ECS's refusals at RunTask/CreateService for Fargate, before anything is placed. */
export function checkFargateRequest(
  td: TaskDefinitionDoc,
  input: Pick<RunTaskRequest, "placementConstraints" | "placementStrategy" | "platformVersion">,
  launch: Launch,
): { platformVersion: string } {
  if ((input.placementConstraints?.length ?? 0) > 0 || (td.placementConstraints?.length ?? 0) > 0) {
    throw invalidParameter("Placement constraints are not supported with FARGATE launch type.");
  }
  if ((input.placementStrategy?.length ?? 0) > 0) {
    throw invalidParameter("Placement strategies are not supported with FARGATE launch type.");
  }
  const platformVersion = resolvePlatformVersion(input.platformVersion);
  const arch = td.runtimePlatform?.cpuArchitecture;
  if (arch === "ARM64" && launch.strategy?.some((s) => s.capacityProvider === "FARGATE_SPOT" && ((s.weight ?? 0) > 0 || (s.base ?? 0) > 0))) {
    throw invalidParameter("The FARGATE_SPOT capacity provider does not support the ARM64 CPU architecture. Use the FARGATE capacity provider.");
  }
  if (td.runtimePlatform?.operatingSystemFamily && td.runtimePlatform.operatingSystemFamily !== "LINUX") {
    throw invalidParameter(`Wharf runs Linux Fargate tasks only, not ${td.runtimePlatform.operatingSystemFamily}.`);
  }
  ephemeralStorageGiB(td.ephemeralStorage?.sizeInGiB);
  return { platformVersion };
}

/** The pool's scope ARN for a principal. */
export const fargatePoolArn = (ctx: RequestContext): string => clusterArn(ctx.principal, FARGATE_POOL_NAME);

export interface FargatePlacement {
  docs: TaskDoc[];
  failures: PlacementFailure[];
}

/**
 * Places `request.count` Fargate tasks on the pool (call under the pool's lock, with its
 * placement state): the providers by strategy, the subnets by zone, the hosts by the engine
 * (spread over hosts, each host's CPU, memory and ENI room counted). Returns the task records
 * to write; failures carry ECS's capacity reason.
 */
export function planFargateTasks(
  args: {
    ctx: RequestContext;
    spec: LaunchSpec;
    request: PlacementRequest;
    vpc: TaskNetwork;
    launch: Launch;
    platformVersion: string;
    existingByProvider: Record<string, number>;
    liveByZone: Record<string, number>;
    now: number;
    random: () => number;
  },
  index: Parameters<typeof place>[1],
  hostOf: (arn: string) => Parameters<typeof newTaskDoc>[1],
): FargatePlacement {
  const { ctx, spec, request, vpc, launch } = args;
  const arch = spec.td.runtimePlatform?.cpuArchitecture;
  const req: PlacementRequest = {
    ...request,
    constraints: [],
    strategy: [{ type: "spread", field: "instanceId" }],
    requiresAttributes: [
      ...(request.requiresAttributes ?? []),
      ...(arch === "ARM64" ? [{ name: "ecs.cpu-architecture", value: "arm64" }] : []),
    ],
  };
  const { placements, noActiveInstances } = place(req, index, args.random);
  const unplaced = request.count - (noActiveInstances ? 0 : placements.length);
  const failures: PlacementFailure[] = unplaced > 0
    ? [{ arn: "", reason: CAPACITY_UNAVAILABLE, ...(noActiveInstances ? { detail: NO_POOL_DETAIL } : {}) }]
    : [];
  const placed = noActiveInstances ? [] : placements;
  const providers = launch.strategy ? distributeTasks(launch.strategy, placed.length, args.existingByProvider) : [];
  const zoneOf = (s: string) => vpc.subnetInfo[s]!.availabilityZone;
  const subnets = spreadOverSubnets(zoneOf, vpc.subnets, placed.length, args.liveByZone);
  const storage = ephemeralStorageGiB(spec.td.ephemeralStorage?.sizeInGiB);
  const docs = placed.map((p, i) => {
    const doc = newTaskDoc(spec, hostOf(p.instanceArn), args.now, i);
    const subnet = subnets[i]!;
    return {
      ...doc,
      availabilityZone: zoneOf(subnet),
      ...(providers[i] ? { capacityProviderName: providers[i] } : {}),
      platformVersion: args.platformVersion,
      platformFamily: "Linux",
      ephemeralStorage: { sizeInGiB: storage },
      wharf: { ...doc.wharf, capacityArn: fargatePoolArn(ctx), subnet },
    } as TaskDoc;
  });
  return { docs, failures: failures.map(({ arn, ...f }) => (arn ? { arn, ...f } : f) as PlacementFailure) };
}

/** The cluster's live tasks of `group`, counted by capacity provider and by zone. */
export function liveCounts(tasks: readonly TaskDoc[], group: string): { byProvider: Record<string, number>; byZone: Record<string, number> } {
  const byProvider: Record<string, number> = {};
  const byZone: Record<string, number> = {};
  for (const t of tasks) {
    if (t.group !== group || t.desiredStatus === "STOPPED" || t.lastStatus === "STOPPED") continue;
    if (t.capacityProviderName) byProvider[t.capacityProviderName] = (byProvider[t.capacityProviderName] ?? 0) + 1;
    if (t.availabilityZone) byZone[t.availabilityZone] = (byZone[t.availabilityZone] ?? 0) + 1;
  }
  return { byProvider, byZone };
}

