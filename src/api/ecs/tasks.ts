import type {
  DescribeTasksRequest,
  ListTasksRequest,
  RunTaskRequest,
  StartTaskRequest,
  StopTaskRequest,
} from "@aws-sdk/client-ecs";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { distributeTasks, type StrategyItem } from "../../core/fargate/index.js";
import { place, type PlacementFailure, type PlacementRequest, rejectionAt } from "../../core/placement/index.js";
import type { Tag } from "../../core/tags.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { type ClusterDoc, requireCluster } from "./clusters.js";
import { CAPACITY_PROVIDER_ATTRIBUTE } from "./capacity-providers.js";
import type { ClusterPlacement } from "./cluster-placement.js";
import { resolveInstanceArn } from "./container-instances.js";
import { checkFargateRequest, fargatePoolArn, type Launch, liveCounts, planFargateTasks, resolveLaunch } from "./fargate-launch.js";
import { clusterTasks } from "../../records/instance-doc.js";
import type { EcsDeps } from "./deps.js";
import { resolveTaskDefinition } from "./task-definitions.js";
import { renderTask, resolveTaskArn, type TaskDoc } from "../../records/task-doc.js";
import {
  checkCompatibility,
  checkStartedBy,
  type LaunchSpec,
  newTaskDoc,
  requestFingerprint,
  taskTags,
  validateOverrides,
} from "./task-launch.js";
import { markDesiredStopped } from "./task-stop.js";
import { putTagsOp } from "../../records/tag-store.js";
import { putTaskOp } from "./task-write.js";
import { commitTasksWithEnis, resolveTaskNetwork, type TaskNetwork, trunkingEnabled, validateTaskNetwork } from "./task-network.js";
import { clusterPlacement, NO_INSTANCES, placementRequest, prepareRunTask } from "./task-placement.js";

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

async function writeNewTasks(deps: EcsDeps, docs: TaskDoc[], tags: WriteOp[], extra: WriteOp[]): Promise<void> {
  if (docs.length === 0 && extra.length === 0) return;
  await deps.store.write([...docs.map(putTaskOp), ...tags, ...extra]);
}

export async function runTask(deps: EcsDeps, input: RunTaskRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const launch = resolveLaunch(input as { launchType?: string; capacityProviderStrategy?: StrategyItem[] }, cluster);
  const launchType = launch.launchType;
  if (input.clientToken !== undefined && (input.clientToken.length < 1 || input.clientToken.length > MAX_CLIENT_TOKEN)) {
    throw invalidParameter(`clientToken must be between 1 and ${MAX_CLIENT_TOKEN} characters.`);
  }
  const { td, vpc, request } = await prepareRunTask(deps, input, launchType, ctx);
  const fargate = launchType === "FARGATE" ? checkFargateRequest(td, input, launch) : undefined;
  checkStartedBy(input.startedBy);
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
    const tokenOp = (taskArns: string[], failures: PlacementFailure[]): WriteOp[] =>
      tokenId
        ? [
            {
              op: "put",
              kind: "client-token",
              id: tokenId,
              scope: cluster.clusterArn,
              value: { fingerprint, taskArns, failures, createdAt: deps.clock.now() } satisfies ClientTokenDoc,
            },
          ]
        : [];
    if (fargate) {
      const spec: LaunchSpec = {
        td,
        overrides: input.overrides,
        launchType,
        group: request.group,
        startedBy: input.startedBy,
        enableExecuteCommand: input.enableExecuteCommand,
        clientToken: input.clientToken,
        clusterArn: cluster.clusterArn,
        clusterName: cluster.clusterName,
        principal: ctx.principal,
      };
      const { docs, failures } = await launchFargate(deps, ctx, spec, request, vpc!, launch, fargate.platformVersion, tags, tokenOp);
      return { tasks: await Promise.all(docs.map((d) => renderTask(deps.store, d, false))), failures };
    }
    const trunking = vpc ? await trunkingEnabled(deps, ctx) : false;
    const placement = await clusterPlacement(deps, cluster.clusterArn);
    if (vpc) placement.useTrunking(trunking);
    const spec: LaunchSpec = {
      td,
      overrides: input.overrides,
      launchType,
      group: request.group,
      startedBy: input.startedBy,
      enableExecuteCommand: input.enableExecuteCommand,
      clientToken: input.clientToken,
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      principal: ctx.principal,
    };
    if (!launch.strategy) {
      // From here to hold() nothing awaits: the index and the held tasks move together.
      const { placements, failures, noActiveInstances } = place(request, placement.index, deps.random ?? Math.random);
      if (noActiveInstances) throw invalidParameter(NO_INSTANCES);
      const now = deps.clock.now();
      const planned = placements.map((p, i) => newTaskDoc(spec, placement.instances.get(p.instanceArn)!, now, i, p.gpuIds));
      const committed = await commitHeld(deps, ctx, placement, planned, vpc, tags, (final, more) =>
        tokenOp(final.map((d) => d.taskArn), [...failures, ...more]),
      );
      const all = [...failures, ...committed.failures];
      return { tasks: await Promise.all(committed.docs.map((d) => renderTask(deps.store, d, false))), failures: all };
    }
    // EC2-style capacity providers: the strategy splits the tasks, each provider's share is
    // placed on the instances of its group, one group after another (each sees the last held).
    const live = liveCounts(await clusterTasks(deps.store, cluster.clusterArn), request.group ?? "");
    const shares = new Map<string, number>();
    for (const p of distributeTasks(launch.strategy, request.count, live.byProvider)) shares.set(p, (shares.get(p) ?? 0) + 1);
    const docs: TaskDoc[] = [];
    const failures: PlacementFailure[] = [];
    for (const [provider, count] of shares) {
      const req = {
        ...request,
        count,
        requiresAttributes: [...(request.requiresAttributes ?? []), { name: CAPACITY_PROVIDER_ATTRIBUTE, value: provider }],
      };
      const result = place(req, placement.index, deps.random ?? Math.random);
      if (result.noActiveInstances) throw invalidParameter(NO_INSTANCES);
      failures.push(...result.failures);
      const now = deps.clock.now();
      const planned = result.placements.map((p, i) => ({
        ...newTaskDoc(spec, placement.instances.get(p.instanceArn)!, now, docs.length + i, p.gpuIds),
        capacityProviderName: provider,
      }));
      const committed = await commitHeld(deps, ctx, placement, planned, vpc, tags, () => []);
      docs.push(...committed.docs);
      failures.push(...committed.failures);
    }
    const token = tokenOp(docs.map((d) => d.taskArn), failures);
    if (token.length) await deps.store.write(token);
    return { tasks: await Promise.all(docs.map((d) => renderTask(deps.store, d, false))), failures };
  });
}

/**
 * Writes tasks placement has reserved: held in the cluster's placement state first (so the write
 * notification finds them counted), given back if the write fails (no address left, store error).
 */
async function commitHeld(
  deps: EcsDeps,
  ctx: RequestContext,
  placement: ClusterPlacement,
  planned: TaskDoc[],
  vpc: TaskNetwork | undefined,
  tags: Tag[],
  extra: (final: TaskDoc[], failures: PlacementFailure[]) => WriteOp[],
): Promise<{ docs: TaskDoc[]; failures: PlacementFailure[] }> {
  placement.hold(planned);
  try {
    const out = await commitTasksWithEnis(deps, ctx, planned, vpc, (final, eniOps, failures) =>
      writeNewTasks(deps, final, tags.length ? final.map((d) => putTagsOp(d.taskArn, tags)) : [], [...extra(final, failures), ...eniOps]),
    );
    const written = new Set(out.docs.map((d) => d.taskArn));
    const unwritten = planned.filter((d) => !written.has(d.taskArn));
    if (unwritten.length) placement.drop(unwritten);
    return out;
  } catch (err) {
    placement.drop(planned);
    throw err;
  }
}

/**
 * Places and writes Fargate tasks on the managed pool (under the pool's lock; the caller holds
 * the cluster's): each subnet's tasks get their ENI from that subnet first.
 */
async function launchFargate(
  deps: EcsDeps,
  ctx: RequestContext,
  spec: LaunchSpec,
  request: PlacementRequest,
  vpc: TaskNetwork,
  launch: Launch,
  platformVersion: string,
  tags: Tag[],
  tokenOp: (taskArns: string[], failures: PlacementFailure[]) => WriteOp[],
): Promise<{ docs: TaskDoc[]; failures: PlacementFailure[] }> {
  const live = liveCounts(await clusterTasks(deps.store, spec.clusterArn), request.group ?? "");
  const poolArn = fargatePoolArn(ctx);
  return deps.lock(poolArn, async () => {
    const placement = await clusterPlacement(deps, poolArn);
    const { docs: planned, failures } = planFargateTasks(
      { ctx, spec, request, vpc, launch, platformVersion, existingByProvider: live.byProvider, liveByZone: live.byZone, now: deps.clock.now(), random: deps.random ?? Math.random },
      placement.index,
      (arn) => placement.instances.get(arn)!,
    );
    const bySubnet = new Map<string, TaskDoc[]>();
    for (const d of planned) bySubnet.set(d.wharf.subnet!, [...(bySubnet.get(d.wharf.subnet!) ?? []), d]);
    const out: TaskDoc[] = [];
    const all = [...failures];
    for (const [subnet, group] of bySubnet) {
      const ordered = { ...vpc, subnets: [subnet, ...vpc.subnets.filter((s) => s !== subnet)] };
      const committed = await commitHeld(deps, ctx, placement, group, ordered, tags, () => []);
      out.push(...committed.docs);
      all.push(...committed.failures);
    }
    const token = tokenOp(out.map((d) => d.taskArn), all);
    if (token.length) await deps.store.write(token);
    return { docs: out, failures: all };
  });
}

/**
 * StartTask: the caller names the instances; each is checked with RunTask's filters (status,
 * agent, requiresAttributes, resources, the definition's constraints) and the first that
 * refuses it is reported for it, as RunTask reports failures.
 */
export async function startTask(deps: EcsDeps, input: StartTaskRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 10) throw invalidParameter("containerInstances must list between 1 and 10 instances.");
  const td = await resolveTaskDefinition(deps, input.taskDefinition ?? "", ctx);
  checkCompatibility(td, "EC2");
  validateOverrides(td, input.overrides);
  const shape = validateTaskNetwork(td, input.networkConfiguration, "EC2");
  const vpc = shape ? await resolveTaskNetwork(deps, ctx, shape) : undefined;
  const request = placementRequest(td, { count: 1, group: input.group, overrides: input.overrides });
  checkStartedBy(input.startedBy);
  const tags = await taskTags(deps.store, td, input, cluster.clusterName);
  return deps.lock(cluster.clusterArn, async () => {
    await requireCluster(deps, input.cluster, ctx);
    const trunking = vpc ? await trunkingEnabled(deps, ctx) : false;
    const placement = await clusterPlacement(deps, cluster.clusterArn);
    if (vpc) placement.useTrunking(trunking);
    const spec: LaunchSpec = {
      td,
      overrides: input.overrides,
      launchType: "EC2",
      group: request.group,
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
      const inst = arn ? placement.instances.get(arn) : undefined;
      const slot = arn ? placement.index.slotOf(arn) : undefined;
      if (!inst || slot === undefined) {
        failures.push({ arn: arn ?? ref, reason: "MISSING" });
        continue;
      }
      const refused = rejectionAt(request, placement.index, slot);
      if (refused) {
        failures.push(refused);
        continue;
      }
      const gpuIds = placement.index.reserve(slot, request.task, request.group);
      docs.push(newTaskDoc(spec, inst, now, docs.length, gpuIds));
    }
    const final = await commitHeld(deps, ctx, placement, docs, vpc, tags, () => []);
    failures.push(...final.failures);
    return { tasks: await Promise.all(final.docs.map((d) => renderTask(deps.store, d, false))), failures };
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
