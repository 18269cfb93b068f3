import type { StatSet } from "../cloudwatch/stats.js";

/**
 * Amazon ECS's service utilization metrics (docs/cloudwatch.md#awsecs-metrics), pure:
 * Average = (total CPU units used by the service's tasks × 100) / (CPU units reserved per task ×
 * tasks) — the sum of the tasks' reservations —; Minimum / Maximum = the utilization of the
 * least and the most loaded task; SampleCount = the tasks measured. Memory likewise in MiB.
 */

/** One task's latest measurement and its reservation. */
export interface TaskUsage {
  cpuUnits?: number;
  memoryMiB?: number;
  /** CPU units reserved (task `cpu`, else the sum of the containers' `cpu`); 0 or absent: none. */
  cpuReserved?: number;
  /** MiB reserved (task `memory`, else the containers' `memory` / `memoryReservation`). */
  memoryReserved?: number;
}

interface Part {
  used: number;
  reserved: number;
}

/** One datapoint (a statistic set) of utilization % over parts; undefined when none can be measured. */
export function utilizationStats(parts: readonly Part[]): StatSet | undefined {
  const ok = parts.filter((p) => p.reserved > 0 && Number.isFinite(p.used));
  if (!ok.length) return undefined;
  let used = 0;
  let reserved = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of ok) {
    used += p.used;
    reserved += p.reserved;
    const u = (p.used * 100) / p.reserved;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  const avg = (used * 100) / reserved;
  // The weighted average lies between the per-part extremes; sum is set so Average = Sum / SampleCount.
  return { count: ok.length, sum: avg * ok.length, min, max };
}

export function serviceCpuStats(tasks: readonly TaskUsage[]): StatSet | undefined {
  return utilizationStats(tasks.filter((t) => t.cpuUnits !== undefined).map((t) => ({ used: t.cpuUnits!, reserved: t.cpuReserved ?? 0 })));
}

export function serviceMemoryStats(tasks: readonly TaskUsage[]): StatSet | undefined {
  return utilizationStats(tasks.filter((t) => t.memoryMiB !== undefined).map((t) => ({ used: t.memoryMiB!, reserved: t.memoryReserved ?? 0 })));
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

interface ContainerDef {
  name?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/**
 * A task's reservation: task-level `cpu` / `memory` (after overrides), else the sum over its
 * containers (containerOverrides' `cpu`, `memory`, `memoryReservation` first).
 */
export function taskReservation(taskDefinition: Record<string, unknown>, overrides: Record<string, unknown> | undefined, taskCpu?: string, taskMemory?: string): { cpu?: number; memory?: number } {
  const defs = (taskDefinition.containerDefinitions as ContainerDef[] | undefined) ?? [];
  const ov = (overrides?.containerOverrides as ContainerDef[] | undefined) ?? [];
  const merged = defs.map((d) => ({ ...d, ...Object.fromEntries(Object.entries(ov.find((o) => o.name === d.name) ?? {}).filter(([k, v]) => k !== "name" && v !== undefined)) }) as ContainerDef);
  const sum = (f: (c: ContainerDef) => number | undefined) => {
    const s = merged.reduce((a, c) => a + (f(c) ?? 0), 0);
    return s > 0 ? s : undefined;
  };
  const cpu = num(taskCpu ?? overrides?.cpu ?? taskDefinition.cpu) ?? sum((c) => num(c.cpu));
  const memory = num(taskMemory ?? overrides?.memory ?? taskDefinition.memory) ?? sum((c) => num(c.memory) ?? num(c.memoryReservation));
  return { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) };
}
