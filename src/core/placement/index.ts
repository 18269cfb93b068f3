/**
 * The placement core: `place(request, index, random)` decides where tasks go and why not
 * elsewhere. Pure (no I/O); the ClusterIndex is a long-lived, incrementally updated view of the
 * cluster's container instances.
 */
export { ClusterIndex } from "./cluster-index.js";
export type { FieldColumn } from "./cluster-index.js";
export { place } from "./place.js";
export { validateRequest, MAX_CONSTRAINTS, MAX_STRATEGIES } from "./validate.js";
export { seededRandom } from "./strategies/index.js";
export { taskRequirements, requirementsFromNeeds, requiredAttributesOf, constraintsOf } from "./requirements.js";
export { rejectionAt, constraintsHold } from "./check.js";
export { STATUS_REASON } from "./filters/index.js";
export type * from "./types.js";

/**
 * ECS's default for REPLICA service tasks without a placementStrategy: spread across
 * Availability Zones, then across instances (RunTask's default is random placement).
 */
export const SERVICE_DEFAULT_STRATEGY = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
  { type: "spread", field: "instanceId" },
] as const;
