import { invalidParameter } from "../errors.js";
import { compileQueryCached } from "../query/index.js";
import { binpackField, spreadField } from "./strategies/index.js";
import type { PlacementRequest } from "./types.js";

/** ECS's limits: RunTask accepts at most 10 constraints and 5 strategies. */
export const MAX_CONSTRAINTS = 10;
export const MAX_STRATEGIES = 5;
/** memberOf expressions are at most 2000 characters. */
export const MAX_EXPRESSION_LENGTH = 2000;

/**
 * Rejects a request ECS would reject, with InvalidParameterException, before anything is
 * placed. Expressions are compiled here (and cached) so a bad one fails the whole call.
 */
export function validateRequest(req: PlacementRequest): void {
  if (!Number.isInteger(req.count) || req.count < 1) throw invalidParameter("count must be at least 1.");
  const t = req.task;
  if (!(t.cpu >= 0) || !(t.memory >= 0)) throw invalidParameter("Task cpu and memory must be non-negative numbers.");
  const constraints = req.constraints ?? [];
  if (constraints.length > MAX_CONSTRAINTS) {
    throw invalidParameter(`Too many placement constraints: ${constraints.length} (at most ${MAX_CONSTRAINTS}).`);
  }
  for (const c of constraints) {
    if (c.type === "distinctInstance") {
      if (c.expression) throw invalidParameter("A distinctInstance placement constraint cannot have an expression.");
    } else if (c.type === "memberOf") {
      if (!c.expression) throw invalidParameter("A memberOf placement constraint requires an expression.");
      if (c.expression.length > MAX_EXPRESSION_LENGTH) {
        throw invalidParameter(`The placement constraint expression is longer than ${MAX_EXPRESSION_LENGTH} characters.`);
      }
      compileQueryCached(c.expression);
    } else {
      throw invalidParameter(`Invalid placement constraint type: '${c.type}'. Valid values are distinctInstance and memberOf.`);
    }
  }
  const strategies = req.strategy ?? [];
  if (strategies.length > MAX_STRATEGIES) {
    throw invalidParameter(`Too many placement strategies: ${strategies.length} (at most ${MAX_STRATEGIES}).`);
  }
  for (const s of strategies) {
    if (s.type === "binpack") binpackField(s.field);
    else if (s.type === "spread") spreadField(s.field);
    else if (s.type !== "random") {
      throw invalidParameter(`Invalid placement strategy type: '${s.type}'. Valid values are random, spread and binpack.`);
    }
  }
}
