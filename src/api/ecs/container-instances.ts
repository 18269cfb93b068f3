import type {
  DeregisterContainerInstanceRequest,
  DescribeContainerInstancesRequest,
  ListContainerInstancesRequest,
  RegisterContainerInstanceRequest,
  UpdateContainerInstancesStateRequest,
} from "@aws-sdk/client-ecs";
import { randomBytes } from "node:crypto";
import { containerInstanceArn, idInCluster, type Principal } from "../../core/arn.js";
import { clientException, invalidParameter } from "../../core/errors.js";
import { newTaskId } from "../../core/ids.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { compileQueryCached, type QueryTarget, targetFromInstance } from "../../core/query/index.js";
import { validateTags } from "../../core/tags.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { type ClusterDoc, requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { validateAttribute } from "../../core/attribute-rules.js";
import {
  type AttributeDoc,
  clusterInstances,
  clusterTasks,
  type InstanceDoc,
  type InstanceUsage,
  intResource,
  renderInstance,
  type ResourceDoc,
  setResource,
  usageByInstance,
} from "../../records/instance-doc.js";
import { putTagsOp } from "../../records/tag-store.js";
import { markDesiredStopped } from "./task-stop.js";

/**
 * Container instances: the hosts an agent registers into a cluster. Registration is
 * re-entrant: an agent restarting on the same host passes its `containerInstanceArn` and gets
 * the same instance back, with its tasks.
 */

/** An instance given by id or ARN → its ARN in this cluster, or undefined when the ARN is foreign. */
export function resolveInstanceArn(p: Principal, clusterName: string, ref: string): string | undefined {
  const id = idInCluster(p, ref, "container-instance", clusterName);
  return id === undefined ? undefined : containerInstanceArn(p, clusterName, id);
}

/** Reads an instance of the cluster (any status) or undefined. */
export async function readInstance(deps: EcsDeps, clusterArn: string, arn: string | undefined) {
  if (!arn) return undefined;
  const doc = (await deps.store.get<InstanceDoc>("container-instance", arn))?.value;
  return doc && doc.wharf.clusterArn === clusterArn ? doc : undefined;
}

interface IdentityDocument {
  instanceId?: string;
  availabilityZone?: string;
  region?: string;
  instanceType?: string;
  privateIp?: string;
  imageId?: string;
}

/**
 * The attributes ECS derives from a signed instance identity document, as it does at
 * registration: `ecs.availability-zone`, `ecs.instance-type`, `ecs.ami-id`.
 */
function identityAttributes(identity: IdentityDocument): AttributeDoc[] {
  const out: AttributeDoc[] = [];
  if (identity.availabilityZone) out.push({ name: "ecs.availability-zone", value: identity.availabilityZone });
  if (identity.instanceType) out.push({ name: "ecs.instance-type", value: identity.instanceType });
  if (identity.imageId) out.push({ name: "ecs.ami-id", value: identity.imageId });
  return out;
}

function parseIdentity(text: string | undefined): IdentityDocument {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw clientException("instanceIdentityDocument is not a valid JSON document.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw clientException("instanceIdentityDocument must be a JSON object.");
  }
  const doc = parsed as Record<string, unknown>;
  const str = (k: string) => (typeof doc[k] === "string" ? (doc[k] as string) : undefined);
  return {
    instanceId: str("instanceId"),
    availabilityZone: str("availabilityZone"),
    region: str("region"),
    instanceType: str("instanceType"),
    privateIp: str("privateIp"),
    imageId: str("imageId"),
  };
}

const newEc2InstanceId = () => `i-${randomBytes(9).toString("hex").slice(0, 17)}`;

/** totalResources → ECS's normalised registered resources (CPU, MEMORY, PORTS, PORTS_UDP, GPU…). */
function normaliseResources(input: RegisterContainerInstanceRequest["totalResources"]): ResourceDoc[] {
  const byName = new Map<string, ResourceDoc>();
  for (const r of input ?? []) {
    if (!r.name) throw invalidParameter("Each resource in totalResources needs a name.");
    const type = r.type ?? (r.stringSetValue ? "STRINGSET" : "INTEGER");
    if (type === "STRINGSET") {
      const values = r.stringSetValue ?? [];
      if ((r.name === "PORTS" || r.name === "PORTS_UDP") && values.some((v) => !/^\d{1,5}$/.test(v) || +v > 65535)) {
        throw invalidParameter(`Resource ${r.name} must list port numbers.`);
      }
      byName.set(r.name, setResource(r.name, [...new Set(values)]));
    } else {
      const v = r.integerValue ?? Number(r.longValue ?? r.doubleValue ?? 0);
      if (!Number.isFinite(v) || v < 0) throw invalidParameter(`Resource ${r.name} must not be negative.`);
      byName.set(r.name, { ...intResource(r.name, Math.floor(v)), type });
    }
  }
  for (const [name, make] of [
    ["CPU", () => intResource("CPU", 0)],
    ["MEMORY", () => intResource("MEMORY", 0)],
    ["PORTS", () => setResource("PORTS", [])],
    ["PORTS_UDP", () => setResource("PORTS_UDP", [])],
  ] as const) {
    if (!byName.has(name)) byName.set(name, make());
  }
  return [...byName.values()];
}

function mergeAttributes(old: AttributeDoc[], added: AttributeDoc[]): AttributeDoc[] {
  const byName = new Map(old.map((a) => [a.name, a]));
  for (const a of added) byName.set(a.name, a.value === undefined ? { name: a.name } : { name: a.name, value: a.value });
  return [...byName.values()];
}

export async function registerContainerInstance(deps: EcsDeps, input: RegisterContainerInstanceRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  return registerInstanceIn(deps, cluster, input, ctx, () => requireCluster(deps, input.cluster, ctx));
}

/**
 * Registers (or re-registers) an instance into `cluster` — a user's cluster, or the Fargate
 * pool's scope for managed capacity (`POST /_wharf/capacity/register`). `recheck` runs under
 * the cluster lock (the cluster must still exist).
 */
export async function registerInstanceIn(
  deps: EcsDeps,
  cluster: Pick<ClusterDoc, "clusterArn" | "clusterName">,
  input: RegisterContainerInstanceRequest,
  ctx: RequestContext,
  recheck: () => Promise<unknown>,
) {
  const identity = parseIdentity(input.instanceIdentityDocument);
  const resources = normaliseResources(input.totalResources);
  const given = (input.attributes ?? []).map((a) => {
    validateAttribute(a, false);
    return { name: a.name!, ...(a.value !== undefined ? { value: a.value } : {}) };
  });
  // What the identity document says wins over what the agent claims, as in ECS.
  const attributes = mergeAttributes(given, identityAttributes(identity));
  const tags = validateTags(input.tags);
  return deps.lock(cluster.clusterArn, async () => {
    await recheck();
    const clusterName = cluster.clusterName;
    const wanted = input.containerInstanceArn
      ? resolveInstanceArn(ctx.principal, clusterName, input.containerInstanceArn)
      : undefined;
    if (input.containerInstanceArn && !wanted) {
      throw invalidParameter(`containerInstanceArn '${input.containerInstanceArn}' does not name an instance of this cluster.`);
    }
    const existing = await readInstance(deps, cluster.clusterArn, wanted);
    const now = deps.clock.now();
    let doc: InstanceDoc;
    // An unknown or deregistered ARN registers a new instance: deregistration is final, as in ECS.
    if (existing && existing.status !== "INACTIVE") {
      doc = {
        ...existing,
        version: existing.version + 1,
        ec2InstanceId: identity.instanceId ?? existing.ec2InstanceId,
        versionInfo: { ...(input.versionInfo ?? existing.versionInfo) } as Record<string, string>,
        registeredResources: resources,
        attributes: mergeAttributes(existing.attributes, attributes),
        wharf: {
          ...existing.wharf,
          availabilityZone: identity.availabilityZone ?? existing.wharf.availabilityZone,
          privateIp: identity.privateIp ?? existing.wharf.privateIp,
        },
      };
    } else {
      const id = newTaskId();
      doc = {
        containerInstanceArn: containerInstanceArn(ctx.principal, clusterName, id),
        ec2InstanceId: identity.instanceId ?? newEc2InstanceId(),
        version: 1,
        versionInfo: { ...(input.versionInfo ?? {}) } as Record<string, string>,
        registeredResources: resources,
        status: "ACTIVE",
        attributes: mergeAttributes([], attributes),
        registeredAt: epochSeconds(now),
        attachments: [],
        wharf: {
          clusterArn: cluster.clusterArn,
          availabilityZone: identity.availabilityZone,
          privateIp: identity.privateIp,
          sort: `${String(now).padStart(15, "0")}-${id}`,
        },
      };
    }
    const ops: WriteOp[] = [putInstanceOp(doc)];
    if (!existing || input.tags) ops.push(putTagsOp(doc.containerInstanceArn, tags));
    await deps.store.write(ops);
    const usage = usageByInstance(await clusterTasks(deps.store, cluster.clusterArn)).get(doc.containerInstanceArn);
    return { containerInstance: await renderInstance(deps, doc, usage, false) };
  });
}

export const putInstanceOp = (doc: InstanceDoc): WriteOp => ({
  op: "put",
  kind: "container-instance",
  id: doc.containerInstanceArn,
  scope: doc.wharf.clusterArn,
  sort: doc.wharf.sort,
  value: doc,
});

export async function deregisterContainerInstance(
  deps: EcsDeps,
  input: DeregisterContainerInstanceRequest,
  ctx: RequestContext,
) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  return deps.lock(cluster.clusterArn, async () => {
    const arn = resolveInstanceArn(ctx.principal, cluster.clusterName, input.containerInstance ?? "");
    const doc = await readInstance(deps, cluster.clusterArn, arn);
    if (!doc) throw invalidParameter("The referenced container instance was not found.");
    const tasks = (await clusterTasks(deps.store, cluster.clusterArn)).filter(
      (t) => t.containerInstanceArn === doc.containerInstanceArn && t.lastStatus !== "STOPPED",
    );
    if (tasks.length > 0 && !input.force) throw invalidParameter("Found running tasks on the instance.");
    for (const t of tasks) {
      await markDesiredStopped(deps, t.taskArn, "Container instance deregistration forced by user", undefined);
    }
    const next: InstanceDoc = doc.status === "INACTIVE" ? doc : { ...doc, status: "INACTIVE", version: doc.version + 1 };
    await deps.store.write([putInstanceOp(next)]);
    deps.agents?.forget(doc.containerInstanceArn);
    const usage = usageByInstance(await clusterTasks(deps.store, cluster.clusterArn)).get(doc.containerInstanceArn);
    return { containerInstance: await renderInstance(deps, next, usage, false) };
  });
}

export async function describeContainerInstances(
  deps: EcsDeps,
  input: DescribeContainerInstancesRequest,
  ctx: RequestContext,
) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.containerInstances ?? [];
  if (refs.length === 0) throw invalidParameter("Container instances cannot be empty.");
  if (refs.length > 100) throw invalidParameter("containerInstances can have at most 100 items.");
  const withTags = (input.include ?? []).includes("TAGS");
  const usage = usageByInstance(await clusterTasks(deps.store, cluster.clusterArn));
  const containerInstances: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const arn = resolveInstanceArn(ctx.principal, cluster.clusterName, ref);
    const doc = await readInstance(deps, cluster.clusterArn, arn);
    if (!doc) failures.push({ arn: arn ?? ref, reason: "MISSING" });
    else containerInstances.push(await renderInstance(deps, doc, usage.get(doc.containerInstanceArn), withTags));
  }
  return { containerInstances, failures };
}

const LISTED_BY_DEFAULT = new Set(["ACTIVE", "DRAINING"]);

export async function listContainerInstances(deps: EcsDeps, input: ListContainerInstancesRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  // The cluster query language, as memberOf placement constraints use it; a bad expression is
  // InvalidParameterException naming where it broke.
  const query = input.filter !== undefined ? compileQueryCached(input.filter) : undefined;
  const size = pageSize(input.maxResults, 100);
  const rows = await deps.store.list<InstanceDoc>("container-instance", {
    scope: cluster.clusterArn,
    after: decodeToken(input.nextToken),
  });
  let wanted = rows.filter((r) =>
    input.status ? r.value.status === input.status : LISTED_BY_DEFAULT.has(r.value.status),
  );
  if (query) {
    const usage = usageByInstance(await clusterTasks(deps.store, cluster.clusterArn));
    wanted = wanted.filter(({ value: d }) => query.test(queryTarget(deps, d, usage.get(d.containerInstanceArn))));
  }
  const { items, nextToken } = page(wanted, size, (r) => r.value.wharf.sort);
  return { containerInstanceArns: items.map((r) => r.value.containerInstanceArn), ...(nextToken ? { nextToken } : {}) };
}

export async function updateContainerInstancesState(
  deps: EcsDeps,
  input: UpdateContainerInstancesStateRequest,
  ctx: RequestContext,
) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.containerInstances ?? [];
  if (refs.length > 10) throw invalidParameter("containerInstances can have at most 10 items.");
  if (input.status !== "ACTIVE" && input.status !== "DRAINING") {
    throw invalidParameter("Container instances status should be one of [ACTIVE,DRAINING]");
  }
  return deps.lock(cluster.clusterArn, async () => {
    const usage = usageByInstance(await clusterTasks(deps.store, cluster.clusterArn));
    const containerInstances: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of refs) {
      const arn = resolveInstanceArn(ctx.principal, cluster.clusterName, ref);
      const doc = await readInstance(deps, cluster.clusterArn, arn);
      if (!doc || doc.status === "INACTIVE") {
        failures.push({ arn: arn ?? ref, reason: "MISSING" });
        continue;
      }
      const next = doc.status === input.status ? doc : { ...doc, status: input.status!, version: doc.version + 1 };
      if (next !== doc) {
        await deps.store.write([putInstanceOp(next)]);
      }
      containerInstances.push(await renderInstance(deps, next, usage.get(doc.containerInstanceArn), false));
    }
    return { containerInstances, failures };
  });
}

/**
 * An instance as the query language reads it, with the numbers DescribeContainerInstances shows
 * (runningTasksCount counts RUNNING tasks; task:group covers every task not yet STOPPED).
 */
function queryTarget(deps: EcsDeps, d: InstanceDoc, usage: InstanceUsage | undefined): QueryTarget {
  return targetFromInstance({
    ec2InstanceId: d.ec2InstanceId,
    registeredAt: d.registeredAt,
    runningTasksCount: usage?.running ?? 0,
    agentConnected: d.status !== "INACTIVE" && (deps.agents?.connected(d.containerInstanceArn) ?? false),
    ...(d.versionInfo?.agentVersion !== undefined ? { agentVersion: d.versionInfo.agentVersion } : {}),
    attributes: Object.fromEntries(d.attributes.map((a) => [a.name, a.value ?? null])),
    taskGroups: usage?.groups ?? {},
  });
}

/** ACTIVE and DRAINING instances of a cluster, in registration order. */
export async function registeredInstances(deps: EcsDeps, clusterArn: string): Promise<InstanceDoc[]> {
  return (await clusterInstances(deps.store, clusterArn)).filter((d) => LISTED_BY_DEFAULT.has(d.status));
}

