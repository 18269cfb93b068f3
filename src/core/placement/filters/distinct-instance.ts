import type { Filter } from "./filter.js";

/**
 * distinctInstance: no two tasks of the group on one instance. Tasks placed earlier in the batch
 * count, since reserve() adds them to the instance's groups. Without a group every task of the
 * instance counts.
 */
export function distinctInstanceFilter(group: string | undefined): Filter {
  return {
    reason: "DistinctInstance placement constraint unsatisfied",
    static: false,
    test: (ix, s) => (group === undefined ? ix.running[s] === 0 : ix.groupCount(s, group) === 0),
    detail: (ix, s) =>
      group === undefined
        ? `instance already runs ${ix.running[s]} task(s)`
        : `instance already runs ${ix.groupCount(s, group)} task(s) of group ${group}`,
  };
}
