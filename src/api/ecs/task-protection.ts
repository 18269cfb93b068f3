import type { GetTaskProtectionRequest, UpdateTaskProtectionRequest } from "@aws-sdk/client-ecs";
import { serviceArn } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { resolveTaskArn, type TaskDoc } from "../../records/task-doc.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { putTaskOp } from "./task-write.js";

/*
 * Task scale-in protection (UpdateTaskProtection / GetTaskProtection; the agent's
 * `$ECS_AGENT_URI/task-protection/v1/state` calls the same functions). Protection lasts
 * `expiresInMinutes` (default 120, at most 2880) and only applies to service tasks; while it lasts,
 * the service scheduler neither scales the task in nor replaces it in a deployment
 * (src/core/service/reconcile.ts). Unknown tasks are failures `MISSING`; stopped tasks and tasks
 * outside a service are `TASK_NOT_VALID`, as ECS reports them.
 */

export const DEFAULT_PROTECTION_MINUTES = 120;
export const MAX_PROTECTION_MINUTES = 2880;

interface ProtectedTask {
  taskArn: string;
  protectionEnabled: boolean;
  expirationDate?: number;
}
interface Failure {
  arn: string;
  reason: string;
  detail?: string;
}

const render = (t: TaskDoc, now: number): ProtectedTask => {
  const p = t.wharf.protection;
  return p && p.expiresAt > now
    ? { taskArn: t.taskArn, protectionEnabled: true, expirationDate: epochSeconds(p.expiresAt) }
    : { taskArn: t.taskArn, protectionEnabled: false };
};

function refsOf(tasks: string[] | undefined): string[] {
  const refs = tasks ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > 10) throw invalidParameter("tasks can have at most 10 items.");
  return refs;
}

export async function updateTaskProtection(deps: EcsDeps, input: UpdateTaskProtectionRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = refsOf(input.tasks);
  const minutes = input.expiresInMinutes ?? DEFAULT_PROTECTION_MINUTES;
  if (input.protectionEnabled && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_PROTECTION_MINUTES)) {
    throw invalidParameter(`expiresInMinutes must be between 1 and ${MAX_PROTECTION_MINUTES}.`);
  }
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const arn = resolveTaskArn(ctx.principal, cluster.clusterName, ref);
    if (!arn) {
      failures.push({ arn: ref, reason: "MISSING" });
      continue;
    }
    const out = await deps.lock(arn, async (): Promise<ProtectedTask | Failure> => {
      const doc = (await deps.store.get<TaskDoc>("task", arn))?.value;
      if (!doc || doc.clusterArn !== cluster.clusterArn) return { arn, reason: "MISSING" };
      if (!doc.group?.startsWith("service:")) return { arn, reason: "TASK_NOT_VALID", detail: "Task protection is only supported for tasks that are part of a service." };
      if (doc.desiredStatus === "STOPPED" || doc.lastStatus === "STOPPED") return { arn, reason: "TASK_NOT_VALID", detail: "The task is stopped or stopping." };
      const now = deps.clock.now();
      const next: TaskDoc = { ...doc, wharf: { ...doc.wharf } };
      if (input.protectionEnabled) next.wharf.protection = { expiresAt: now + minutes * 60_000 };
      else delete next.wharf.protection;
      await deps.store.write([putTaskOp(next)]);
      // The scheduler may now scale in or replace what it was holding (or must hold it).
      if (doc.group && deps.onServiceChanged) {
        deps.onServiceChanged(serviceArn(ctx.principal, cluster.clusterName, doc.group.slice("service:".length)), cluster.clusterArn);
      }
      return render(next, now);
    });
    if ("reason" in out) failures.push(out);
    else protectedTasks.push(out);
  }
  return { protectedTasks, failures };
}

export async function getTaskProtection(deps: EcsDeps, input: GetTaskProtectionRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const refs = input.tasks?.length ? refsOf(input.tasks) : [];
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  const now = deps.clock.now();
  for (const ref of refs) {
    const arn = resolveTaskArn(ctx.principal, cluster.clusterName, ref);
    const doc = arn ? (await deps.store.get<TaskDoc>("task", arn))?.value : undefined;
    if (!doc || doc.clusterArn !== cluster.clusterArn) failures.push({ arn: arn ?? ref, reason: "MISSING" });
    else protectedTasks.push(render(doc, now));
  }
  return { protectedTasks, failures };
}
