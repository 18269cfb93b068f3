import type { TaskRequirements } from "../types.js";
import type { Filter } from "./filter.js";

/** CPU units left must cover the task's. */
export const cpuFilter = (t: TaskRequirements): Filter => ({
  reason: "RESOURCE:CPU",
  static: false,
  test: (ix, s) => ix.cpu[s]! >= t.cpu,
  detail: (ix, s) => `needs ${t.cpu} CPU units, ${ix.cpu[s]} remaining`,
});

/** MiB left must cover the task's (hard memory, else memoryReservation). */
export const memoryFilter = (t: TaskRequirements): Filter => ({
  reason: "RESOURCE:MEMORY",
  static: false,
  test: (ix, s) => ix.memory[s]! >= t.memory,
  detail: (ix, s) => `needs ${t.memory} MiB, ${ix.memory[s]} MiB remaining`,
});

/** Enough unassigned GPUs (ids are then handed out one task at a time). */
export const gpuFilter = (t: TaskRequirements): Filter => ({
  reason: "RESOURCE:GPU",
  static: false,
  test: (ix, s) => ix.gpuCount[s]! >= (t.gpus ?? 0),
  detail: (ix, s) => `needs ${t.gpus} GPU(s), ${ix.gpuCount[s]} unassigned`,
});

/** awsvpc tasks need a free task address (ENI) slot. */
export const eniFilter: Filter = {
  reason: "RESOURCE:ENI",
  static: false,
  test: (ix, s) => ix.eni[s]! >= 1,
  detail: () => "no free ENI (awsvpc task address) slot",
};
