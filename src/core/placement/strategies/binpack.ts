import type { Ranker } from "./ranker.js";

/**
 * binpack(cpu|memory): the instance with the least remaining amount of the field that still
 * fits the task comes first, so instances fill up before the next one is used.
 */
export function binpack(field: "cpu" | "memory"): Ranker {
  return {
    label: `binpack(${field})`,
    score: (ix) => {
      const remaining = field === "cpu" ? ix.cpu : ix.memory;
      return (s) => remaining[s]!;
    },
  };
}
