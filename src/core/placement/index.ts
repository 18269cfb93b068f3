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
export { taskRequirements, requiredAttributesOf, constraintsOf } from "./requirements.js";
export type * from "./types.js";

/** ECS's default for service tasks (RunTask's default is random placement). */
export const SERVICE_DEFAULT_STRATEGY = [{ type: "spread", field: "attribute:ecs.availability-zone" }] as const;
