import { invalidParameter } from "../../errors.js";
import type { PlacementStrategy } from "../types.js";
import { binpack } from "./binpack.js";
import type { Ranker } from "./ranker.js";
import { spread } from "./spread.js";

export type { Ranker } from "./ranker.js";
export { seededRandom } from "./random.js";

/**
 * Turns the request's strategies into rankers. `random` ranks nothing itself: it says "break the
 * remaining ties at random", which the engine always does with the seeded draw, so any strategy
 * after a `random` can never matter and is dropped. No strategy at all is ECS's RunTask default,
 * random placement among the instances that fit.
 */
export function buildRankers(strategies: PlacementStrategy[] | undefined): { rankers: Ranker[]; labels: string[] } {
  const rankers: Ranker[] = [];
  const labels: string[] = [];
  for (const s of strategies ?? []) {
    if (s.type === "random") {
      labels.push("random");
      break;
    }
    const r = s.type === "binpack" ? binpack(binpackField(s.field)) : spread(spreadField(s.field));
    rankers.push(r);
    labels.push(r.label);
  }
  if (labels.length === 0) labels.push("random");
  return { rankers, labels };
}

/** ECS accepts cpu or memory for binpack (either case). */
export function binpackField(field: string | undefined): "cpu" | "memory" {
  const f = (field ?? "").toLowerCase();
  if (f === "cpu" || f === "memory") return f;
  throw invalidParameter(`Invalid placement strategy field for binpack: '${field ?? ""}'. Valid values are cpu and memory.`);
}

/** instanceId, host, or attribute:NAME. */
export function spreadField(field: string | undefined): string {
  const f = field ?? "";
  if (f.toLowerCase() === "instanceid") return "instanceId";
  if (f.toLowerCase() === "host") return "host";
  if (/^attribute:[A-Za-z0-9_.\-/\\:@]+$/.test(f)) return f;
  throw invalidParameter(
    `Invalid placement strategy field for spread: '${f}'. Valid values are instanceId, host, or attribute:NAME.`,
  );
}
