import type { ClusterIndex } from "./cluster-index.js";
import { buildFilters, type Filter } from "./filters/index.js";
import { buildRankers } from "./strategies/index.js";
import type { PlacementRequest } from "./types.js";
import { validateRequest } from "./validate.js";

/**
 * A request compiled against an index for one place() call: the ordered filters (for reasons),
 * the candidates that pass every static filter (cached per index version and filter set, so
 * status, attributes and static memberOf expressions cost nothing after the first request), the
 * per-task filters other than CPU and memory (which the engine checks inline), and the scores.
 */
export interface Plan {
  filters: Filter[];
  candidates: Int32Array;
  perTask: Filter[];
  scores: ((slot: number) => number)[];
  labels: string[];
  /** Scratch for the best score vector, reused across the tasks of the call. */
  best: Float64Array;
}

export function planRequest(req: PlacementRequest, index: ClusterIndex): Plan {
  validateRequest(req);
  const filters = buildFilters(req);
  const staticFilters = filters.filter((f) => f.static);
  const perTask = filters.filter(
    (f) => !f.static && f.reason !== "RESOURCE:CPU" && f.reason !== "RESOURCE:MEMORY",
  );
  const { rankers, labels } = buildRankers(req.strategy);
  return {
    filters,
    candidates: staticCandidates(index, staticFilters),
    perTask,
    scores: rankers.map((r) => r.score(index, req.group)),
    labels,
    best: new Float64Array(Math.max(1, rankers.length)),
  };
}

function staticCandidates(index: ClusterIndex, filters: Filter[]): Int32Array {
  const key = `candidates:${filters.map((f) => f.key).sort().join("\u0001")}`;
  const hit = index.memo.get(key);
  if (hit instanceof Int32Array) return hit;
  const out: number[] = [];
  for (let s = 0; s < index.size; s++) {
    if (!index.live[s]) continue;
    let ok = true;
    for (const f of filters) if (!f.test(index, s)) { ok = false; break; }
    if (ok) out.push(s);
  }
  const candidates = Int32Array.from(out);
  if (index.memo.size > 512) index.memo.clear();
  index.memo.set(key, candidates);
  return candidates;
}

/** The first filter (in reporting order) that rejects the slot, or undefined when it is eligible. */
export function firstRejection(plan: Plan, index: ClusterIndex, slot: number): Filter | undefined {
  for (const f of plan.filters) if (!f.test(index, slot)) return f;
  return undefined;
}
