import { ClusterIndex } from "./cluster-index.js";
import { explainPlan } from "./explain.js";
import { STATUS_REASON } from "./filters/index.js";
import { firstRejection, planRequest, type Plan } from "./plan.js";
import type {
  InstanceSnapshot,
  Placement,
  PlacementFailure,
  PlacementRequest,
  PlacementResult,
  PlaceOptions,
} from "./types.js";

/**
 * Places `request.count` tasks on the cluster: filters (each recording why it rejects an
 * instance), then rankers in order, then the seeded random draw among exact ties. Pure: no I/O,
 * no clock; `random` is the only source of chance.
 *
 * Given a ClusterIndex, placements are applied to it (resources, ports, GPU ids, task groups)
 * so every later task of the batch, and every later call, sees them; pass `dryRun` to leave it
 * untouched. Given a plain array of snapshots, a throw-away index is built.
 *
 * Cost per task is one pass over the static candidates with inline CPU/memory checks and integer
 * scores (no sort); static filters and spread counts are cached in the index.
 */
export function place(
  request: PlacementRequest,
  cluster: ClusterIndex | readonly InstanceSnapshot[],
  random: () => number,
  options: PlaceOptions = {},
): PlacementResult {
  const index = cluster instanceof ClusterIndex ? cluster : ClusterIndex.from(cluster);
  const plan = planRequest(request, index);
  const result: PlacementResult = {
    placements: [],
    failures: [],
    unplaced: 0,
    noActiveInstances: !hasActiveInstance(index),
  };
  const explain = options.explain ? explainPlan(plan, index) : undefined;
  for (let task = 0; task < request.count; task++) {
    const slot = selectSlot(plan, index, request, random);
    if (slot < 0) {
      result.unplaced = request.count - task;
      result.failures = collectFailures(plan, index);
      break;
    }
    const gpuIds = index.reserve(slot, request.task, request.group);
    const p: Placement = { task, instanceArn: index.arn[slot]!, gpuIds };
    const ec2 = index.ec2InstanceId[slot];
    if (ec2 !== undefined) p.ec2InstanceId = ec2;
    result.placements.push(p);
  }
  if (explain) result.explain = explain.finish(result.placements[0]?.instanceArn);
  if (options.dryRun) {
    for (const p of [...result.placements].reverse()) {
      index.release(index.slotOf(p.instanceArn)!, request.task, request.group, p.gpuIds);
    }
  }
  return result;
}

/**
 * The best eligible slot for the next task, or -1. Ties on every score go to a uniform draw
 * (reservoir sampling). Cheap checks first: CPU and memory inline, then the first score (a
 * candidate already worse than the best cannot win), and only then the per-task filters
 * (ports, GPU, ENI, distinctInstance, dynamic memberOf).
 */
function selectSlot(plan: Plan, index: ClusterIndex, request: PlacementRequest, random: () => number): number {
  const { candidates, perTask, scores } = plan;
  const needCpu = request.task.cpu, needMemory = request.task.memory;
  const cpu = index.cpu, memory = index.memory;
  const nScores = scores.length, nPerTask = perTask.length;
  const first = nScores > 0 ? scores[0]! : undefined;
  const best = plan.best;
  let chosen = -1, ties = 0;
  outer: for (let i = 0; i < candidates.length; i++) {
    const s = candidates[i]!;
    if (cpu[s]! < needCpu || memory[s]! < needMemory) continue;
    const v0 = first === undefined ? 0 : first(s);
    if (chosen >= 0 && v0 > best[0]!) continue;
    for (let f = 0; f < nPerTask; f++) if (!perTask[f]!.test(index, s)) continue outer;
    if (chosen < 0 || v0 < best[0]!) {
      chosen = s;
      ties = 1;
      best[0] = v0;
      for (let j = 1; j < nScores; j++) best[j] = scores[j]!(s);
      continue;
    }
    for (let k = 1; k < nScores; k++) {
      const v = scores[k]!(s);
      if (v === best[k]) continue;
      if (v > best[k]!) continue outer;
      chosen = s;
      ties = 1;
      best[k] = v;
      for (let j = k + 1; j < nScores; j++) best[j] = scores[j]!(s);
      continue outer;
    }
    ties++;
    if (random() * ties < 1) chosen = s;
  }
  return chosen;
}

/** One failure per ACTIVE instance: the first filter that rejects it, with how short it fell. */
function collectFailures(plan: Plan, index: ClusterIndex): PlacementFailure[] {
  const failures: PlacementFailure[] = [];
  for (const s of index.slots()) {
    const f = firstRejection(plan, index, s);
    if (!f || f.reason === STATUS_REASON) continue;
    failures.push({ arn: index.arn[s]!, reason: f.reason, detail: f.detail(index, s) });
  }
  return failures;
}

function hasActiveInstance(index: ClusterIndex): boolean {
  for (const s of index.slots()) if (index.status[s] === "ACTIVE") return true;
  return false;
}
