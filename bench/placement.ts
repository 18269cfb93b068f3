/**
 * Placement throughput of the pure core (in-process, no I/O).
 *
 * 5,000 simulated container instances (3 AZs, 5 instance types, the g4dn ones with a GPU),
 * 100,000 tasks from 1,000 task definitions in 100 services, placed RunTask-style (count 1..10
 * per call) with spread(attribute:ecs.availability-zone) then binpack(memory); 20% of the calls
 * carry a memberOf constraint. One long-lived ClusterIndex takes every placement in place.
 *
 * Run: npx tsc -p . && node --expose-gc dist/bench/placement.js [--instances 5000] [--tasks 100000]
 */
import { ClusterIndex, place, seededRandom, type InstanceSnapshot, type PlacementRequest } from "../src/core/placement/index.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const INSTANCES = arg("instances", 5000);
const TASKS = arg("tasks", 100_000);

const TYPES = [
  { type: "m5.large", cpu: 2048, memory: 7680, gpus: 0 },
  { type: "m5.xlarge", cpu: 4096, memory: 15_600, gpus: 0 },
  { type: "c5.2xlarge", cpu: 8192, memory: 15_600, gpus: 0 },
  { type: "r5.xlarge", cpu: 4096, memory: 31_600, gpus: 0 },
  { type: "g4dn.xlarge", cpu: 4096, memory: 15_600, gpus: 1 },
];
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

function instances(n: number): InstanceSnapshot[] {
  return Array.from({ length: n }, (_, i) => {
    const t = TYPES[i % TYPES.length]!;
    const gpuIds = Array.from({ length: t.gpus }, (_, g) => `GPU-${i}-${g}`);
    return {
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${i.toString(16).padStart(32, "0")}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, "0")}`,
      status: "ACTIVE",
      agentConnected: true,
      registeredAt: 1_700_000_000 + i,
      agentVersion: "1.80.0",
      attributes: {
        "ecs.instance-type": t.type,
        "ecs.availability-zone": AZS[Math.floor(i / TYPES.length) % AZS.length]!,
        "ecs.os-type": "linux",
        "com.amazonaws.ecs.capability.docker-remote-api.1.44": null,
      },
      registered: { cpu: t.cpu, memory: t.memory, gpuIds },
      remaining: { cpu: t.cpu, memory: t.memory, ports: [22, 2375, 2376, 51678, 51679], portsUdp: [], gpuIds },
      runningTasksCount: 0,
      taskGroups: {},
    };
  });
}

const STRATEGY = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
  { type: "binpack", field: "memory" },
];
const MEMBER_OF = [
  "attribute:ecs.instance-type =~ g4dn.*",
  "attribute:ecs.instance-type in [m5.xlarge, r5.xlarge]",
  "attribute:ecs.instance-type != m5.large and attribute:ecs.os-type == linux",
];

/** 1,000 task definitions in 100 services; the calls cycle through them. */
function requests(total: number, random: () => number): PlacementRequest[] {
  const out: PlacementRequest[] = [];
  let placed = 0;
  for (let call = 0; placed < total; call++) {
    const td = call % 1000;
    const count = Math.min(total - placed, 1 + Math.floor(random() * 10));
    const req: PlacementRequest = {
      count,
      group: `service:svc-${td % 100}`,
      task: { cpu: [64, 128, 128, 256][td % 4]!, memory: [256, 512, 768, 1024][(td >> 2) % 4]! },
      strategy: STRATEGY,
    };
    if (random() < 0.2) {
      const expression = MEMBER_OF[call % MEMBER_OF.length]!;
      req.constraints = [{ type: "memberOf", expression }];
      if (expression.includes("g4dn") && call % 20 === 0) req.task = { ...req.task, gpus: 1 };
    }
    out.push(req);
    placed += count;
  }
  return out;
}

const percentiles = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `${at(0.5).toFixed(2)} / ${at(0.99).toFixed(2)} / ${s[s.length - 1]!.toFixed(2)} ms`;
};

async function main(): Promise<void> {
  const random = seededRandom("bench");
  const build0 = performance.now();
  const index = ClusterIndex.from(instances(INSTANCES));
  const buildMs = performance.now() - build0;
  const reqs = requests(TASKS, random);
  (globalThis as { gc?: () => void }).gc?.();

  const doneAt = new Float64Array(TASKS); // ms at which task #k was decided
  let peakRss = 0, peakHeap = 0, placed = 0, unplaced = 0, k = 0;
  const callMs: number[] = [];
  const unplacedBy = new Map<string, number>();
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const load = (await import("node:os")).loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  reqs.forEach((req, i) => {
    const before = performance.now();
    const r = place(req, index, random);
    placed += r.placements.length;
    unplaced += r.unplaced;
    if (r.unplaced > 0) {
      const what = `${req.task.gpus ? "GPU " : ""}${req.constraints ? `memberOf "${req.constraints[0]!.expression}"` : "unconstrained"}`;
      unplacedBy.set(what, (unplacedBy.get(what) ?? 0) + r.unplaced);
    }
    const now = performance.now() - t0;
    callMs.push(now - (before - t0));
    for (let j = 0; j < req.count; j++) doneAt[k++] = now;
    if (i % 500 === 0) sample();
  });
  const totalMs = performance.now() - t0;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  sample();

  const tenth = Math.floor(TASKS / 10);
  const firstMs = doneAt[tenth - 1]!;
  const lastMs = totalMs - doneAt[TASKS - tenth - 1]!;
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  const rows: [string, string][] = [
    ["instances / calls / tasks", `${INSTANCES} / ${reqs.length} / ${TASKS}`],
    ["placed / unplaced", `${placed} / ${unplaced}`],
    ["index build", `${buildMs.toFixed(0)} ms`],
    ["total time", `${(totalMs / 1000).toFixed(2)} s`],
    ["placements/s overall (wall)", `${rate(TASKS, totalMs)}`],
    ["placements/s overall (CPU time)", `${rate(TASKS, cpuMs)}`],
    ["1-min load average at start", `${load.toFixed(1)} (2 cores)`],
    ["placements/s first 10%", `${rate(tenth, firstMs)}`],
    ["placements/s last 10%", `${rate(tenth, lastMs)}`],
    ["last 10% / first 10%", `${((firstMs / lastMs) * 100).toFixed(0)}%`],
    ["mean per placement", `${((totalMs / TASKS) * 1000).toFixed(1)} µs`],
    ["p50 / p99 / max per call (1..10 tasks)", percentiles(callMs)],
    ["peak RSS / heap used", `${mib(peakRss)} / ${mib(peakHeap)}`],
  ];
  const w = Math.max(...rows.map(([a]) => a.length));
  console.log(`| ${"metric".padEnd(w)} | value |`);
  console.log(`|${"-".repeat(w + 2)}|-------|`);
  for (const [a, b] of rows) console.log(`| ${a.padEnd(w)} | ${b} |`);
  const usedAz = new Map<string, number>();
  for (const s of index.slots()) {
    const az = index.attributes[s]!.get("ecs.availability-zone")!;
    usedAz.set(az, (usedAz.get(az) ?? 0) + index.running[s]!);
  }
  for (const [what, n] of unplacedBy) console.log(`unplaced: ${n} tasks with ${what}`);
  console.log(`tasks per AZ: ${[...usedAz].map(([az, n]) => `${az}=${n}`).join(" ")}`);
}

await main();
