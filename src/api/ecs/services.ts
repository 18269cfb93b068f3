import { resolveTaskNetwork } from "./task-network.js";
import type {
  CreateServiceRequest,
  DeleteServiceRequest,
  DescribeServicesRequest,
  ListServicesByNamespaceRequest,
  ListServicesRequest,
  UpdateServiceRequest,
} from "@aws-sdk/client-ecs";
import { clusterOfArn, idInCluster, lastSegment, serviceArn } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import type { StrategyItem } from "../../core/fargate/index.js";
import { checkFargateRequest, type Launch, resolveLaunch } from "./fargate-launch.js";
import { checkCompatibility } from "./task-launch.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { emptyMemory } from "../../core/service/types.js";
import { computedDesiredCount } from "../../core/service/task-sets.js";
import { validateTags } from "../../core/tags.js";
import { epochSeconds } from "../../core/time.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster, type ClusterDoc } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { renderService, type ServiceDoc } from "../../records/service-doc.js";
import { newRecord } from "../../records/service-history.js";
import { newDeployment, withNewDeployment } from "../../records/service-redeploy.js";
import { checkServiceRegistries } from "./service-registry-validate.js";
import { checkTargetGroups, gracePeriodOf } from "./service-lb-validate.js";
import {
  deploymentConfigurationOf,
  fingerprint,
  validateClientToken,
  validateDesiredCount,
  validateLoadBalancers,
  validateNetwork,
  validatePlacement,
  validateServiceName,
  validateServiceRegistries,
} from "./service-validate.js";
import { putTagsOp } from "../../records/tag-store.js";
import { resolveTaskDefinition } from "./task-definitions.js";

/**
 * CreateService, UpdateService, DeleteService, DescribeServices, ListServices and
 * ListServicesByNamespace. These record what the user wants (desired count, deployments);
 * the service controller (src/controllers/service-controller.ts) makes it so. A deployment
 * is created here, PRIMARY and IN_PROGRESS; the controller rolls it out and completes it.
 */

/** Set by whoever runs the service controller: called after every change to a service. */
const notify = (deps: EcsDeps, doc: ServiceDoc) => deps.onServiceChanged?.(doc.serviceArn, doc.clusterArn);

export const serviceNotFound = () => new AwsError("ServiceNotFoundException", "Service not found.");
export const serviceNotActive = () => new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");

const putOp = (doc: ServiceDoc) =>
  ({ op: "put", kind: "service", id: doc.serviceArn, scope: doc.clusterArn, sort: doc.serviceName, value: doc }) as const;

/**
 * A service given by name or ARN in a cluster → its ARN; undefined when the ARN is another
 * partition's, Region's or account's. A long ARN naming another cluster is refused.
 */
export function serviceArnOf(ctx: RequestContext, cluster: ClusterDoc, ref: string): string | undefined {
  const name = idInCluster(ctx.principal, ref, "service", cluster.clusterName);
  return name === undefined ? undefined : serviceArn(ctx.principal, cluster.clusterName, name);
}

export async function readService(deps: EcsDeps, arn: string): Promise<ServiceDoc | undefined> {
  return (await deps.store.get<ServiceDoc>("service", arn))?.value;
}

/** The service, ACTIVE; ServiceNotFoundException / ServiceNotActiveException otherwise. */
async function requireActive(deps: EcsDeps, arn: string): Promise<ServiceDoc> {
  const doc = await readService(deps, arn);
  if (!doc) throw serviceNotFound();
  if (doc.status !== "ACTIVE") throw serviceNotActive();
  return doc;
}

/** The definition can run with the launch; Fargate's own refusals too (placement, platform, architecture). */
export function checkLaunch(td: TaskDefinitionDoc, launch: Launch, input: Pick<CreateServiceRequest, "placementConstraints" | "placementStrategy" | "platformVersion">): void {
  checkCompatibility(td, launch.launchType);
  if (launch.launchType === "FARGATE") checkFargateRequest(td, input, launch);
}

export async function createService(deps: EcsDeps, input: CreateServiceRequest, ctx: RequestContext) {
  const name = input.serviceName!;
  validateServiceName(name);
  validateClientToken(input.clientToken);
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const strategy = input.schedulingStrategy ?? "REPLICA";
  const controller = input.deploymentController?.type ?? "ECS";
  if (controller === "CODE_DEPLOY") throw noCodeDeploy();
  if (controller === "EXTERNAL") return createExternalService(deps, input, ctx);
  if (controller !== "ECS") throw invalidParameter(`Wharf supports the ECS and EXTERNAL deployment controllers, not ${controller}.`);
  if (strategy === "DAEMON") {
    if (input.desiredCount !== undefined) {
      throw invalidParameter("The daemon scheduling strategy does not support a desired count for services.");
    }
    if (input.placementStrategy?.length) {
      throw invalidParameter("Placement strategies are not supported with the DAEMON scheduling strategy.");
    }
    if (input.launchType === "FARGATE") {
      throw invalidParameter("The DAEMON scheduling strategy is not supported with the FARGATE launch type.");
    }
  } else if (input.desiredCount === undefined) {
    throw invalidParameter("The desired count must be specified for services using the REPLICA scheduling strategy.");
  }
  validateDesiredCount(input.desiredCount);
  const launch = resolveLaunch(input as { launchType?: string; capacityProviderStrategy?: StrategyItem[] }, cluster);
  if (!input.taskDefinition) throw invalidParameter("A task definition must be specified for a service.");
  const td = await resolveTaskDefinition(deps, input.taskDefinition, ctx);
  // With a strategy (the request's or the cluster's default) the service has no launch type, as on ECS.
  const launchType = launch.strategy ? undefined : (launch.launchType as ServiceDoc["launchType"]);
  const capacityProviderStrategy = launch.strategy ?? [];
  checkLaunch(td, launch, input);
  const deploymentConfiguration = deploymentConfigurationOf(input.deploymentConfiguration, strategy);
  validatePlacement(input.placementConstraints, input.placementStrategy);
  validateLoadBalancers(input.loadBalancers, td);
  await checkTargetGroups(deps, input.loadBalancers ?? [], td);
  const healthCheckGracePeriodSeconds = gracePeriodOf(input.healthCheckGracePeriodSeconds, input.loadBalancers ?? []);
  validateServiceRegistries(input.serviceRegistries, td);
  refuseServiceConnect(input.serviceConnectConfiguration);
  await checkServiceRegistries(deps, ctx.principal, input.serviceRegistries ?? [], td);
  validateNetwork(input.networkConfiguration, td);
  if (input.networkConfiguration?.awsvpcConfiguration) await resolveTaskNetwork(deps, ctx, input.networkConfiguration.awsvpcConfiguration);
  const tags = validateTags(input.tags);
  const arn = serviceArn(ctx.principal, cluster.clusterName, name);
  const hash = fingerprint(input);

  const doc = await deps.lock(arn, async () => {
    const existing = await readService(deps, arn);
    if (existing?.status === "ACTIVE") {
      if (input.clientToken && existing.wharf.clientToken === input.clientToken && existing.wharf.requestHash === hash) {
        return existing;
      }
      throw invalidParameter("Creation of service was not idempotent.");
    }
    if (existing?.status === "DRAINING") throw invalidParameter("Unable to Start a service that is still Draining.");
    const now = deps.clock.now();
    const desiredCount = strategy === "DAEMON" ? 0 : input.desiredCount!;
    const spec = {
      launchType,
      ...(launch.launchType === "FARGATE" || input.platformVersion ? { platformVersion: input.platformVersion ?? "LATEST" } : {}),
      capacityProviderStrategy,
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    };
    const first = newDeployment(now, td.taskDefinitionArn!, desiredCount, spec);
    const fresh: ServiceDoc = {
      serviceArn: arn,
      serviceName: name,
      clusterArn: cluster.clusterArn,
      loadBalancers: input.loadBalancers ?? [],
      serviceRegistries: input.serviceRegistries ?? [],
      status: "ACTIVE",
      desiredCount,
      ...(launchType ? { launchType: launchType as ServiceDoc["launchType"] } : {}),
      ...(spec.platformVersion ? { platformVersion: spec.platformVersion } : {}),
      ...(capacityProviderStrategy.length ? { capacityProviderStrategy } : {}),
      taskDefinition: td.taskDefinitionArn!,
      deploymentConfiguration,
      ...(input.role ? { roleArn: input.role } : {}),
      events: [],
      createdAt: epochSeconds(now),
      placementConstraints: input.placementConstraints ?? [],
      placementStrategy: input.placementStrategy ?? [],
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      ...(healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds } : {}),
      schedulingStrategy: strategy,
      deploymentController: { type: "ECS" },
      createdBy: ctx.callerArn,
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: input.propagateTags ?? "NONE",
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      ...(input.availabilityZoneRebalancing ? { availabilityZoneRebalancing: input.availabilityZoneRebalancing } : {}),
      wharf: {
        ...(input.serviceConnectConfiguration ? { serviceConnectConfiguration: input.serviceConnectConfiguration } : {}),
        deployments: [first],
        scheduler: emptyMemory(),
        ...(input.clientToken ? { clientToken: input.clientToken } : {}),
        requestHash: hash,
        history: [],
        taskDefinitionArn: td.taskDefinitionArn!,
      },
    } as ServiceDoc;
    fresh.wharf.history = [newRecord(ctx.principal, fresh, first, cluster.clusterName)];
    await deps.store.write([putOp(fresh), putTagsOp(arn, tags)]);
    return fresh;
  });
  notify(deps, doc);
  return { service: await renderService(deps.store, doc, true) };
}

export async function updateService(deps: EcsDeps, input: UpdateServiceRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const arn = serviceArnOf(ctx, cluster, input.service!);
  if (!arn) throw serviceNotFound();
  const current = await requireActive(deps, arn);
  const daemon = current.schedulingStrategy === "DAEMON";
  if (daemon && input.desiredCount !== undefined) {
    throw invalidParameter("The daemon scheduling strategy does not support a desired count for services.");
  }
  validateDesiredCount(input.desiredCount);
  if (input.deploymentController?.type === "CODE_DEPLOY") throw noCodeDeploy();
  const controller = current.deploymentController?.type ?? "ECS";
  if (input.deploymentController && input.deploymentController.type !== controller) {
    throw invalidParameter(`Wharf does not change a service's deployment controller (${controller}) after it is created.`);
  }
  if (controller === "EXTERNAL") return updateExternalService(deps, input, current);
  if (daemon && input.placementStrategy?.length) {
    throw invalidParameter("Placement strategies are not supported with the DAEMON scheduling strategy.");
  }
  const td = input.taskDefinition ? await resolveTaskDefinition(deps, input.taskDefinition, ctx) : undefined;
  const launch: Launch = input.capacityProviderStrategy?.length
    ? resolveLaunch({ capacityProviderStrategy: input.capacityProviderStrategy as StrategyItem[] }, cluster)
    : current.launchType
      ? { launchType: current.launchType }
      : resolveLaunch({ capacityProviderStrategy: (current.capacityProviderStrategy ?? []) as StrategyItem[] }, cluster);
  const tdForLaunch = td ?? (await resolveTaskDefinition(deps, current.taskDefinition!, ctx).catch(() => undefined));
  if (tdForLaunch && (td || input.capacityProviderStrategy?.length || input.placementStrategy || input.placementConstraints)) {
    checkLaunch(tdForLaunch, launch, {
      placementConstraints: input.placementConstraints ?? current.placementConstraints,
      placementStrategy: input.placementStrategy ?? current.placementStrategy,
      platformVersion: input.platformVersion ?? current.platformVersion,
    });
  }
  const deploymentConfiguration = deploymentConfigurationOf(
    input.deploymentConfiguration,
    current.schedulingStrategy,
    current.deploymentConfiguration,
  );
  if (input.placementConstraints || input.placementStrategy) {
    validatePlacement(input.placementConstraints ?? current.placementConstraints, input.placementStrategy ?? current.placementStrategy);
  }
  const tdForChecks = td ?? (await resolveTaskDefinition(deps, current.taskDefinition!, ctx).catch(() => undefined));
  if (input.loadBalancers) validateLoadBalancers(input.loadBalancers, tdForChecks);
  if (input.loadBalancers || td) await checkTargetGroups(deps, input.loadBalancers ?? current.loadBalancers ?? [], tdForChecks);
  const healthCheckGracePeriodSeconds =
    input.healthCheckGracePeriodSeconds !== undefined || input.loadBalancers
      ? gracePeriodOf(input.healthCheckGracePeriodSeconds ?? current.healthCheckGracePeriodSeconds, input.loadBalancers ?? current.loadBalancers ?? [])
      : current.healthCheckGracePeriodSeconds;
  if (input.serviceRegistries) validateServiceRegistries(input.serviceRegistries, tdForChecks);
  refuseServiceConnect(input.serviceConnectConfiguration);
  if (input.serviceRegistries || td) await checkServiceRegistries(deps, ctx.principal, input.serviceRegistries ?? current.serviceRegistries ?? [], tdForChecks);
  if (input.networkConfiguration || td) validateNetwork(input.networkConfiguration ?? current.networkConfiguration, tdForChecks);
  if (input.networkConfiguration?.awsvpcConfiguration) await resolveTaskNetwork(deps, ctx, input.networkConfiguration.awsvpcConfiguration);

  const doc = await deps.lock(arn, async () => {
    const base = await requireActive(deps, arn);
    const now = deps.clock.now();
    const next: ServiceDoc = {
      ...base,
      desiredCount: input.desiredCount ?? base.desiredCount,
      deploymentConfiguration,
      ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
      ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      ...(input.loadBalancers ? { loadBalancers: input.loadBalancers } : {}),
      ...(input.serviceRegistries ? { serviceRegistries: input.serviceRegistries } : {}),
      ...(healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds } : {}),
      ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
      ...(input.enableECSManagedTags !== undefined ? { enableECSManagedTags: input.enableECSManagedTags } : {}),
      ...(input.propagateTags ? { propagateTags: input.propagateTags } : {}),
      ...(input.platformVersion ? { platformVersion: input.platformVersion } : {}),
      ...(input.capacityProviderStrategy ? { capacityProviderStrategy: launch.strategy ?? [] } : {}),
      ...(input.availabilityZoneRebalancing ? { availabilityZoneRebalancing: input.availabilityZoneRebalancing } : {}),
      ...(td ? { taskDefinition: td.taskDefinitionArn! } : {}),
      wharf: {
        ...base.wharf,
        ...(input.serviceConnectConfiguration ? { serviceConnectConfiguration: input.serviceConnectConfiguration } : {}),
      },
    };
    if (input.capacityProviderStrategy?.length) delete next.launchType;
    // These change what tasks run as, so ECS starts a new deployment for them.
    const redeploy =
      input.forceNewDeployment === true ||
      (td !== undefined && td.taskDefinitionArn !== base.taskDefinition) ||
      (input.networkConfiguration !== undefined && JSON.stringify(input.networkConfiguration) !== JSON.stringify(base.networkConfiguration)) ||
      input.loadBalancers !== undefined ||
      input.serviceRegistries !== undefined ||
      input.capacityProviderStrategy !== undefined ||
      (input.platformVersion !== undefined && input.platformVersion !== base.platformVersion) ||
      (input.enableExecuteCommand !== undefined && input.enableExecuteCommand !== base.enableExecuteCommand);
    const desired = daemon ? base.desiredCount : next.desiredCount;
    if (redeploy) {
      const started = withNewDeployment(base, { ...next, deploymentConfiguration }, ctx.principal, cluster.clusterName, desired, now);
      next.wharf.deployments = started.wharf.deployments;
      next.wharf.history = started.wharf.history;
    } else {
      next.wharf.deployments = base.wharf.deployments.map((d) =>
        d.status === "PRIMARY" && d.desiredCount !== desired ? { ...d, desiredCount: desired, updatedAt: now } : d,
      );
    }
    await deps.store.write([putOp(next)]);
    return next;
  });
  notify(deps, doc);
  return { service: await renderService(deps.store, doc, false) };
}

/** Service tasks not yet STOPPED (tasks carry `group: service:NAME`). */
async function liveTaskCount(deps: EcsDeps, doc: ServiceDoc): Promise<number> {
  const rows = await deps.store.list<{ group?: string; lastStatus?: string }>("task", { scope: doc.clusterArn });
  return rows.filter((r) => r.value.group === `service:${doc.serviceName}` && r.value.lastStatus !== "STOPPED").length;
}

export async function deleteService(deps: EcsDeps, input: DeleteServiceRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const arn = serviceArnOf(ctx, cluster, input.service!);
  if (!arn) throw serviceNotFound();
  const { doc, shown } = await deps.lock(arn, async () => {
    const base = await readService(deps, arn);
    if (!base) throw serviceNotFound();
    if (base.status !== "ACTIVE") throw serviceNotActive();
    if (base.schedulingStrategy === "REPLICA" && base.desiredCount > 0 && !input.force) {
      throw invalidParameter("The service cannot be stopped while it is scaled above 0.");
    }
    const now = deps.clock.now();
    const draining: ServiceDoc = {
      ...base,
      status: "DRAINING",
      desiredCount: 0,
      wharf: {
        ...base.wharf,
        deployments: base.wharf.deployments.map((d) => (d.status === "PRIMARY" ? { ...d, desiredCount: 0, updatedAt: now } : d)),
        // Deleting an EXTERNAL service deletes its task sets.
        ...(base.wharf.taskSets
          ? { taskSets: base.wharf.taskSets.map((t) => ({ ...t, status: "DRAINING" as const, computedDesiredCount: 0, updatedAt: now })) }
          : {}),
      },
    };
    // With no task left to stop the service is INACTIVE at once; ECS still answers DRAINING.
    const next: ServiceDoc =
      (await liveTaskCount(deps, base)) === 0 ? { ...draining, status: "INACTIVE", wharf: { ...draining.wharf, deletedAt: now } } : draining;
    await deps.store.write([putOp(next)]);
    return { doc: next, shown: draining };
  });
  notify(deps, doc);
  return { service: await renderService(deps.store, shown, false) };
}

export async function describeServices(deps: EcsDeps, input: DescribeServicesRequest, ctx: RequestContext) {
  const refs = input.services ?? [];
  if (refs.length < 1 || refs.length > 10) throw invalidParameter("services can have at least 1 and at most 10 items.");
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const withTags = (input.include ?? []).includes("TAGS");
  const services = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const arn = serviceArnOf(ctx, cluster, ref);
    const doc = arn ? await readService(deps, arn) : undefined;
    if (!doc) failures.push({ arn: arn ?? ref, reason: "MISSING" });
    else services.push(await renderService(deps.store, doc, withTags));
  }
  return { services, failures };
}

export async function listServices(deps: EcsDeps, input: ListServicesRequest, ctx: RequestContext) {
  const size = pageSize(input.maxResults, 10);
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const rows = await deps.store.list<ServiceDoc>("service", { scope: cluster.clusterArn, after: decodeToken(input.nextToken) });
  const matching = rows.filter(
    (r) =>
      r.value.status === "ACTIVE" &&
      (!input.launchType || r.value.launchType === input.launchType) &&
      (!input.schedulingStrategy || r.value.schedulingStrategy === input.schedulingStrategy) &&
      (!input.resourceManagementType || (r.value.resourceManagementType ?? "CUSTOMER") === input.resourceManagementType),
  );
  const { items, nextToken } = page(matching, size, (r) => r.value.serviceName);
  return { serviceArns: items.map((r) => r.value.serviceArn), ...(nextToken ? { nextToken } : {}) };
}

/**
 * Services whose Service Connect configuration names the Cloud Map namespace (by name or
 * ARN; Service Connect itself is not built, so these are configurations with `enabled: false`).
 */
export async function listServicesByNamespace(deps: EcsDeps, input: ListServicesByNamespaceRequest, ctx: RequestContext) {
  const size = pageSize(input.maxResults, 10);
  const ns = input.namespace!;
  const key = (doc: ServiceDoc) => `${clusterOfArn(doc.clusterArn)}/${doc.serviceName}`;
  const rows = (await deps.store.list<ServiceDoc>("service")).filter((r) => {
    const d = r.value;
    const named = d.wharf.serviceConnectConfiguration?.namespace;
    return d.status === "ACTIVE" && d.serviceArn.includes(`:${ctx.principal.accountId}:`) && named !== undefined && (named === ns || lastSegment(ns) === lastSegment(named));
  });
  rows.sort((a, b) => key(a.value).localeCompare(key(b.value)));
  const after = decodeToken(input.nextToken);
  const rest = after === undefined ? rows : rows.filter((r) => key(r.value) > after);
  const { items, nextToken } = page(rest, size, (r) => key(r.value));
  return { serviceArns: items.map((r) => r.value.serviceArn), ...(nextToken ? { nextToken } : {}) };
}

/** CodeDeploy is not part of Wharf: its controller is refused, with the way that works here. */
const noCodeDeploy = () =>
  new AwsError(
    "UnsupportedFeatureException",
    "Wharf has no AWS CodeDeploy, so the CODE_DEPLOY deployment controller is not supported: use deploymentController EXTERNAL with task sets (CreateTaskSet, UpdateServicePrimaryTaskSet), or the ECS controller.",
  );

/**
 * What a service with the EXTERNAL controller may be created with (ECS's list: name, desired
 * count, deployment configuration, managed tags, grace period, placement, tags propagation,
 * role, REPLICA scheduling, tags); the task definition, launch, network, load balancers and
 * registries belong to its task sets.
 */
const EXTERNAL_REFUSED: [keyof CreateServiceRequest, string][] = [
  ["taskDefinition", "TaskDefinition"],
  ["loadBalancers", "LoadBalancers"],
  ["serviceRegistries", "ServiceRegistries"],
  ["networkConfiguration", "NetworkConfiguration"],
  ["launchType", "LaunchType"],
  ["capacityProviderStrategy", "CapacityProviderStrategy"],
  ["platformVersion", "PlatformVersion"],
];

async function createExternalService(deps: EcsDeps, input: CreateServiceRequest, ctx: RequestContext) {
  const name = input.serviceName!;
  const cluster = await requireCluster(deps, input.cluster, ctx);
  if ((input.schedulingStrategy ?? "REPLICA") === "DAEMON") {
    throw invalidParameter("The DAEMON scheduling strategy is not supported with the EXTERNAL deployment controller.");
  }
  for (const [key, label] of EXTERNAL_REFUSED) {
    const v = input[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw invalidParameter(`${label} must be empty or null.`);
  }
  if (input.desiredCount === undefined) throw invalidParameter("The desired count must be specified for services using the REPLICA scheduling strategy.");
  validateDesiredCount(input.desiredCount);
  refuseServiceConnect(input.serviceConnectConfiguration);
  const strat = input.deploymentConfiguration?.strategy;
  if (strat && strat !== "ROLLING") throw invalidParameter(`The ${strat} deployment strategy is for the ECS deployment controller only.`);
  const deploymentConfiguration = deploymentConfigurationOf(input.deploymentConfiguration, "REPLICA");
  validatePlacement(input.placementConstraints, input.placementStrategy);
  const tags = validateTags(input.tags);
  const arn = serviceArn(ctx.principal, cluster.clusterName, name);
  const hash = fingerprint(input);
  const doc = await deps.lock(arn, async () => {
    const existing = await readService(deps, arn);
    if (existing?.status === "ACTIVE") {
      if (input.clientToken && existing.wharf.clientToken === input.clientToken && existing.wharf.requestHash === hash) return existing;
      throw invalidParameter("Creation of service was not idempotent.");
    }
    if (existing?.status === "DRAINING") throw invalidParameter("Unable to Start a service that is still Draining.");
    const now = deps.clock.now();
    const fresh = {
      serviceArn: arn,
      serviceName: name,
      clusterArn: cluster.clusterArn,
      loadBalancers: [],
      serviceRegistries: [],
      status: "ACTIVE",
      desiredCount: input.desiredCount!,
      deploymentConfiguration,
      ...(input.role ? { roleArn: input.role } : {}),
      events: [],
      createdAt: epochSeconds(now),
      placementConstraints: input.placementConstraints ?? [],
      placementStrategy: input.placementStrategy ?? [],
      ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "EXTERNAL" },
      createdBy: ctx.callerArn,
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: input.propagateTags ?? "NONE",
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      ...(input.availabilityZoneRebalancing ? { availabilityZoneRebalancing: input.availabilityZoneRebalancing } : {}),
      wharf: {
        deployments: [],
        taskSets: [],
        scheduler: emptyMemory(),
        ...(input.clientToken ? { clientToken: input.clientToken } : {}),
        requestHash: hash,
        history: [],
        taskDefinitionArn: "",
      },
    } as ServiceDoc;
    await deps.store.write([putOp(fresh), putTagsOp(arn, tags)]);
    return fresh;
  });
  notify(deps, doc);
  return { service: await renderService(deps.store, doc, true) };
}

/** UpdateService of an EXTERNAL service: the desired count and grace period (and deployment settings); the rest is its task sets'. */
async function updateExternalService(deps: EcsDeps, input: UpdateServiceRequest, current: ServiceDoc) {
  const refused: [keyof UpdateServiceRequest, string][] = [
    ["taskDefinition", "taskDefinition"],
    ["loadBalancers", "loadBalancers"],
    ["serviceRegistries", "serviceRegistries"],
    ["networkConfiguration", "networkConfiguration"],
    ["capacityProviderStrategy", "capacityProviderStrategy"],
    ["platformVersion", "platformVersion"],
  ];
  for (const [key, label] of refused) {
    if (input[key] !== undefined) {
      throw invalidParameter(`Updating ${label} is not supported for services using the EXTERNAL deployment controller: create a new task set instead.`);
    }
  }
  if (input.forceNewDeployment) throw invalidParameter("forceNewDeployment is not supported for services using the EXTERNAL deployment controller: create a new task set instead.");
  const deploymentConfiguration = deploymentConfigurationOf(input.deploymentConfiguration, "REPLICA", current.deploymentConfiguration);
  if (input.placementConstraints || input.placementStrategy) {
    validatePlacement(input.placementConstraints ?? current.placementConstraints, input.placementStrategy ?? current.placementStrategy);
  }
  const doc = await deps.lock(current.serviceArn, async () => {
    const base = await requireActive(deps, current.serviceArn);
    const now = deps.clock.now();
    const desiredCount = input.desiredCount ?? base.desiredCount;
    const next: ServiceDoc = {
      ...base,
      desiredCount,
      deploymentConfiguration,
      ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
      ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
      ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
      ...(input.enableECSManagedTags !== undefined ? { enableECSManagedTags: input.enableECSManagedTags } : {}),
      ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
      ...(input.propagateTags ? { propagateTags: input.propagateTags } : {}),
      ...(input.availabilityZoneRebalancing ? { availabilityZoneRebalancing: input.availabilityZoneRebalancing } : {}),
      wharf: {
        ...base.wharf,
        taskSets: (base.wharf.taskSets ?? []).map((t) => {
          const n = computedDesiredCount(desiredCount, t);
          return n === t.computedDesiredCount ? t : { ...t, computedDesiredCount: n, updatedAt: now };
        }),
      },
    };
    await deps.store.write([putOp(next)]);
    return next;
  });
  notify(deps, doc);
  return { service: await renderService(deps.store, doc, false) };
}

/**
 * Service Connect is not built: a configuration that turns it on is refused, never stored as if
 * it worked (one with `enabled: false` is kept, as ECS keeps it, and ListServicesByNamespace reads
 * its namespace). Service discovery through `serviceRegistries` is built (docs/servicediscovery.md).
 */
function refuseServiceConnect(c: { enabled?: boolean } | undefined): void {
  if (c?.enabled) {
    throw new AwsError(
      "UnsupportedFeatureException",
      "Service Connect is not implemented by Wharf yet: use serviceRegistries (Cloud Map DNS names), or set serviceConnectConfiguration.enabled to false.",
    );
  }
}
