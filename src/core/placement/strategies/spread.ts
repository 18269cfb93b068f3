import type { Ranker } from "./ranker.js";

/**
 * spread(instanceId|host|attribute:NAME): the instance whose field value holds the fewest tasks
 * of the request's task group comes first, so placing N tasks over K values gives each value
 * N/K (ECS: "All tasks with the same task group name are considered as a set when performing
 * spread placement"). Counts include tasks already in the cluster and those placed earlier in
 * the batch; without a group every task counts. Instances lacking the attribute share one
 * value. `host` is ECS's synonym of `instanceId`.
 */
export function spread(field: string): Ranker {
  const byInstance = field === "instanceId" || field === "host";
  return {
    label: `spread(${field})`,
    score: (ix, group) => {
      if (byInstance) {
        const col = group === undefined ? ix.running : ix.groupColumn(group);
        return (s) => col[s]!;
      }
      const { column, counts } = ix.spreadCountsFor(field, group);
      const ids = column.ids;
      return (s) => counts[ids[s]!]!;
    },
  };
}
