import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cpuPercent, cpuUnitsOf, type DockerStatsSample, memoryUsedBytes } from "../../src/core/ecs-metrics/docker-stats.js";
import { serviceCpuStats, serviceMemoryStats, taskReservation, utilizationStats } from "../../src/core/ecs-metrics/utilization.js";
import { ecsDatapoints, type TaskUsageEntry, UsageBook } from "../../src/api/ecs-metrics.js";
import { UsageSampler } from "../../src/agent/usage-sampler.js";

const sample = (total: number, system: number, online = 2, mem?: { usage: number; stats?: Record<string, number> }): DockerStatsSample => ({
  cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: online },
  ...(mem ? { memory_stats: mem } : {}),
});

describe("docker stats computations (as the docker CLI)", () => {
  it("CPU %: cpu delta / system delta × online CPUs × 100", () => {
    // The container used 1 s of CPU while the host's 2 CPUs together counted 2 s: one whole core.
    assert.equal(cpuPercent(sample(1e9, 10e9), sample(2e9, 12e9)), 100);
    assert.equal(cpuPercent(sample(0, 0), sample(0.5e9, 2e9)), 50);
    assert.equal(cpuUnitsOf(100), 1024);
    assert.equal(cpuUnitsOf(25), 256);
  });
  it("online CPUs fall back to the per-CPU list; no usable deltas: undefined", () => {
    const cur: DockerStatsSample = { cpu_stats: { cpu_usage: { total_usage: 2e9, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 14e9 } };
    assert.equal(cpuPercent(sample(1e9, 10e9), cur), 100);
    assert.equal(cpuPercent(sample(1e9, 10e9), sample(2e9, 10e9)), undefined); // no host time passed
    assert.equal(cpuPercent(sample(3e9, 10e9), sample(2e9, 12e9)), undefined); // counter went back (a restart)
    assert.equal(cpuPercent({}, sample(2e9, 12e9)), undefined);
  });
  it("memory: usage minus inactive_file (cgroup v2) or total_inactive_file (v1), when below usage", () => {
    assert.equal(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { inactive_file: 300 } } }), 700);
    assert.equal(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { total_inactive_file: 200, inactive_file: 300 } } }), 800);
    assert.equal(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { inactive_file: 3000 } } }), 1000);
    assert.equal(memoryUsedBytes({ memory_stats: {} }), undefined);
  });
  it("property: CPU % scales with the container's share of host time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (cpus, share, dt) => {
        const p = cpuPercent(sample(0, 0, cpus), sample(share * dt, dt, cpus));
        assert.ok(p !== undefined && Math.abs(p - share * cpus * 100) < 1e-6);
      }),
    );
  });
});

describe("ECS service utilization (AWS's formula)", () => {
  it("Average = total used × 100 / total reserved; Minimum / Maximum = the least and most loaded task", () => {
    const s = serviceCpuStats([
      { cpuUnits: 512, cpuReserved: 256 },
      { cpuUnits: 0, cpuReserved: 256 },
      { cpuUnits: 128, cpuReserved: 512 },
    ])!;
    assert.equal(s.count, 3);
    assert.equal(s.sum / s.count, ((512 + 0 + 128) * 100) / 1024);
    assert.equal(s.min, 0);
    assert.equal(s.max, 200);
  });
  it("tasks without a reservation or a measurement do not count; none: no datapoint", () => {
    assert.equal(serviceCpuStats([{ cpuUnits: 10 }, { cpuReserved: 256 }]), undefined);
    const m = serviceMemoryStats([{ memoryMiB: 16, memoryReserved: 64 }, { memoryMiB: 5 }])!;
    assert.deepEqual(m, { count: 1, sum: 25, min: 25, max: 25 });
  });
  it("property: Minimum <= Average <= Maximum", () => {
    const part = fc.record({ used: fc.double({ min: 0, max: 1e5, noNaN: true }), reserved: fc.integer({ min: 1, max: 1e5 }) });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 20 }), (parts) => {
        const s = utilizationStats(parts)!;
        const avg = s.sum / s.count;
        assert.ok(s.min <= avg * (1 + 1e-9) + 1e-9 && avg <= s.max * (1 + 1e-9) + 1e-9, JSON.stringify({ s, avg }));
      }),
    );
  });
  it("reservation: task level first (overrides win), else the containers' (memory, else memoryReservation)", () => {
    const td = { cpu: "256", memory: "512", containerDefinitions: [{ name: "a", cpu: 10, memory: 32 }] };
    assert.deepEqual(taskReservation(td, {}, "256", "512"), { cpu: 256, memory: 512 });
    assert.deepEqual(taskReservation(td, { cpu: "1024" }, undefined, undefined), { cpu: 1024, memory: 512 });
    const noTask = { containerDefinitions: [{ name: "a", cpu: 10, memory: 32 }, { name: "b", cpu: 20, memoryReservation: 16 }, { name: "c" }] };
    assert.deepEqual(taskReservation(noTask, {}), { cpu: 30, memory: 48 });
    assert.deepEqual(taskReservation(noTask, { containerOverrides: [{ name: "b", cpu: 100 }] }), { cpu: 110, memory: 48 });
    assert.deepEqual(taskReservation({ containerDefinitions: [{ name: "a" }] }, {}), {});
  });
});

const entry = (over: Partial<TaskUsageEntry>): TaskUsageEntry => ({
  taskArn: "arn:aws:ecs:us-east-1:1:task/c/1",
  scope: "1:us-east-1",
  clusterName: "c",
  containerInstanceArn: "i1",
  at: 0,
  ...over,
});

describe("AWS/ECS datapoints of a publishing round", () => {
  it("by ClusterName, ServiceName per service, and by ClusterName over EC2 instances' registered resources", () => {
    const points = ecsDatapoints([
      entry({ taskArn: "t1", serviceName: "web", cpuUnits: 256, cpuReserved: 256, memoryMiB: 32, memoryReserved: 64, instance: { cpu: 2048, memory: 1024 } }),
      entry({ taskArn: "t2", serviceName: "web", cpuUnits: 0, cpuReserved: 256, memoryMiB: 0, memoryReserved: 64, instance: { cpu: 2048, memory: 1024 } }),
      entry({ taskArn: "t3", cpuUnits: 512, cpuReserved: 512 }), // a Fargate task outside any service: neither series
    ]);
    const find = (name: string, dims: number) => points.find((p) => p.metricName === name && p.dimensions.length === dims)!;
    assert.equal(points.length, 4);
    assert.deepEqual(find("CPUUtilization", 2).dimensions, [{ Name: "ClusterName", Value: "c" }, { Name: "ServiceName", Value: "web" }]);
    assert.deepEqual(find("CPUUtilization", 2).stats, { count: 2, sum: 100, min: 0, max: 100 });
    assert.deepEqual(find("MemoryUtilization", 2).stats, { count: 2, sum: 50, min: 0, max: 50 });
    assert.deepEqual(find("CPUUtilization", 1).stats, { count: 1, sum: 12.5, min: 12.5, max: 12.5 });
  });
  it("the book keeps the latest report per task, forgets stale ones and stays bounded", () => {
    const b = new UsageBook(2);
    b.record(entry({ taskArn: "a", at: 1 }));
    b.record(entry({ taskArn: "b", at: 5 }));
    b.record(entry({ taskArn: "a", at: 6 }));
    b.record(entry({ taskArn: "c", at: 7 }));
    assert.deepEqual(b.fresh(0).map((e) => e.taskArn), ["a", "c"]);
    assert.deepEqual(b.fresh(7).map((e) => e.taskArn), ["c"]);
    assert.equal(b.size, 1);
  });
});

describe("the agent's usage sampler", () => {
  it("reports a task's CPU units from two samples of each container, memory from the latest", async () => {
    let t = 0;
    const reports: unknown[] = [];
    const s = new UsageSampler({
      intervalMs: 3_600_000, // the test calls round() itself
      now: () => 42,
      tasks: () => [{ taskArn: "t", dockerIds: ["x", "y"] }, { taskArn: "idle", dockerIds: [] }],
      stats: async (id) => sample(t * (id === "x" ? 1e9 : 0.5e9), t * 2e9, 2, { usage: 2 * 1024 * 1024 }),
      report: async (r) => reports.push(r),
    });
    try {
      const first = await s.round();
      assert.deepEqual(first, [{ taskArn: "t", memoryMiB: 4 }]); // no earlier sample: no CPU yet
      t = 1;
      const second = await s.round();
      assert.deepEqual(second, [{ taskArn: "t", cpuUnits: 1024 + 512, memoryMiB: 4 }]);
      assert.deepEqual(reports[1], { sampledAt: 42, tasks: second });
    } finally {
      await s.close();
    }
  });
  it("nothing running: no Docker call and no report", async () => {
    let calls = 0;
    const s = new UsageSampler({ intervalMs: 3_600_000, now: () => 0, tasks: () => [], stats: async () => (calls++, {}), report: async () => calls++ });
    assert.deepEqual(await s.round(), []);
    assert.equal(calls, 0);
    await s.close();
  });
});
