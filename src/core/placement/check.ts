import type { ClusterIndex } from "./cluster-index.js";
import { buildFilters } from "./filters/index.js";
import type { PlacementFailure, PlacementRequest } from "./types.js";
import { validateRequest } from "./validate.js";

/**
 * Checks of named instances with the very filters `place()` uses, for callers that choose the
 * instance themselves: StartTask (the caller names up to 10 instances) and the DAEMON
 * scheduler (one task per instance that satisfies the service's constraints).
 */

/** Why the instance in `slot` cannot take one more task of `req` (the first filter that refuses it), or undefined. */
export function rejectionAt(req: PlacementRequest, index: ClusterIndex, slot: number): PlacementFailure | undefined {
  validateRequest(req);
  for (const f of buildFilters(req)) {
    if (!f.test(index, slot)) return { arn: index.arn[slot]!, reason: f.reason, detail: f.detail(index, slot) };
  }
  return undefined;
}

/** Reasons of the filters that judge what an instance IS rather than what it has left. */
const CONSTRAINT_REASONS = new Set(["ATTRIBUTE", "MemberOf placement constraint unsatisfied"]);

/**
 * True when the instance satisfies the request's requiresAttributes and memberOf constraints,
 * whatever its free resources: a DAEMON task already running there must not make its own
 * instance ineligible. distinctInstance has no meaning for one task per instance.
 */
export function constraintsHold(req: PlacementRequest, index: ClusterIndex, slot: number): boolean {
  validateRequest(req);
  return buildFilters(req).every((f) => !CONSTRAINT_REASONS.has(f.reason) || f.test(index, slot));
}
