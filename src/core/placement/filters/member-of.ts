import { compileQueryCached } from "../../query/index.js";
import type { Filter } from "./filter.js";

/**
 * memberOf: the instance must satisfy a cluster query expression. Expressions that read only
 * static fields are static filters (evaluated once per index version); those reading
 * runningTasksCount or task:group are evaluated per task, so they see the batch's placements.
 */
export function memberOfFilter(expression: string): Filter {
  const q = compileQueryCached(expression);
  return {
    reason: "MemberOf placement constraint unsatisfied",
    static: !q.dynamic,
    key: `memberOf:${expression}`,
    test: (ix, s) => q.test(ix.target(s)),
    detail: () => `does not satisfy "${expression}"`,
  };
}
