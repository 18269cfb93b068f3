import type { Dimension, StatSet } from "../core/cloudwatch/stats.js";
import { serviceCpuStats, serviceMemoryStats, type TaskUsage, utilizationStats } from "../core/ecs-metrics/utilization.js";
import type { Clock } from "../core/time.js";
import { MetricStore } from "./cloudwatch/metric-store.js";

/**
 * Amazon ECS's own CloudWatch metrics (docs/cloudwatch.md#awsecs-metrics): the agents' usage
 * reports (agent-usage.ts) are kept here, the latest per task, and a publisher writes
 * `AWS/ECS` CPUUtilization and MemoryUtilization from them into CloudWatch's metric store — by
 * `ClusterName, ServiceName` (the service's tasks against their reservations) and by `ClusterName`
 * (EC2 tasks against their instances' registered CPU and memory).
 */
export interface TaskUsageEntry extends TaskUsage {
  taskArn: string;
  /** MetricStore scope (`account:region`). */
  scope: string;
  clusterName: string;
  serviceName?: string;
  containerInstanceArn: string;
  /** EC2 tasks only: the instance's registered CPU units and memory MiB (cluster utilization). */
  instance?: { cpu: number; memory: number };
  /** When the report arrived (ms, server clock). */
  at: number;
}

export const ECS_NAMESPACE = "AWS/ECS";
/** Default publishing interval: one datapoint a minute per series, as ECS sends them. */
export const DEFAULT_ECS_METRICS_INTERVAL_MS = 60_000;

export class UsageBook {
  private readonly tasks = new Map<string, TaskUsageEntry>();
  constructor(private readonly maxTasks = 100_000) {}

  record(e: TaskUsageEntry): void {
    this.tasks.delete(e.taskArn);
    this.tasks.set(e.taskArn, e);
    // Oldest report first out: the map is bounded whatever the agents send.
    while (this.tasks.size > this.maxTasks) this.tasks.delete(this.tasks.keys().next().value!);
  }

  /** Entries reported after `since` (ms); older ones are forgotten. */
  fresh(since: number): TaskUsageEntry[] {
    const out: TaskUsageEntry[] = [];
    for (const [arn, e] of this.tasks) {
      if (e.at < since) this.tasks.delete(arn);
      else out.push(e);
    }
    return out;
  }

  get size(): number {
    return this.tasks.size;
  }
}

export interface EcsDatapoint {
  scope: string;
  metricName: "CPUUtilization" | "MemoryUtilization";
  dimensions: Dimension[];
  stats: StatSet;
}

/** The datapoints of one publishing round, pure over the fresh entries. */
export function ecsDatapoints(entries: readonly TaskUsageEntry[]): EcsDatapoint[] {
  const out: EcsDatapoint[] = [];
  const push = (scope: string, dimensions: Dimension[], cpu: StatSet | undefined, mem: StatSet | undefined) => {
    if (cpu) out.push({ scope, metricName: "CPUUtilization", dimensions, stats: cpu });
    if (mem) out.push({ scope, metricName: "MemoryUtilization", dimensions, stats: mem });
  };
  const services = new Map<string, TaskUsageEntry[]>();
  const clusters = new Map<string, TaskUsageEntry[]>();
  for (const e of entries) {
    if (e.serviceName !== undefined) {
      const k = JSON.stringify([e.scope, e.clusterName, e.serviceName]);
      services.set(k, [...(services.get(k) ?? []), e]);
    }
    if (e.instance) {
      const k = JSON.stringify([e.scope, e.clusterName]);
      clusters.set(k, [...(clusters.get(k) ?? []), e]);
    }
  }
  for (const list of services.values()) {
    const { scope, clusterName, serviceName } = list[0]!;
    push(scope, [{ Name: "ClusterName", Value: clusterName }, { Name: "ServiceName", Value: serviceName! }], serviceCpuStats(list), serviceMemoryStats(list));
  }
  for (const list of clusters.values()) {
    const { scope, clusterName } = list[0]!;
    // Per instance: what its tasks use against what it registered (ECS's cluster utilization).
    const byInstance = new Map<string, { cpu: number; mem: number; cpuSeen: boolean; memSeen: boolean; instance: { cpu: number; memory: number } }>();
    for (const e of list) {
      const i = byInstance.get(e.containerInstanceArn) ?? { cpu: 0, mem: 0, cpuSeen: false, memSeen: false, instance: e.instance! };
      if (e.cpuUnits !== undefined) (i.cpu += e.cpuUnits), (i.cpuSeen = true);
      if (e.memoryMiB !== undefined) (i.mem += e.memoryMiB), (i.memSeen = true);
      byInstance.set(e.containerInstanceArn, i);
    }
    const is = [...byInstance.values()];
    const cpu = utilizationStats(is.filter((i) => i.cpuSeen).map((i) => ({ used: i.cpu, reserved: i.instance.cpu })));
    const mem = utilizationStats(is.filter((i) => i.memSeen).map((i) => ({ used: i.mem, reserved: i.instance.memory })));
    push(scope, [{ Name: "ClusterName", Value: clusterName }], cpu, mem);
  }
  return out;
}

export interface EcsMetricsPublisher {
  /** One publishing round now (the timer calls it; tests may too); answers the datapoints written. */
  publishNow(): number;
  stop(): void;
}

/**
 * Every `intervalMs` (on the injected clock's time) writes one datapoint per series from the
 * reports of the last `staleMs` into the metric store: unit Percent, 1-second storage resolution
 * (so alarms with 10-second periods see each round). Wharf writes `AWS/ECS` itself; PutMetricData
 * callers may not.
 */
export function startEcsMetricsPublisher(o: { book: UsageBook; metrics: MetricStore; clock: Clock; intervalMs?: number; staleMs?: number }): EcsMetricsPublisher {
  const intervalMs = o.intervalMs ?? DEFAULT_ECS_METRICS_INTERVAL_MS;
  const staleMs = o.staleMs ?? Math.max(30_000, 2 * intervalMs);
  const publishNow = () => {
    const now = o.clock.now();
    const points = ecsDatapoints(o.book.fresh(now - staleMs));
    for (const p of points) o.metrics.put(p.scope, ECS_NAMESPACE, p.metricName, p.dimensions, now / 1000, p.stats, "Percent", 1);
    return points.length;
  };
  const timer = setInterval(publishNow, intervalMs);
  timer.unref();
  return { publishNow, stop: () => clearInterval(timer) };
}

export const scopeOfArn = (arn: string): string => {
  const [, , , region, account] = arn.split(":");
  return MetricStore.scopeOf(account ?? "", region ?? "");
};
