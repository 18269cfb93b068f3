/**
 * What `docker stats` computes from the Engine's `GET /containers/{id}/stats`, pure
 * (docker/cli's calculateCPUPercentUnix and calculateMemUsageUnixNoCache).
 */

/** The members of one Engine stats answer that the computations read. */
export interface DockerStatsSample {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** ECS's CPU units: 1,024 a vCPU (one host core). */
export const CPU_UNITS_PER_VCPU = 1024;

/**
 * CPU % between two samples of one container, as `docker stats` shows it (100 % = one core):
 * (container CPU time delta / host CPU time delta) × online CPUs × 100. Undefined when the
 * deltas do not allow it (first sample, counters reset, no host time passed).
 */
export function cpuPercent(prev: DockerStatsSample, cur: DockerStatsSample): number | undefined {
  const c0 = prev.cpu_stats?.cpu_usage?.total_usage;
  const c1 = cur.cpu_stats?.cpu_usage?.total_usage;
  const s0 = prev.cpu_stats?.system_cpu_usage;
  const s1 = cur.cpu_stats?.system_cpu_usage;
  if (c0 === undefined || c1 === undefined || s0 === undefined || s1 === undefined) return undefined;
  const cpuDelta = c1 - c0;
  const systemDelta = s1 - s0;
  if (systemDelta <= 0 || cpuDelta < 0) return undefined;
  const online = cur.cpu_stats?.online_cpus || cur.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  if (online <= 0) return undefined;
  return (cpuDelta / systemDelta) * online * 100;
}

/** CPU % (100 = one core) in ECS CPU units. */
export const cpuUnitsOf = (percent: number): number => (percent / 100) * CPU_UNITS_PER_VCPU;

/**
 * Memory in use, as `docker stats` shows it: usage minus the inactive page cache
 * (`total_inactive_file` on cgroup v1, `inactive_file` on v2; whichever is below usage), bytes.
 * Undefined when the Engine gave no usage (a stopped container).
 */
export function memoryUsedBytes(s: DockerStatsSample): number | undefined {
  const usage = s.memory_stats?.usage;
  if (usage === undefined) return undefined;
  const st = s.memory_stats?.stats ?? {};
  const v1 = st.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = st.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

export const MIB = 1024 * 1024;
