/**
 * The theoretical floor of a rolling deployment: how long replacing D healthy tasks takes for
 * an ideal scheduler that reacts instantly (no control-plane or polling latency), given
 *   - minimumHealthyPercent m and maximumPercent M (ECS rounds ceil(D·m/100) up and
 *     floor(D·M/100) down),
 *   - S: a task's time from launch to RUNNING, H: the healthy-after time (RUNNING → counted
 *     healthy; ECS: 40 s without a health check), T: an old task's time from stop to STOPPED.
 *     S and T are lists measured per task in the same run (launch order, stop order), since
 *     tasks started together do not all take as long: an old task may go as soon as one new
 *     task is healthy, not when the slowest one is.
 *
 * The ideal scheduler follows the same rules as Wharf's (src/core/service/reconcile.ts): launch
 * as many new tasks as maximumPercent leaves room for, and stop old tasks that are surplus or
 * stand in the way of launches, never taking the healthy count below the minimum. Each batch
 * launched together is a "wave"; a wave's tasks are healthy S + H after launch, and an old
 * task's slot is free T after its stop. With k = floor(D·M/100) − ceil(D·m/100) slots to
 * work with per wave (capped at D):
 *   - k ≥ D and the first wave fits (floor(D·M/100) − D + (D − ceil(D·m/100)) ≥ D):
 *       floor = max(S_max + H, S_(D−minH) + H + T)   (all new at once; D − minH old ones stop at
 *       once, each remaining old one as soon as one more new task is healthy);
 *   - otherwise W = ceil(D / k) waves, each waiting for the previous one to be healthy and for
 *     the old tasks it replaces to be gone: floor ≈ W·(S + H) + W·T (the first wave may skip
 *     its T when maximumPercent leaves room above D).
 * `rolloutFloor` simulates it exactly rather than trusting the approximation.
 */
export interface FloorInput {
  desired: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  /** Per new task, in launch order (reused cyclically if the simulation launches more). */
  startMs: number[];
  healthyAfterMs: number;
  /** Per old task, in stop order (likewise). */
  stopMs: number[];
}

export interface FloorResult {
  floorMs: number;
  /** Launch batches: when, and how many. */
  waves: { atMs: number; count: number }[];
}

export function rolloutFloor(i: FloorInput): FloorResult {
  const D = i.desired;
  const minH = Math.ceil((D * i.minimumHealthyPercent) / 100);
  const maxT = Math.floor((D * i.maximumPercent) / 100);
  const pick = (xs: number[], k: number) => (xs.length === 0 ? 0 : xs[k % xs.length]!);
  const fresh: number[] = []; // when each new task becomes healthy
  const stopping: number[] = []; // when each stopped old task's slot frees up
  let oldAlive = D;
  const waves: FloorResult["waves"] = [];
  let t = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const newHealthy = fresh.filter((at) => at <= t).length;
    const occupying = oldAlive + stopping.filter((at) => at > t).length + fresh.length;
    const want = D - fresh.length;
    const room = Math.max(0, maxT - occupying);
    const starts = Math.min(want, room);
    if (starts > 0) {
      for (let k = 0; k < starts; k++) fresh.push(t + pick(i.startMs, fresh.length) + i.healthyAfterMs);
      waves.push({ atMs: t, count: starts });
    }
    const unmet = want - starts;
    const surplus = fresh.length + oldAlive - D;
    let healthy = oldAlive + newHealthy;
    let toStop = Math.min(oldAlive, Math.max(surplus, room - starts <= 0 ? unmet : 0, 0));
    while (toStop > 0 && healthy - 1 >= minH) {
      stopping.push(t + pick(i.stopMs, D - oldAlive));
      oldAlive--;
      healthy--;
      toStop--;
    }
    const done = oldAlive === 0 && fresh.length === D && newHealthy === D && stopping.every((at) => at <= t);
    if (done) return { floorMs: t, waves };
    const next = [...fresh, ...stopping].filter((x) => x > t);
    if (next.length === 0) throw new Error(`floor: no progress at ${t} ms (min ${i.minimumHealthyPercent} / max ${i.maximumPercent} stalls)`);
    t = Math.min(...next);
  }
  throw new Error("floor: did not converge");
}
