import type {
  DescribeTasksRequest,
  ListTasksRequest,
  RunTaskRequest,
  StartTaskRequest,
  StopTaskRequest,
} from "@aws-sdk/client-ecs";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { misfit, placeFirstFit, type PlacementFailure, reserve } from "../../core/placement/first-fit.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { type ClusterDoc, requireCluster } from "./clusters.js";
import { readInstance, registeredInstances, resolveInstanceArn } from "./container-instances.js";
import type { EcsDeps } from "./deps.js";
import { clusterTasks, type InstanceDoc, placementSnapshot, usageByInstance } from "./instance-doc.js";
import { resolveTaskDefinition } from "./task-definitions.js";
import { renderTask, resolveTaskArn, type TaskDoc } from "./task-doc.js";
import {
  checkCompatibility,
  type LaunchSpec,
  needsOf,
  newTaskDoc,
  requestFingerprint,
  taskTags,
  validateOverrides,
} from "./task-launch.js";
import { markDesiredStopped } from "./task-stop.js";
import { putTagsOp } from "./tag-store.js";
import { putTaskOp } from "./task-write.js";
import { commitTasksWithEnis, trunkingEnabled, validateTaskNetwork, withEniRoom } from "./task-network.js";

/**
 * RunTask, StartTask, StopTask, DescribeTasks and ListTasks. Tasks are records the agents
 * act on: the API writes the desired state, the instance's agent hears of it through the
 * agent channel and reports back through SubmitTaskStateChange.
 */

/** Default stoppedReason of StopTask without `reason`. */
export const USER_STOP_REASON = "Task stopped by user";
const MAX_CLIENT_TOKEN = 64;

interface ClientTokenDoc {
  fingerprint: string;
  taskArns: string[];
  failures: PlacementFailure[];
  createdAt: number;
}

function launchTypeOf(input: RunTaskRequest, cluster: ClusterDoc): string {
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter("Specifying both a launch type and capacity provider strategy is not supported.");
  }
  const viaProviders =
    input.launchType === undefined &&
    ((input.capacityProviderStrategy?.length ?? 0) > 0 || (cluster.defaultCapacityProviderStrategy?.length ?? 0) > 0);
  const lt = viaProviders ? "FARGATE" : (input.launchType ?? "EC2");
  if (lt === "FARGATE") {
    throw invalidParameter("The FARGATE launch type (and FARGATE capacity providers) are not supported yet by Wharf; use EC2 or EXTERNAL.");
  }
  if (lt !== "EC2" && lt !== "EXTERNAL") throw invalidParameter(`Launch type ${lt} is not supported.`);
  return lt;
}

async function writeNewTasks(deps: EcsDeps, docs: TaskDoc[], tags: WriteOp[], extra: WriteOp[]): Promise<void> {
  if (docs.length === 0 && extra.length === 0) return;
  await deps.store.write([...docs.map(putTaskOp), ...tags, ...extra]);
  for (const arn of new Set(docs.map((d) => d.containerInstanceArn!))) deps.agents?.bump(arn);
}

export async function runTask(deps: EcsDeps, input: RunTaskRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const launchType = launchTypeOf(input, cluster);
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter("count must be between 1 and 10.");
  if (input.clientToken !== undefined && (input.clientToken.length < 1 || input.clientToken.length > MAX_CLIENT_TOKEN)) {
    throw invalidParameter(`clientToken must be between 1 and ${MAX_CLIENT_TOKEN} characters.`);
  }
  if (input.placementConstraints?.length || input.placementStrategy?.length) {
    throw invalidParameter("placementConstraints and placementStrategy are not supported yet by Wharf.");
  }
  const td = await resolveTaskDefinition(deps, input.taskDefinition ?? "", ctx);
  checkCompatibility(td, launchType);
  validateOverrides(td, input.overrides);
  const vpc = validateTaskNetwork(td, input.networkConfiguration, launchType);
  const tags = await taskTags(deps.store, td, input, cluster.clusterName);
  const fingerprint = requestFingerprint(input);
  const tokenId = input.clientToken ? `${cluster.clusterArn}|${input.clientToken}` : undefined;

  return deps.lock(cluster.clusterArn, async () => {
    await requireCluster(deps, input.cluster, ctx);
    if (tokenId) {
      const seen = (await deps.store.get<ClientTokenDoc>("client-token", tokenId))?.value;
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw new AwsError(
            "ConflictException",
            "The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.",
          );
        }
        return { tasks: await renderArns(deps, seen.taskArns), failures: seen.failures };
      }
    }
    const instances = await registeredInstances(deps, cluster.clusterArn);
    if (!instances.some((i) => i.status === "ACTIVE")) {
      throw invalidParameter("No Container Instances were found in your cluster.");
    }
    const clusterTaskDocs = await clusterTasks(deps.store, cluster.clusterArn);
    const usage = usageByInstance(clusterTaskDocs);
    let snapshots = instances.map((i) => placementSnapshot(deps, i, usage.get(i.containerInstanceArn)));
    if (vpc) snapshots = withEniRoom(snapshots, instances, clusterTaskDocs, await trunkingEnabled(deps, ctx));
    const { placements, failures } = placeFirstFit(snapshots, needsOf(td, input.overrides), count);
    const byArn = new Map(instances.map((i) => [i.containerInstanceArn, i]));
    const spec: LaunchSpec = {
      td,
      overrides: input.overrides,
      launchType,
      group: input.group,
      startedBy: input.startedBy,
      enableExecuteCommand: input.enableExecuteCommand,
      clientToken: input.clientToken,
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      principal: ctx.principal,
    };
    const now = deps.clock.now();
    const planned = placements.map((arn, i) => newTaskDoc(spec, byArn.get(arn)!, now, i));
    const extra: WriteOp[] = tokenId
      ? [
          {
            op: "put",
            kind: "client-token",
            id: tokenId,
            scope: cluster.clusterArn,
            value: { fingerprint, taskArns: planned.map((d) => d.taskArn), failures, createdAt: now } satisfies ClientTokenDoc,
          },
        ]
      : [];
    const docs = await commitTasksWithEnis(deps, ctx, planned, vpc, (final, subnetOps) =>
      writeNewTasks(deps, final, tags.length ? final.map((d) => putTagsOp(d.taskArn, tags)) : [], [...extra, ...subnetOps]),
    );
    return { tasks: await Promise.all(docs.map((d) => renderTask(deps.store, d, false))), failures };
  });
}

export async function startTask(deps: EcsDeps, input: StartTaskRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 10) throw invalidParameter("containerInstances must list between 1 and 10 instances.");
  const td = await resolveTaskDefinition(deps, input.taskDefinition ?? "", ctx);
  checkCompatibility(td, "EC2");
  validateOverrides(td, input.overrides);
  const vpc = validateTaskNetwork(td, input.networkConfiguration, "EC2");
  const tags = await taskTags(deps.store, td, input, cluster.clusterName);
  const needs = needsOf(td, input.overrides);
  return deps.lock(cluster.clusterArn, async () => {
    await requireCluster(deps, input.cluster, ctx);
    const clusterTaskDocs = await clusterTasks(deps.store, cluster.clusterArn);
    const usage = usageByInstance(clusterTaskDocs);
    const trunking = vpc ? await trunkingEnabled(deps, ctx) : false;
    const snapshots = new Map<string, ReturnType<typeof placementSnapshot>>();
    const spec: LaunchSpec = {
      td,
      overrides: input.overrides,
      launchType: "EC2",
      group: input.group,
      startedBy: input.startedBy,
      enableExecuteCommand: input.enableExecuteCommand,
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      principal: ctx.principal,
    };
    const now = deps.clock.now();
    const docs: TaskDoc[] = [];
    const failures: PlacementFailure[] = [];
    for (const ref of refs) {
      const arn = resolveInstanceArn(ctx.principal, cluster.clusterName, ref);
      const inst: InstanceDoc | undefined = await readInstance(deps, cluster.clusterArn, arn);
      if (!inst || inst.status === "INACTIVE") {
        failures.push({ arn: arn ?? ref, reason: "MISSING" });
        continue;
      }
      let snap = snapshots.get(inst.containerInstanceArn) ?? placementSnapshot(deps, inst, usage.get(inst.containerInstanceArn));
      if (vpc && !snapshots.has(inst.containerInstanceArn)) snap = withEniRoom([snap], [inst], clusterTaskDocs, trunking)[0]!;
      const why = misfit(snap, needs);
      if (why) {
        failures.push({ arn: inst.containerInstanceArn, reason: why });
        continue;
      }
      snapshots.set(inst.containerInstanceArn, reserve(snap, needs));
      docs.push(newTaskDoc(spec, inst, now, docs.length));
    }
    const final = await commitTasksWithEnis(deps, ctx, docs, vpc, (out, subnetOps) =>
      writeNewTasks(deps, out, tags.length ? out.map((d) => putTagsOp(d.taskArn, tags)) : [], subnetOps),
    );
    return { tasks: await Promise.all(final.map((d) => renderTask(deps.store, d, false))), failures };
  });
}

export async function stopTask(deps: EcsDeps, input: StopTaskRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  if (input.reason !== undefined && input.reason.length > 255) {
    throw invalidParameter("reason can be at most 255 characters.");
  }
  const arn = resolveTaskArn(ctx.principal, cluster.clusterName, input.task ?? "");
  const doc = arn ? await markDesiredStopped(deps, arn, input.reason ?? USER_STOP_REASON, "UserInitiated") : undefined;
  if (!doc) throw invalidParameter("The referenced task was not found.");
  return { task: await renderTask(deps.store, doc, false) };
}

async function renderArns(deps: EcsDeps, arns: string[]) {
  const out: Record<string, unknown>[] = [];
  for (const arn of arns) {
    const doc = (await deps.store.get<TaskDoc>("task", arn))?.value;
    if (doc) out.push(await renderTask(deps.store, doc, false));
  }
  return out;
}

export async function describeTasks(deps: EcsDeps, input: DescribeTasksRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.tasks ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > 100) throw invalidParameter("tasks can have at most 100 items.");
  const withTags = (input.include ?? []).includes("TAGS");
  const tasks: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const arn = resolveTaskArn(ctx.principal, cluster.clusterName, ref);
    const doc = arn ? (await deps.store.get<TaskDoc>("task", arn))?.value : undefined;
    if (!doc || doc.clusterArn !== cluster.clusterArn) failures.push({ arn: arn ?? ref, reason: "MISSING" });
    else tasks.push(await renderTask(deps.store, doc, withTags));
  }
  return { tasks, failures };
}

export async function listTasks(deps: EcsDeps, input: ListTasksRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const size = pageSize(input.maxResults, 100);
  const desired = input.desiredStatus ?? "RUNNING";
  const instanceArn = input.containerInstance
    ? (resolveInstanceArn(ctx.principal, cluster.clusterName, input.containerInstance) ?? "(none)")
    : undefined;
  const rows = await deps.store.list<TaskDoc>("task", { scope: cluster.clusterArn, after: decodeToken(input.nextToken) });
  const wanted = rows.filter(({ value: t }) => {
    if (t.desiredStatus !== desired) return false;
    if (instanceArn !== undefined && t.containerInstanceArn !== instanceArn) return false;
    if (input.family !== undefined && t.wharf.family !== input.family) return false;
    if (input.startedBy !== undefined && t.startedBy !== input.startedBy) return false;
    if (input.serviceName !== undefined && t.group !== `service:${input.serviceName}`) return false;
    if (input.launchType !== undefined && t.launchType !== input.launchType) return false;
    return true;
  });
  const { items, nextToken } = page(wanted, size, (r) => r.value.wharf.sort);
  return { taskArns: items.map((r) => r.value.taskArn), ...(nextToken ? { nextToken } : {}) };
}
