import { invalidParameter } from "../../core/errors.js";
import { chaosDraw, chooseShare, isLiveSpot, SPOT_INTERRUPTION } from "../../core/fargate/index.js";
import type { RequestContext } from "../../edge/service.js";
import type { InterruptInput, InterruptOutput } from "../../contracts/internal-routes.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { clusterTasks } from "../../records/instance-doc.js";
import { resolveTaskArn, type TaskDoc } from "../../records/task-doc.js";
import { markDesiredStopped } from "./task-stop.js";

/**
 * Reclaiming FARGATE_SPOT capacity. An interrupted task is told at once (desired STOPPED: the
 * agent sends SIGTERM, then SIGKILL after the container's stopTimeout, ECS's two-minute notice
 * at most), and shows `stopCode: SpotInterruption` with ECS's stoppedReason; services replace it.
 */

export async function interruptSpotTasks(deps: EcsDeps, input: InterruptInput, ctx: RequestContext): Promise<InterruptOutput> {
  const hasTasks = Array.isArray(input.tasks) && input.tasks.length > 0;
  if (hasTasks === (input.share !== undefined)) throw invalidParameter("Name either tasks or a share of the cluster's FARGATE_SPOT tasks.");
  if (input.share !== undefined && !(typeof input.share === "number" && input.share >= 0 && input.share <= 1)) {
    throw invalidParameter("share must be a number between 0 and 1.");
  }
  if (hasTasks && (input.tasks!.length > 100 || input.tasks!.some((t) => typeof t !== "string"))) {
    throw invalidParameter("tasks must be at most 100 task ids or ARNs.");
  }
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const tasks = await clusterTasks(deps.store, cluster.clusterArn);
  const failures: InterruptOutput["failures"] = [];
  let chosen: string[];
  if (hasTasks) {
    const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
    chosen = [];
    for (const ref of input.tasks!) {
      const arn = resolveTaskArn(ctx.principal, cluster.clusterName, ref);
      const t = arn ? byArn.get(arn) : undefined;
      if (!t) failures.push({ arn: ref, reason: "MISSING" });
      else if (!isLiveSpot(t)) failures.push({ arn: t.taskArn, reason: "NOT_A_RUNNING_FARGATE_SPOT_TASK" });
      else chosen.push(t.taskArn);
    }
  } else {
    chosen = chooseShare(tasks, input.share!, deps.random ?? Math.random);
  }
  const interrupted = await interrupt(deps, chosen);
  return { interrupted, failures };
}

async function interrupt(deps: EcsDeps, arns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arn of arns) {
    const doc = await markDesiredStopped(deps, arn, SPOT_INTERRUPTION.stoppedReason, SPOT_INTERRUPTION.stopCode);
    if (doc?.stopCode === SPOT_INTERRUPTION.stopCode) out.push(arn);
  }
  return out;
}

/**
 * Chaos mode (`wharf up --spot-interruptions-per-hour N`): every `intervalMs`, each live Spot task
 * of every cluster is interrupted with the probability of N interruptions per task-hour.
 * Level-triggered: each pass reads the tasks as stored now.
 */
export function startSpotChaos(
  deps: EcsDeps,
  o: { perHour: number; intervalMs?: number; log?: (line: Record<string, unknown>) => void },
): { stop(): void; tick(): Promise<string[]> } {
  const intervalMs = o.intervalMs ?? 5_000;
  const tick = async () => {
    const live = (await deps.store.list<TaskDoc>("task")).map((r) => r.value).filter(isLiveSpot);
    const arns = await interrupt(deps, chaosDraw(live, o.perHour, intervalMs, deps.random ?? Math.random));
    for (const taskArn of arns) o.log?.({ level: "info", msg: "spot chaos: interrupted a FARGATE_SPOT task", taskArn });
    return arns;
  };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    tick()
      .catch((err: Error) => o.log?.({ level: "error", msg: "spot chaos pass failed", error: err.message }))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}

