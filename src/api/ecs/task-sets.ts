import type {
  CreateTaskSetRequest,
  DeleteTaskSetRequest,
  DescribeTaskSetsRequest,
  UpdateServicePrimaryTaskSetRequest,
  UpdateTaskSetRequest,
} from "@aws-sdk/client-ecs";
import { arnBase, clusterOfArn, type Principal } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { requestFingerprint } from "../../core/fingerprint.js";
import { newDeploymentId } from "../../core/ids.js";
import type { StrategyItem } from "../../core/fargate/index.js";
import { computedDesiredCount, type TaskSetState } from "../../core/service/task-sets.js";
import { validateTags } from "../../core/tags.js";
import type { RequestContext } from "../../edge/service.js";
import { isExternal, renderTaskSet, type ServiceDoc } from "../../records/service-doc.js";
import { putTagsOp, readTags } from "../../records/tag-store.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { resolveLaunch } from "./fargate-launch.js";
import { checkServiceRegistries } from "./service-registry-validate.js";
import { checkTargetGroups } from "./service-lb-validate.js";
import { validateClientToken, validateLoadBalancers, validateNetwork, validateServiceRegistries } from "./service-validate.js";
import { checkLaunch, readService, serviceArnOf, serviceNotActive, serviceNotFound } from "./services.js";
import { resolveTaskDefinition } from "./task-definitions.js";
import { resolveTaskNetwork } from "./task-network.js";

/**
 * CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet and UpdateServicePrimaryTaskSet:
 * the task set API of services with the EXTERNAL deployment controller. These record the task
 * sets on the service (`wharf.taskSets`); the service controller keeps each at its computed
 * count (src/core/service/task-sets.ts) and its tasks in its load balancer's target group.
 */

export const taskSetNotFound = () =>
  new AwsError(
    "TaskSetNotFoundException",
    "The specified task set wasn't found. You can view your available task sets with DescribeTaskSets. Task sets are specific to each cluster, service and Region.",
  );
const notExternal = () => invalidParameter("Amazon ECS only supports task set management on services configured to use external deployment controllers.");

/** `arn:…:task-set/CLUSTER/SERVICE/ecs-svc/ID`, as ECS names them. */
export const taskSetArn = (p: Principal, cluster: string, service: string, id: string) => `${arnBase(p)}:task-set/${cluster}/${service}/${id}`;

const putOp = (doc: ServiceDoc) =>
  ({ op: "put", kind: "service", id: doc.serviceArn, scope: doc.clusterArn, sort: doc.serviceName, value: doc }) as const;
const notify = (deps: EcsDeps, doc: ServiceDoc) => deps.onServiceChanged?.(doc.serviceArn, doc.clusterArn);

/** The service the request names, ACTIVE and EXTERNAL. */
async function externalService(deps: EcsDeps, input: { cluster?: string; service?: string }, ctx: RequestContext, active = true): Promise<ServiceDoc> {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const arn = serviceArnOf(ctx, cluster, input.service!);
  const doc = arn ? await readService(deps, arn) : undefined;
  if (!doc) throw serviceNotFound();
  if (active && doc.status !== "ACTIVE") throw serviceNotActive();
  if (!isExternal(doc)) throw notExternal();
  return doc;
}

/** A task set by id (`ecs-svc/…`) or ARN. */
const findSet = (doc: ServiceDoc, ref: string): TaskSetState | undefined =>
  (doc.wharf.taskSets ?? []).find((t) => t.id === ref || t.taskSetArn === ref);

/** Read-modify-write of one service's task sets under its lock. */
async function withService<T>(deps: EcsDeps, arn: string, change: (doc: ServiceDoc, now: number) => { doc: ServiceDoc; out: T } | Promise<{ doc: ServiceDoc; out: T }>): Promise<T> {
  const { doc, out, changed } = await deps.lock(arn, async () => {
    const base = await readService(deps, arn);
    if (!base) throw serviceNotFound();
    if (base.status !== "ACTIVE") throw serviceNotActive();
    const r = await change(base, deps.clock.now());
    const changed = r.doc !== base;
    if (changed) await deps.store.write([putOp(r.doc)]);
    return { ...r, changed };
  });
  if (changed) notify(deps, doc);
  return out;
}

function scaleOf(given: { unit?: string; value?: number } | undefined): TaskSetState["scale"] {
  const value = given?.value ?? 100;
  if (!Number.isFinite(value) || value < 0 || value > 100) throw invalidParameter("The scale value must be between 0 and 100 percent.");
  return { unit: "PERCENT", value };
}

export async function createTaskSet(deps: EcsDeps, input: CreateTaskSetRequest, ctx: RequestContext) {
  validateClientToken(input.clientToken);
  const svc = await externalService(deps, input, ctx);
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const lbs = input.loadBalancers ?? [];
  if (lbs.length > 1) throw invalidParameter("CreateTaskSet cannot have more than 1 load balancer.");
  const regs = input.serviceRegistries ?? [];
  const others = (svc.wharf.taskSets ?? []).filter((t) => t.status !== "DRAINING");
  const first = others[0];
  if (first && JSON.stringify(first.serviceRegistries.map((r) => r.registryArn)) !== JSON.stringify(regs.map((r) => r.registryArn))) {
    // The controller keeps one registry per service: task sets naming different ones are not built.
    throw new AwsError("UnsupportedFeatureException", "Wharf runs the task sets of a service with the same serviceRegistries only; this task set names different ones than the service's other task sets.");
  }
  const td = await resolveTaskDefinition(deps, input.taskDefinition!, ctx);
  const launch = resolveLaunch(input as { launchType?: string; capacityProviderStrategy?: StrategyItem[] }, cluster);
  checkLaunch(td, launch, { placementConstraints: svc.placementConstraints, placementStrategy: svc.placementStrategy, platformVersion: input.platformVersion });
  validateLoadBalancers(lbs, td);
  await checkTargetGroups(deps, lbs, td);
  validateServiceRegistries(regs, td);
  await checkServiceRegistries(deps, ctx.principal, regs, td);
  validateNetwork(input.networkConfiguration, td);
  if (input.networkConfiguration?.awsvpcConfiguration) await resolveTaskNetwork(deps, ctx, input.networkConfiguration.awsvpcConfiguration);
  const scale = scaleOf(input.scale);
  const tags = validateTags(input.tags);
  const { clientToken: _t, tags: _g, ...rest } = input;
  const hash = requestFingerprint(rest);

  const out = await withService<{ set: TaskSetState; fresh: boolean }>(deps, svc.serviceArn, (base, now) => {
    const sets = base.wharf.taskSets ?? [];
    if (input.clientToken) {
      const same = sets.find((t) => t.clientToken === input.clientToken);
      if (same && same.requestHash === hash) return { doc: base, out: { set: same, fresh: false } };
      if (same) throw invalidParameter("Creation of task set was not idempotent.");
    }
    const id = newDeploymentId();
    const ts: TaskSetState = {
      id,
      taskSetArn: taskSetArn(ctx.principal, clusterOfArn(base.clusterArn), base.serviceName, id),
      status: "ACTIVE",
      taskDefinition: td.taskDefinitionArn!,
      scale,
      computedDesiredCount: computedDesiredCount(base.desiredCount, { status: "ACTIVE", scale }),
      pendingCount: 0,
      runningCount: 0,
      stabilityStatus: "STABILIZING",
      stabilityStatusAt: now,
      createdAt: now,
      updatedAt: now,
      ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
      ...(input.clientToken ? { clientToken: input.clientToken } : {}),
      requestHash: hash,
      ...(launch.strategy ? { capacityProviderStrategy: launch.strategy } : { launchType: launch.launchType }),
      ...(launch.launchType === "FARGATE" || input.platformVersion ? { platformVersion: input.platformVersion ?? "LATEST" } : {}),
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      loadBalancers: lbs.map((l) => ({ ...l })),
      serviceRegistries: regs.map((r) => ({ ...r })),
    };
    return { doc: { ...base, wharf: { ...base.wharf, taskSets: [ts, ...sets] } }, out: { set: ts, fresh: true } };
  });
  if (out.fresh && tags.length) await deps.store.write([putTagsOp(out.set.taskSetArn, tags)]);
  return { taskSet: { ...renderTaskSet(svc, out.set), ...(tags.length ? { tags } : {}) } };
}

export async function describeTaskSets(deps: EcsDeps, input: DescribeTaskSetsRequest, ctx: RequestContext) {
  const doc = await externalService(deps, input, ctx, false);
  const withTags = (input.include ?? []).includes("TAGS");
  const sets = doc.status === "INACTIVE" ? [] : (doc.wharf.taskSets ?? []);
  const wanted = input.taskSets;
  const taskSets = [];
  const failures: { arn: string; reason: string }[] = [];
  const chosen: TaskSetState[] = [];
  if (wanted && wanted.length > 0) {
    for (const ref of wanted) {
      const ts = sets.find((t) => t.id === ref || t.taskSetArn === ref);
      if (ts) chosen.push(ts);
      else failures.push({ arn: ref, reason: "MISSING" });
    }
  } else chosen.push(...sets);
  for (const ts of chosen) {
    taskSets.push({ ...renderTaskSet(doc, ts), ...(withTags ? { tags: await readTags(deps.store, ts.taskSetArn) } : {}) });
  }
  return { taskSets, failures };
}

export async function updateTaskSet(deps: EcsDeps, input: UpdateTaskSetRequest, ctx: RequestContext) {
  const svc = await externalService(deps, input, ctx);
  const scale = scaleOf(input.scale);
  const set = await withService(deps, svc.serviceArn, (base, now) => {
    const found = findSet(base, input.taskSet!);
    if (!found) throw taskSetNotFound();
    if (found.status === "DRAINING") throw invalidParameter("The specified task set is DRAINING and cannot be updated.");
    const next: TaskSetState = { ...found, scale, computedDesiredCount: computedDesiredCount(base.desiredCount, { status: found.status, scale }), updatedAt: now };
    return { doc: replaceSet(base, next), out: next };
  });
  return { taskSet: renderTaskSet(svc, set) };
}

export async function deleteTaskSet(deps: EcsDeps, input: DeleteTaskSetRequest, ctx: RequestContext) {
  const svc = await externalService(deps, input, ctx);
  const set = await withService(deps, svc.serviceArn, (base, now) => {
    const found = findSet(base, input.taskSet!);
    if (!found) throw taskSetNotFound();
    if (found.status === "DRAINING") return { doc: base, out: found };
    if (!input.force && found.computedDesiredCount > 0) {
      throw invalidParameter("The task set cannot be deleted while it is scaled above 0. Scale it down to 0 percent first, or use force.");
    }
    const next: TaskSetState = { ...found, status: "DRAINING", computedDesiredCount: 0, stabilityStatus: "STABILIZING", stabilityStatusAt: now, updatedAt: now };
    return { doc: replaceSet(base, next), out: next };
  });
  return { taskSet: renderTaskSet(svc, set) };
}

export async function updateServicePrimaryTaskSet(deps: EcsDeps, input: UpdateServicePrimaryTaskSetRequest, ctx: RequestContext) {
  const svc = await externalService(deps, input, ctx);
  const set = await withService(deps, svc.serviceArn, (base, now) => {
    const found = findSet(base, input.primaryTaskSet!);
    if (!found) throw taskSetNotFound();
    if (found.status === "DRAINING") throw invalidParameter("The specified task set is DRAINING and cannot be made the primary task set.");
    if (found.status === "PRIMARY") return { doc: base, out: found };
    const next: TaskSetState = { ...found, status: "PRIMARY", updatedAt: now };
    const sets = (base.wharf.taskSets ?? []).map((t) => (t.id === next.id ? next : t.status === "PRIMARY" ? { ...t, status: "ACTIVE" as const, updatedAt: now } : t));
    return { doc: { ...base, wharf: { ...base.wharf, taskSets: sets } }, out: next };
  });
  return { taskSet: renderTaskSet(svc, set) };
}

const replaceSet = (doc: ServiceDoc, ts: TaskSetState): ServiceDoc => ({
  ...doc,
  wharf: { ...doc.wharf, taskSets: (doc.wharf.taskSets ?? []).map((t) => (t.id === ts.id ? ts : t)) },
});
