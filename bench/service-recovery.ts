/**
 * Service recovery and rollout: how fast a REPLICA service heals after `docker kill`, and how
 * close a 20-task rolling deployment comes to its theoretical floor.
 *
 * One process holds a Wharf server (temp data dir, random port) and in-process agents (the
 * real agent code against the local Docker Engine).
 *
 * Recovery, N ∈ {1, 10}: a service of 10 tasks is stable; N of its containers are killed at
 * once with the Engine API (`POST /containers/{id}/kill`, what `docker kill` sends).
 *   - detection: kill sent → the task's STOPPED state is durable in the control plane's store
 *     (a write listener on the server's store, no polling delay);
 *   - restore: kill sent → every replacement task's RUNNING state is durable, and (second
 *     figure) → DescribeServices shows runningCount back at 10 (polled every 20 ms).
 * The path is traced in-process (timestamps only): the agent's `docker wait` returning, its
 * STOPPED report, the replacement's RunTask write, the agent's poll answer,
 * the container start, RUNNING durable. Goals (issue "Services"): detection ≤ 1 s, N=10
 * restored ≤ 5 s.
 *
 * Rollout: the same service scaled to 20, then a new revision with min/max percent as given;
 * wall time (UpdateService → rolloutState COMPLETED with one deployment left) against the
 * floor computed from min/max, the start and stop times measured in the same run, and the
 * healthy-after setting (see `rolloutFloor` for the formula).
 *
 * Run: `node dist/bench/service-recovery.js [--rounds 3] [--healthy-after-ms 2000] [--write]`
 * (`--write` inserts or replaces the "## Services" section of docs/benchmarks.md.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { EcsAgentApi } from "../src/agent/api-client.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { startServer, type RunningServer } from "../src/server.js";
import { withWriteListener } from "../src/store/observed-store.js";
import type { WriteOp } from "../src/store/store.js";
import { fetchTimeline, renderTimeline } from "../src/cli/deployments.js";
import type { TimelineAnswer } from "../src/contracts/internal-routes.js";
import { rolloutFloor, type FloorResult } from "./service-floor.js";
import { writeBenchSection } from "./lib/docs-section.js";

const REPO = process.cwd();
const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "healthy-after-ms": { type: "string", default: "2000" },
    image: { type: "string", default: "wharf-test/busybox:latest" },
    agents: { type: "string", default: "2" },
    write: { type: "boolean", default: false },
    "skip-recovery": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const ROUNDS = Math.max(1, Number(args.rounds));
const HEALTHY_AFTER_MS = Number(args["healthy-after-ms"]);
const IMAGE = args.image!;
const AGENTS = Math.max(1, Number(args.agents));
/** Exits at once on SIGTERM (sh as PID 1 would ignore it otherwise), so stops are quick. */
const CMD = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'];
const RUN_ID = Math.random().toString(16).slice(2, 8);
const SERVICE_SIZE = 10;
const ROLLOUT_SIZE = 20;
const STEP_TIMEOUT_MS = 60_000;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f = (ms: number, digits = 0) => (Number.isFinite(ms) ? ms.toFixed(digits) : "–");
const medMax = (xs: number[]) => `${f(median(xs))} / ${f(Math.max(...xs))}`;

// ---------------------------------------------------------------------------------------------
// Watching: store writes (durable state) and in-process traces of the agent (Docker and API calls).

interface TaskMarks {
  firstSeen: number;
  startedBy?: string;
  pending?: number;
  running?: number;
  stopped?: number;
}
const marks = new Map<string, TaskMarks>();
/** Trace events of the round in flight: what happened when (ms, performance clock). */
let trace: { what: string; at: number; key?: string }[] | undefined;
const note = (what: string, key?: string) => trace?.push({ what, at: now(), ...(key ? { key } : {}) });

function watchStore(server: RunningServer): void {
  const deps = server.deps as { store: RunningServer["deps"]["store"] };
  deps.store = withWriteListener(deps.store, (ops: readonly WriteOp[]) => {
    const t = now();
    for (const op of ops) {
      if (op.op !== "put" || op.kind !== "task") continue;
      const v = op.value as { taskArn: string; lastStatus?: string; startedBy?: string };
      let m = marks.get(v.taskArn);
      if (!m) marks.set(v.taskArn, (m = { firstSeen: t, ...(v.startedBy ? { startedBy: v.startedBy } : {}) }));
      if (v.lastStatus === "PENDING" || v.lastStatus === "PROVISIONING") m.pending ??= t;
      if (v.lastStatus === "RUNNING" && m.running === undefined) (m.running = t), note("store.RUNNING", v.taskArn);
      if (v.lastStatus === "STOPPED" && m.stopped === undefined) (m.stopped = t), note("store.STOPPED", v.taskArn);
    }
  });
}

/** Wraps a prototype method so each call (and its settling) leaves a trace event. */
function traceMethod(proto: object, name: string, label: string, key: (a: unknown[], out?: unknown) => string | undefined): void {
  const p = proto as Record<string, (...a: unknown[]) => unknown>;
  const original = p[name]!;
  p[name] = function (this: unknown, ...a: unknown[]) {
    note(`${label}.call`, key(a));
    const out = original.apply(this, a);
    if (out instanceof Promise) {
      return out.then(
        (v) => (note(`${label}.done`, key(a, v)), v),
        (e: unknown) => {
          note(`${label}.fail`, key(a));
          throw e;
        },
      );
    }
    return out;
  };
}

function installTracing(): void {
  traceMethod(DockerClient.prototype, "waitContainer", "docker.wait", (a) => String(a[0]));
  traceMethod(DockerClient.prototype, "startContainer", "docker.start", (a) => String(a[0]));
  traceMethod(DockerClient.prototype, "killContainer", "docker.kill", (a) => String(a[0]));
  traceMethod(EcsAgentApi.prototype, "submitTaskStateChange", "report", (a) => {
    const b = a[0] as { task?: string; status?: string };
    return `${b.status ?? ""} ${b.task ?? ""}`;
  });
  traceMethod(EcsAgentApi.prototype, "poll", "agent.poll", (_a, out) =>
    out ? ((out as { tasks?: { taskArn: string }[] }).tasks ?? []).map((t) => t.taskArn).join(" ") : undefined,
  );
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  server: RunningServer;
  api: EcsAgentApi;
  docker: DockerClient;
  cluster: string;
  service: string;
}

interface TaskView {
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  startedBy?: string;
  containers?: { runtimeId?: string }[];
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  stoppingAt?: number;
}
interface ServiceView {
  runningCount: number;
  desiredCount: number;
  pendingCount: number;
  deployments: { id: string; rolloutState?: string; taskDefinition: string }[];
}

async function describeService(c: Ctx): Promise<ServiceView> {
  const out = await c.api.call<{ services: ServiceView[] }>("DescribeServices", { cluster: c.cluster, services: [c.service] });
  return out.services[0]!;
}

async function serviceTasks(c: Ctx, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<TaskView[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.api.call<{ taskArns: string[]; nextToken?: string }>("ListTasks", {
      cluster: c.cluster,
      serviceName: c.service,
      desiredStatus,
      ...(nextToken ? { nextToken } : {}),
    });
    arns.push(...page.taskArns);
    nextToken = page.nextToken;
  } while (nextToken);
  const out: TaskView[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const r = await c.api.call<{ tasks: TaskView[] }>("DescribeTasks", { cluster: c.cluster, tasks: arns.slice(i, i + 100) });
    out.push(...r.tasks);
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, pollMs = 20, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

const stableAt = (c: Ctx, n: number) =>
  until(`service at ${n} RUNNING`, async () => {
    const s = await describeService(c);
    return s.runningCount === n && s.pendingCount === 0 && s.deployments.length === 1 && s.deployments[0]!.rolloutState === "COMPLETED"
      ? s
      : undefined;
  }, 50);

// ---------------------------------------------------------------------------------------------
// Recovery after docker kill.

interface RecoverySample {
  n: number;
  /** kill sent → STOPPED durable, per killed task. */
  detection: number[];
  /** kill sent → every replacement RUNNING durable. */
  restoredDurable: number;
  /** kill sent → DescribeServices shows runningCount back (20 ms polls). */
  restoredApi: number;
  /** Per phase: median over the N tasks of when it happened, ms after the kill. */
  phases: [string, number][];
}

async function recoveryRound(c: Ctx, n: number): Promise<RecoverySample> {
  await stableAt(c, SERVICE_SIZE);
  const before = new Set(marks.keys());
  const victims = (await serviceTasks(c)).filter((t) => t.lastStatus === "RUNNING").slice(0, n);
  const ids = victims.map((t) => t.containers![0]!.runtimeId!);
  const victimArns = victims.map((v) => v.taskArn);
  trace = [];
  const t0 = now();
  await Promise.all(ids.map((id) => c.docker.killContainer(id)));
  const restoredApiAt = await until("runningCount back", async () => {
    const s = await describeService(c);
    const fresh = [...marks.entries()].filter(([arn, m]) => !before.has(arn) && m.running !== undefined);
    return s.runningCount === SERVICE_SIZE && fresh.length >= n ? now() : undefined;
  });
  const events = trace.map((e) => ({ ...e, at: e.at - t0 }));
  trace = undefined;

  const detection = victimArns.map((a) => (marks.get(a)?.stopped ?? NaN) - t0);
  const replacements = [...marks.entries()].filter(([arn]) => !before.has(arn)).map(([arn, m]) => ({ arn, m }));
  const repl = new Set(replacements.map((r) => r.arn));
  const idSet = new Set(ids);
  const times = (what: string, match: (key: string) => boolean) => events.filter((e) => e.what === what && e.key !== undefined && match(e.key)).map((e) => e.at);
  const firstPerTask = (what: string, arns: Set<string>) => {
    const seen = new Map<string, number>();
    for (const e of events) {
      if (e.what !== what || !e.key) continue;
      for (const k of e.key.split(" ")) if (arns.has(k) && !seen.has(k)) seen.set(k, e.at);
    }
    return [...seen.values()];
  };
  const phases: [string, number][] = [
    ["Engine kill call returns (container dead)", median(times("docker.kill.done", (k) => idSet.has(k)))],
    ["agent's `docker wait` returns (exit seen)", median(times("docker.wait.done", (k) => idSet.has(k)))],
    ["STOPPED report sent", median(times("report.call", (k) => k.startsWith("STOPPED ") && victimArns.includes(k.slice(8))))],
    ["STOPPED durable (detection)", median(detection)],
    ["replacement written (RunTask)", median(replacements.map((r) => r.m.firstSeen - t0))],
    ["agent's poll answers with it", median(firstPerTask("agent.poll.done", repl))],
    ["container started (Engine start returns)", median(times("docker.start.done", () => true))],
    ["RUNNING durable", median(replacements.map((r) => (r.m.running ?? NaN) - t0))],
  ];
  return {
    n,
    detection,
    restoredDurable: Math.max(...replacements.map((r) => (r.m.running ?? NaN) - t0)),
    restoredApi: restoredApiAt - t0,
    phases,
  };
}

// ---------------------------------------------------------------------------------------------
// Rolling deployment against its floor.

interface RolloutSample {
  desired: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  wallMs: number;
  startMs: number[];
  stopMs: number[];
  floor: FloorResult;
  timeline: TimelineAnswer;
}

async function rollout(c: Ctx, taskDefinition: string, minimumHealthyPercent: number, maximumPercent: number): Promise<RolloutSample> {
  await stableAt(c, ROLLOUT_SIZE);
  // Every old task healthy first (a scale-up leaves the deployment COMPLETED while its new tasks
  // still wait out healthy-after), as the floor assumes.
  await sleep(HEALTHY_AFTER_MS + 250);
  const t0 = now();
  await c.api.call("UpdateService", {
    cluster: c.cluster,
    service: c.service,
    taskDefinition,
    deploymentConfiguration: { minimumHealthyPercent, maximumPercent },
  });
  await until("rollout completed", async () => {
    const s = await describeService(c);
    const d = s.deployments[0]!;
    return s.deployments.length === 1 && d.taskDefinition === taskDefinition && d.rolloutState === "COMPLETED" ? s : undefined;
  }, 20, 180_000);
  const wallMs = now() - t0;
  const list = await c.api.call<{ serviceDeployments: { serviceDeploymentArn: string }[] }>("ListServiceDeployments", { cluster: c.cluster, service: c.service });
  const timeline = await fetchTimeline(c.api, list.serviceDeployments[0]!.serviceDeploymentArn);
  const tasks = [...(timeline.timeline?.tasks ?? [])].sort((a, b) => (a.requestedAt ?? a.createdAt) - (b.requestedAt ?? b.createdAt));
  // Measured in this run, per task: launch → RUNNING of the new tasks, stop → STOPPED of the old.
  const startMs = tasks.filter((t) => t.startedAt !== undefined).map((t) => t.startedAt! - (t.requestedAt ?? t.createdAt));
  const stops = [...(timeline.timeline?.stopped ?? [])].filter((s) => s.stoppedAt !== undefined).sort((a, b) => a.stopRequestedAt - b.stopRequestedAt);
  const stopMs = stops.map((s) => s.stoppedAt! - s.stopRequestedAt);
  const floor = rolloutFloor({ desired: ROLLOUT_SIZE, minimumHealthyPercent, maximumPercent, startMs, healthyAfterMs: HEALTHY_AFTER_MS, stopMs });
  return { desired: ROLLOUT_SIZE, minimumHealthyPercent, maximumPercent, wallMs, startMs, stopMs, floor, timeline };
}

// ---------------------------------------------------------------------------------------------

function machine(): string {
  let dockerVersion = "?";
  try {
    dockerVersion = execFileSync("docker", ["version", "--format", "{{.Server.Version}}"]).toString().trim();
  } catch {
    /* unknown */
  }
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Docker Engine ${dockerVersion}`;
}

async function register(c: Ctx, family: string, marker: string): Promise<string> {
  const out = await c.api.call<{ taskDefinition: { taskDefinitionArn: string } }>("RegisterTaskDefinition", {
    family,
    containerDefinitions: [
      { name: "app", image: IMAGE, command: CMD, memoryReservation: 16, cpu: 8, essential: true, stopTimeout: 2, environment: [{ name: "REV", value: marker }] },
    ],
  });
  return out.taskDefinition.taskDefinitionArn;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-svc-"));
  const docker = new DockerClient();
  const agents: RunningAgent[] = [];
  let server: RunningServer | undefined;
  const load = loadavg()[0]!;
  const began = now();
  try {
    await docker.ping();
    if (!(await docker.inspectImage(IMAGE))) throw new Error(`image ${IMAGE} is not in the local cache (scripts/build-test-images.sh builds it)`);
    server = await startServer({ dataDir, port: 0, serviceParams: { healthyAfterMs: HEALTHY_AFTER_MS } });
    watchStore(server);
    installTracing();
    const api = new EcsAgentApi(server.url, server.credentials, "us-east-1");
    const cluster = `bench-svc-${RUN_ID}`;
    await api.call("CreateCluster", { clusterName: cluster });
    for (let i = 0; i < AGENTS; i++) {
      agents.push(
        await startAgent({
          endpoint: server.url,
          cluster,
          dataDir: join(dataDir, `agent-${i}`),
          credentials: server.credentials,
          hostIp: `127.0.${200 + i}.${10 + Math.floor(Math.random() * 200)}`,
        }),
      );
    }
    const c: Ctx = { server, api, docker, cluster, service: "bench" };
    const rev1 = await register(c, `bench-svc-${RUN_ID}`, "1");
    await api.call("CreateService", {
      cluster,
      serviceName: c.service,
      taskDefinition: rev1,
      desiredCount: SERVICE_SIZE,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    });
    await stableAt(c, SERVICE_SIZE);

    const recovery: RecoverySample[] = [];
    for (const n of args["skip-recovery"] ? [] : [1, 10]) {
      for (let r = 0; r < ROUNDS; r++) {
        const s = await recoveryRound(c, n);
        recovery.push(s);
        console.log(`kill ${n}: detection median ${f(median(s.detection))} ms (max ${f(Math.max(...s.detection))}), restored ${f(s.restoredDurable)} ms (API ${f(s.restoredApi)} ms)`);
      }
    }

    await api.call("UpdateService", { cluster, service: c.service, desiredCount: ROLLOUT_SIZE });
    const rollouts: RolloutSample[] = [];
    for (const [min, max, marker] of [[50, 200, "2"], [100, 150, "3"]] as const) {
      const td = await register(c, `bench-svc-${RUN_ID}`, marker);
      const r = await rollout(c, td, min, max);
      rollouts.push(r);
      console.log(`rollout ${ROLLOUT_SIZE} tasks min ${min}/max ${max}: wall ${f(r.wallMs)} ms, floor ${f(r.floor.floorMs)} ms (S ${medMax(r.startMs)}, H ${HEALTHY_AFTER_MS}, T ${medMax(r.stopMs)}; waves ${r.floor.waves.map((w) => w.count).join("+")})`);
      console.log(renderTimeline(r.timeline, args.verbose ?? false));
    }
    if (recovery.length === 0) return;
    const section = report(recovery, rollouts, load, (now() - began) / 1000);
    console.log(`\n${section}`);
    if (args.write) writeBenchSection("Services", section);
    else console.log("(not written: pass --write to update docs/benchmarks.md)");
  } finally {
    trace = undefined;
    if (server) {
      await new EcsAgentApi(server.url, server.credentials, "us-east-1")
        .call("DeleteService", { cluster: `bench-svc-${RUN_ID}`, service: "bench", force: true })
        .catch(() => undefined);
    }
    for (const a of agents) await a.close().catch(() => undefined);
    for (const a of agents) {
      const left = await docker.listContainers({ [WHARF_LABELS.instanceArn]: a.containerInstanceArn }).catch(() => []);
      await Promise.all(left.map((x) => docker.removeContainer(x.Id).catch(() => undefined)));
    }
    await server?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(recovery: RecoverySample[], rollouts: RolloutSample[], load: number, seconds: number): string {
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const byN = (n: number) => recovery.filter((r) => r.n === n);
  const rows = [1, 10].map((n) => {
    const rs = byN(n);
    const det = rs.flatMap((r) => r.detection);
    const restored = rs.map((r) => r.restoredDurable);
    const api = rs.map((r) => r.restoredApi);
    return `| ${n} | ${rs.length} | ${f(median(det))} | ${f(Math.max(...det))} | ${f(median(restored))} | ${f(Math.max(...restored))} | ${f(median(api))} | ${f(Math.max(...api))} |`;
  });
  const worstDetect = Math.max(...recovery.flatMap((r) => r.detection));
  const worst10 = Math.max(...byN(10).map((r) => r.restoredApi));
  const phaseNames = recovery[0]!.phases.map(([name]) => name);
  const phaseRows = phaseNames.map((name, i) => {
    const cell = (n: number) => f(median(byN(n).map((r) => r.phases[i]![1])), 0);
    return `| ${name} | ${cell(1)} | ${cell(10)} |`;
  });
  const rolloutRows = rollouts.map((r) => {
    const over = r.wallMs - r.floor.floorMs;
    return `| ${r.desired} | ${r.minimumHealthyPercent} / ${r.maximumPercent} | ${r.floor.waves.map((w) => w.count).join(" + ")} | ${medMax(r.startMs)} | ${f(HEALTHY_AFTER_MS)} | ${medMax(r.stopMs)} | ${f(r.floor.floorMs)} | ${f(r.wallMs)} | ${f(over)} (${f((100 * over) / r.floor.floorMs)}%) |`;
  });
  const phaseLines = rollouts.map((r) => {
    const ph = r.timeline.summary.phases.map((p) => `${p.phase} ${f(p.wallMs)} ms`).join(", ");
    return `- min ${r.minimumHealthyPercent} / max ${r.maximumPercent}: ${ph}; cost most: ${r.timeline.summary.costliest ?? "–"}.`;
  });
  return [
    "## Services",
    "",
    `Measured ${when} UTC with \`node dist/bench/service-recovery.js --rounds ${ROUNDS} --healthy-after-ms ${HEALTHY_AFTER_MS}\` on ${machine()}; 1-minute load average ${load.toFixed(1)} at the start; ${seconds.toFixed(0)} s in all.`,
    `One process runs a Wharf server (SQLite) and ${AGENTS} agents (the real agent code, in-process) against the local Docker Engine. A REPLICA service of ${SERVICE_SIZE} tasks (image \`${IMAGE}\`, \`${CMD.join(" ")}\`) is stable; N of its containers are killed at once through the Engine API (what \`docker kill\` sends). ` +
      "Detection is kill → the task's STOPPED state durable in the control plane's store (a write listener, no polling); restored is kill → every replacement's RUNNING durable; the API column is kill → `DescribeServices` showing `runningCount` back at 10 (20 ms polls). Each round starts from a stable service.",
    "",
    "| N killed | rounds | detection p50 ms | detection max ms | restored p50 ms | restored max ms | API shows it p50 ms | API max ms |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    `Goals (issue "Services"): detection ≤ 1 s — worst ${f(worstDetect)} ms, ${worstDetect <= 1000 ? "met" : "missed"}; N=10 restored ≤ 5 s — worst ${f(worst10)} ms, ${worst10 <= 5000 ? "met" : "missed"}.`,
    "",
    "Where the time goes (traced in-process: the agent's Docker and API calls and the server's store commits; medians over the killed tasks and rounds, ms after the kill):",
    "",
    "| Step | N=1 | N=10 |",
    "|---|---:|---:|",
    ...phaseRows,
    "",
    explain(recovery),
    "",
    `Rolling deployment of ${ROLLOUT_SIZE} tasks to a new revision, healthy-after ${HEALTHY_AFTER_MS} ms (ECS's rule is 40 s for tasks without a health check; the bench shortens it so a run takes seconds — the floor scales with it). ` +
      "Wall time is UpdateService → `DescribeServices` shows one deployment, COMPLETED (20 ms polls). S (a new task's launch → RUNNING) and T (an old task's stop → STOPPED) are measured per task in the same run from the deployment's timeline (`wharf deployments`). " +
      "The floor is what an ideal scheduler with zero reaction time would take with those per-task S and T, H, and the same min/max rules (bench/service-floor.ts simulates it): when maximumPercent leaves room for every new task at once, floor = max(S_max + H, S_(D−minH) + H + T) with minH = ceil(D·min%) — the D − minH surplus old tasks stop at once and each remaining old one can stop as soon as one more new task is healthy; otherwise the new tasks go in waves of about k = floor(D·max%) − ceil(D·min%), each costing S + H plus the T that frees its slots, W = ceil(D / k) waves in all.",
    "",
    "| tasks | min / max % | launches (floor's schedule) | S ms p50 / max | H ms | T ms p50 / max | floor ms | wall ms | over the floor |",
    "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ...rolloutRows,
    "",
    `Wall − floor is the control plane's own reaction time (UpdateService → first pass, the pass after each task turns healthy or stops, the client's 20 ms polls): ${rollouts.map((r) => `${f(r.wallMs - r.floor.floorMs)} ms`).join(" and ")} here. ` +
      "With ECS's 40 s healthy-after rule instead of the bench's setting, H dominates both deployments even more; a container health check that passes quickly is what shortens a rollout.",
    "",
    "The deployments' timelines (wall-clock time during which some task was in each phase):",
    "",
    ...phaseLines,
    "",
  ].join("\n");
}

/** Where the recovery time goes, from the N=10 medians. */
function explain(recovery: RecoverySample[]): string {
  const ten = recovery.filter((r) => r.n === 10);
  const step = (i: number) => median(ten.map((r) => r.phases[i]![1]));
  const [killed, , , durable, written, , started, running] = [0, 1, 2, 3, 4, 5, 6, 7].map(step) as number[];
  return (
    `With 10 kills, the Engine's own kill calls return at ${f(killed!)} ms (median) and the agents' \`docker wait\` returns with them: detection is Docker's time to kill and tear down 10 containers at once; ` +
    `Wharf then needs ${f(durable! - killed!)} ms to have the STOPPED states durable and ${f(written! - durable!)} ms more to write the replacements (trigger → work queue → RunTask). ` +
    `Restoring is container start: the replacements' Engine starts finish ${f(started! - written!)} ms after they are written (10 starts at once), and RUNNING is durable ${f(running! - started!)} ms after that.`
  );
}


main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
