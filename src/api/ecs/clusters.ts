import type {
  Cluster,
  CreateClusterRequest,
  DeleteClusterRequest,
  DescribeClustersRequest,
  ListClustersRequest,
  PutClusterCapacityProvidersRequest,
  UpdateClusterRequest,
  UpdateClusterSettingsRequest,
} from "@aws-sdk/client-ecs";
import { clusterArn, clusterNameIn, lastSegment } from "../../core/arn.js";
import { FARGATE_PROVIDERS } from "../../core/fargate/index.js";
import { AwsError, clusterNotFound, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { validateTags } from "../../core/tags.js";
import type { RequestContext } from "../../edge/service.js";
import { findCapacityProvider } from "./capacity-providers.js";
import type { EcsDeps } from "./deps.js";
import { clusterUsage } from "./cluster-usage.js";
import { putTagsOp, readTags } from "../../records/tag-store.js";

/** A cluster as stored: the ECS shape minus computed counts and tags. */
export type ClusterDoc = Omit<Cluster, "tags" | "statistics"> & { clusterArn: string; clusterName: string; status: string };

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
/** ECS's refusal of a strategy that mixes Fargate and Auto Scaling group providers. */
export const MIXED_PROVIDERS =
  "The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.";

/** Reads an ACTIVE cluster by name or ARN, or throws ClusterNotFoundException. */
export async function requireCluster(deps: EcsDeps, ref: string | undefined, ctx: RequestContext): Promise<ClusterDoc> {
  const name = clusterNameIn(ctx.principal, ref);
  if (name === undefined) throw clusterNotFound();
  const doc = (await deps.store.get<ClusterDoc>("cluster", clusterArn(ctx.principal, name)))?.value;
  if (!doc || doc.status !== "ACTIVE") throw clusterNotFound();
  return doc;
}

export async function createCluster(deps: EcsDeps, input: CreateClusterRequest, ctx: RequestContext) {
  const name = input.clusterName ?? "default";
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      "Cluster name can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.",
    );
  }
  const tags = validateTags(input.tags);
  const arn = clusterArn(ctx.principal, name);
  const providers = await validateCapacityProviders(deps, ctx, input.capacityProviders ?? [], input.defaultCapacityProviderStrategy ?? []);
  return deps.lock(arn, async () => {
    const existing = (await deps.store.get<ClusterDoc>("cluster", arn))?.value;
    if (existing && existing.status === "ACTIVE") return { cluster: await render(deps, existing, ALL_INCLUDES) };
    const doc: ClusterDoc = {
      clusterArn: arn,
      clusterName: name,
      status: "ACTIVE",
      settings: input.settings ?? [{ name: "containerInsights", value: "disabled" }],
      capacityProviders: providers.names,
      defaultCapacityProviderStrategy: providers.strategy,
      ...(input.configuration ? { configuration: input.configuration } : {}),
      ...(input.serviceConnectDefaults ? { serviceConnectDefaults: input.serviceConnectDefaults } : {}),
    };
    await deps.store.write([{ op: "put", kind: "cluster", id: arn, sort: name, value: doc }, putTagsOp(arn, tags)]);
    return { cluster: await render(deps, doc, ALL_INCLUDES) };
  });
}

const ALL_INCLUDES = new Set(["SETTINGS", "TAGS", "CONFIGURATIONS", "STATISTICS", "ATTACHMENTS"]);

export async function describeClusters(deps: EcsDeps, input: DescribeClustersRequest, ctx: RequestContext) {
  const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ["default"];
  if (refs.length > 100) throw invalidParameter("clusters can have at most 100 items.");
  const include = new Set<string>(input.include ?? []);
  const clusters: Cluster[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const name = clusterNameIn(ctx.principal, ref);
    if (name === undefined) {
      failures.push({ arn: ref, reason: "MISSING" });
      continue;
    }
    const arn = clusterArn(ctx.principal, name);
    const doc = (await deps.store.get<ClusterDoc>("cluster", arn))?.value;
    if (!doc) failures.push({ arn, reason: "MISSING" });
    else clusters.push(await render(deps, doc, include));
  }
  return { clusters, failures };
}

export async function listClusters(deps: EcsDeps, input: ListClustersRequest, _ctx: RequestContext) {
  const size = pageSize(input.maxResults, 100);
  const rows = await deps.store.list<ClusterDoc>("cluster", { after: decodeToken(input.nextToken) });
  const active = rows.filter((r) => r.value.status === "ACTIVE");
  const { items, nextToken } = page(active, size, (r) => r.value.clusterName);
  return { clusterArns: items.map((r) => r.value.clusterArn), ...(nextToken ? { nextToken } : {}) };
}

export async function updateCluster(deps: EcsDeps, input: UpdateClusterRequest, ctx: RequestContext) {
  return mutate(deps, input.cluster, ctx, (doc) => ({
    ...doc,
    ...(input.settings ? { settings: mergeSettings(doc.settings ?? [], input.settings) } : {}),
    ...(input.configuration ? { configuration: input.configuration } : {}),
    ...(input.serviceConnectDefaults ? { serviceConnectDefaults: input.serviceConnectDefaults } : {}),
  }));
}

export async function updateClusterSettings(deps: EcsDeps, input: UpdateClusterSettingsRequest, ctx: RequestContext) {
  return mutate(deps, input.cluster, ctx, (doc) => ({
    ...doc,
    settings: mergeSettings(doc.settings ?? [], input.settings ?? []),
  }));
}

export async function putClusterCapacityProviders(
  deps: EcsDeps,
  input: PutClusterCapacityProvidersRequest,
  ctx: RequestContext,
) {
  const providers = await validateCapacityProviders(deps, ctx, input.capacityProviders ?? [], input.defaultCapacityProviderStrategy ?? []);
  return mutate(deps, input.cluster, ctx, (doc) => ({
    ...doc,
    capacityProviders: providers.names,
    defaultCapacityProviderStrategy: providers.strategy,
  }));
}

export async function deleteCluster(deps: EcsDeps, input: DeleteClusterRequest, ctx: RequestContext) {
  const doc = await requireCluster(deps, input.cluster, ctx);
  return deps.lock(doc.clusterArn, async () => {
    const usage = await clusterUsage(deps, doc.clusterArn);
    if (usage.activeServicesCount > 0 || usage.drainingServicesCount > 0) {
      throw new AwsError(
        "ClusterContainsServicesException",
        "The Cluster cannot be deleted while Services are active.",
      );
    }
    if (usage.registeredContainerInstancesCount > 0) {
      throw new AwsError(
        "ClusterContainsContainerInstancesException",
        "The Cluster cannot be deleted while Container Instances are active or draining.",
      );
    }
    if (usage.runningTasksCount + usage.pendingTasksCount > 0) {
      throw new AwsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
    }
    const deleted: ClusterDoc = { ...doc, status: "INACTIVE" };
    await deps.store.write([{ op: "put", kind: "cluster", id: doc.clusterArn, sort: doc.clusterName, value: deleted }]);
    return { cluster: await render(deps, deleted, new Set()) };
  });
}

async function mutate(
  deps: EcsDeps,
  ref: string | undefined,
  ctx: RequestContext,
  change: (doc: ClusterDoc) => ClusterDoc,
) {
  const current = await requireCluster(deps, ref, ctx);
  return deps.lock(current.clusterArn, async () => {
    const doc = await requireCluster(deps, ref, ctx);
    const next = change(doc);
    await deps.store.write([{ op: "put", kind: "cluster", id: doc.clusterArn, sort: doc.clusterName, value: next }]);
    return { cluster: await render(deps, next, ALL_INCLUDES) };
  });
}

function mergeSettings(
  old: NonNullable<Cluster["settings"]>,
  updates: NonNullable<Cluster["settings"]>,
): NonNullable<Cluster["settings"]> {
  const byName = new Map(old.map((s) => [s.name, s]));
  for (const s of updates) {
    // The name is the model's enum (containerInsights), checked by the edge.
    if (!["enabled", "disabled", "enhanced"].includes(s.value ?? "")) {
      throw invalidParameter("containerInsights must be one of: enabled, disabled, enhanced.");
    }
    byName.set(s.name, s);
  }
  return [...byName.values()];
}

/**
 * The cluster's providers (FARGATE, FARGATE_SPOT, or ACTIVE providers of the account, by name or
 * ARN; stored by name) and its default strategy, which may name only those.
 */
async function validateCapacityProviders(
  deps: EcsDeps,
  ctx: RequestContext,
  providers: string[],
  strategy: NonNullable<CreateClusterRequest["defaultCapacityProviderStrategy"]>,
): Promise<{ names: string[]; strategy: NonNullable<CreateClusterRequest["defaultCapacityProviderStrategy"]> }> {
  const names: string[] = [];
  for (const p of providers) {
    const found = await findCapacityProvider(deps, p, ctx);
    if (!found || found.status !== "ACTIVE") {
      throw invalidParameter(`The specified capacity provider '${p}' does not exist. Specify a valid name or ARN and try again.`);
    }
    names.push(found.name);
  }
  if (new Set(names).size !== names.length) throw invalidParameter("Capacity providers must be unique.");
  const items = strategy.map((item) => ({ ...item, capacityProvider: lastSegment(item.capacityProvider ?? "") }));
  for (const item of items) {
    if (!names.includes(item.capacityProvider)) {
      throw invalidParameter(
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
      );
    }
    // weight 0–1000 and base 0–100000 are the model's: the edge checks them.
  }
  if (items.filter((s) => (s.base ?? 0) > 0).length > 1) {
    throw invalidParameter("Only one capacity provider in a strategy can have a base defined.");
  }
  const fargate = items.filter((s) => FARGATE_PROVIDERS.has(s.capacityProvider)).length;
  if (fargate > 0 && fargate < items.length) throw invalidParameter(MIXED_PROVIDERS);
  return { names, strategy: items.map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight ?? 0, base: s.base ?? 0 })) };
}

async function render(deps: EcsDeps, doc: ClusterDoc, include: Set<string>): Promise<Cluster> {
  const usage = await clusterUsage(deps, doc.clusterArn);
  const { settings, configuration, attachments, ...rest } = doc;
  const out: Cluster = {
    ...rest,
    registeredContainerInstancesCount: usage.registeredContainerInstancesCount,
    runningTasksCount: usage.runningTasksCount,
    pendingTasksCount: usage.pendingTasksCount,
    activeServicesCount: usage.activeServicesCount,
    statistics: include.has("STATISTICS") ? usage.statistics : [],
    tags: include.has("TAGS") ? await readTags(deps.store, doc.clusterArn) : [],
  };
  if (include.has("SETTINGS")) out.settings = settings;
  if (include.has("CONFIGURATIONS") && configuration) out.configuration = configuration;
  if (include.has("ATTACHMENTS")) out.attachments = attachments ?? [];
  return out;
}
