import type { SubmitContainerStateChangeRequest, SubmitTaskStateChangeRequest } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../core/errors.js";
import { containerStatusRank, stopCodeForReason, taskStatusRank } from "../../core/task-status.js";
import { type HealthInput, taskHealthStatus } from "../../core/task-health.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { type ContainerDoc, resolveTaskArn, type TaskDoc } from "../../records/task-doc.js";
import { putTaskOp } from "./task-write.js";
import { releaseTaskEni, withEniStatus } from "./task-network.js";

/**
 * The agent's reports: SubmitTaskStateChange and SubmitContainerStateChange. Statuses only
 * move forward; a stale or repeated report (the agent retries until acknowledged) is
 * acknowledged and changes nothing.
 */

export interface ContainerReport {
  containerName?: string;
  runtimeId?: string;
  imageDigest?: string;
  status?: string;
  exitCode?: number;
  reason?: string;
  networkBindings?: Record<string, unknown>[];
  /** Wharf extensions (scripts/gen-models.py): the container's health and start time (epoch seconds). */
  healthStatus?: string;
  startedAt?: number;
}

export interface TaskReport {
  status?: string;
  reason?: string;
  containers?: ContainerReport[];
  /** Epoch seconds. */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
}

/** Applies one container report; returns the same object when nothing changes. */
export function applyContainerReport(c: ContainerDoc, r: ContainerReport): ContainerDoc {
  const next: ContainerDoc = { ...c };
  let changed = false;
  const set = <K extends keyof ContainerDoc>(k: K, v: ContainerDoc[K] | undefined) => {
    if (v !== undefined && JSON.stringify(next[k]) !== JSON.stringify(v)) {
      next[k] = v;
      changed = true;
    }
  };
  const forward = r.status !== undefined && containerStatusRank(r.status) > containerStatusRank(c.lastStatus);
  const sameOrForward = r.status === undefined || containerStatusRank(r.status) >= containerStatusRank(c.lastStatus);
  if (!sameOrForward) return c;
  if (forward) set("lastStatus", r.status);
  set("runtimeId", r.runtimeId);
  set("imageDigest", r.imageDigest);
  set("exitCode", r.exitCode);
  set("reason", r.reason);
  set("networkBindings", r.networkBindings);
  set("healthStatus", r.healthStatus);
  if (c.startedAt === undefined) set("startedAt", r.startedAt);
  return changed ? next : c;
}

/**
 * Applies a task report at time `now` (epoch seconds); returns the same object when nothing
 * changes. Timestamps are set on the transitions: startedAt/connectivityAt at RUNNING,
 * stoppingAt once past RUNNING, executionStoppedAt and stoppedAt at STOPPED. A task the agent
 * stops on its own gets desired STOPPED, its reason, and the stopCode the reason implies.
 */
export function applyTaskReport(t: TaskDoc, r: TaskReport, now: number): TaskDoc {
  let next: TaskDoc = t;
  const edit = (patch: Partial<TaskDoc>) => (next = { ...next, ...patch });
  const containers = t.containers.map((c) => {
    const rep = r.containers?.find((x) => x.containerName === c.name);
    return rep ? applyContainerReport(c, rep) : c;
  });
  if (containers.some((c, i) => c !== t.containers[i])) edit({ containers, healthStatus: taskHealth(t, containers) });
  if (r.pullStartedAt !== undefined && t.pullStartedAt === undefined) edit({ pullStartedAt: r.pullStartedAt });
  if (r.pullStoppedAt !== undefined && t.pullStoppedAt === undefined) edit({ pullStoppedAt: r.pullStoppedAt });
  const from = taskStatusRank(t.lastStatus);
  const to = r.status === undefined ? -1 : taskStatusRank(r.status);
  if (to > from) {
    edit({ lastStatus: r.status! });
    const running = taskStatusRank("RUNNING");
    if (to >= running && from < running && to < taskStatusRank("STOPPED")) {
      edit({ startedAt: t.startedAt ?? now, connectivity: "CONNECTED", connectivityAt: t.connectivityAt ?? now });
    }
    if (to > running) {
      // When the agent stopped the task itself, stopping began no later than the execution stopped.
      const began = r.executionStoppedAt !== undefined ? Math.min(now, r.executionStoppedAt) : now;
      const patch: Partial<TaskDoc> = { stoppingAt: next.stoppingAt ?? began };
      if (t.desiredStatus !== "STOPPED") {
        patch.desiredStatus = "STOPPED";
        if (r.reason && !t.stoppedReason) patch.stoppedReason = r.reason;
        const code = stopCodeForReason(r.reason);
        if (code && !t.stopCode) patch.stopCode = code;
      }
      edit(patch);
    }
    if (r.status === "STOPPED") {
      edit({
        executionStoppedAt: t.executionStoppedAt ?? r.executionStoppedAt ?? now,
        stoppedAt: now,
        ...(next.stoppedReason ? {} : r.reason ? { stoppedReason: r.reason } : {}),
        ...(next.stopCode ? {} : stopCodeForReason(r.reason) ? { stopCode: stopCodeForReason(r.reason) } : {}),
        containers: next.containers.map((c) => (c.lastStatus === "STOPPED" ? c : { ...c, lastStatus: "STOPPED" })),
      });
    }
  } else if (r.executionStoppedAt !== undefined && t.executionStoppedAt === undefined && to >= taskStatusRank("DEACTIVATING")) {
    edit({ executionStoppedAt: r.executionStoppedAt });
  }
  return next === t ? t : { ...next, version: t.version + 1 };
}

/** The task's healthStatus from its containers' (src/core/task-health.ts). */
const taskHealth = (t: TaskDoc, containers: ContainerDoc[]): string =>
  taskHealthStatus(
    ((t.wharf.taskDefinition as { containerDefinitions?: HealthInput[] }).containerDefinitions ?? []),
    new Map(containers.map((c) => [c.name, c.healthStatus])),
  );

const ACK = { acknowledgment: "ACK" };

async function report(deps: EcsDeps, clusterRef: string | undefined, taskRef: string | undefined, r: TaskReport, ctx: RequestContext) {
  const cluster = await requireCluster(deps, clusterRef, ctx);
  if (!taskRef) throw invalidParameter("task is required.");
  const arn = resolveTaskArn(ctx.principal, cluster.clusterName, taskRef);
  if (!arn) throw invalidParameter(`Invalid task '${taskRef}'.`);
  if (r.status !== undefined && taskStatusRank(r.status) < 0) throw invalidParameter(`Invalid task status '${r.status}'.`);
  for (const c of r.containers ?? []) {
    if (c.status !== undefined && containerStatusRank(c.status) < 0) throw invalidParameter(`Invalid container status '${c.status}'.`);
  }
  const outcome = await deps.lock(arn, async () => {
    const current = (await deps.store.get<TaskDoc>("task", arn))?.value;
    if (!current) return undefined;
    const next = withEniStatus(applyTaskReport(current, r, epochSeconds(deps.clock.now())));
    if (next !== current) await deps.store.write([putTaskOp(next)]);
    return { current, next };
  });
  if (outcome && outcome.next.lastStatus === "STOPPED" && outcome.current.lastStatus !== "STOPPED") await releaseTaskEni(deps, outcome.next);
  return ACK;
}

const seconds = (d: Date | number | undefined): number | undefined =>
  d === undefined ? undefined : typeof d === "number" ? d : d.getTime() / 1000;

export async function submitTaskStateChange(deps: EcsDeps, input: SubmitTaskStateChangeRequest, ctx: RequestContext) {
  return report(
    deps,
    input.cluster,
    input.task,
    {
      status: input.status,
      reason: input.reason,
      containers: input.containers as ContainerReport[] | undefined,
      pullStartedAt: seconds(input.pullStartedAt),
      pullStoppedAt: seconds(input.pullStoppedAt),
      executionStoppedAt: seconds(input.executionStoppedAt),
    },
    ctx,
  );
}

export async function submitContainerStateChange(deps: EcsDeps, input: SubmitContainerStateChangeRequest, ctx: RequestContext) {
  if (!input.containerName) throw invalidParameter("containerName is required.");
  return report(
    deps,
    input.cluster,
    input.task,
    {
      containers: [
        {
          containerName: input.containerName,
          runtimeId: input.runtimeId,
          status: input.status,
          exitCode: input.exitCode,
          reason: input.reason,
          networkBindings: input.networkBindings as Record<string, unknown>[] | undefined,
          ...wharfExtensions(input),
        },
      ],
    },
    ctx,
  );
}

/** The Wharf extension members of SubmitContainerStateChange (not in the SDK's types). */
function wharfExtensions(input: object): Pick<ContainerReport, "healthStatus" | "startedAt"> {
  const x = input as { healthStatus?: string; startedAt?: Date | number };
  return {
    ...(x.healthStatus !== undefined ? { healthStatus: x.healthStatus } : {}),
    ...(x.startedAt !== undefined ? { startedAt: seconds(x.startedAt) } : {}),
  };
}
