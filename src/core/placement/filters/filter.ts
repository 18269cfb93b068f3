import type { ClusterIndex } from "../cluster-index.js";

/**
 * One feasibility rule. Filters run in a fixed order; the first that rejects an instance names
 * the reason ECS reports for it (`failures[].reason`) and says how short it fell (`detail`).
 */
export interface Filter {
  /** ECS failure reason: RESOURCE:MEMORY, ATTRIBUTE, ... (STATUS only appears in explanations). */
  readonly reason: string;
  /**
   * True when the verdict depends only on what `upsert` changes (status, agent, attributes), not
   * on placements: such filters run once per index version, not once per task.
   */
  readonly static: boolean;
  /** Identity of a static filter's parameters, to share its candidate list between requests. */
  readonly key?: string;
  test(index: ClusterIndex, slot: number): boolean;
  /** Only called for a rejected slot: a human sentence, e.g. "needs 512 CPU units, 256 remaining". */
  detail(index: ClusterIndex, slot: number): string;
}
