import type { ClusterIndex } from "../cluster-index.js";

/**
 * One placement strategy turned into a score per instance, lower is better. Strategies apply in
 * order, each only breaking the previous one's ties, so the engine compares score vectors
 * lexicographically; whatever ties remain are broken by the seeded random draw.
 */
export interface Ranker {
  /** e.g. "spread(attribute:ecs.availability-zone)". */
  readonly label: string;
  /** Builds the scoring function for one place() call (it closes over the index's live arrays). */
  score(index: ClusterIndex, group: string | undefined): (slot: number) => number;
}
