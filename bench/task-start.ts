/**
 * Task start latency: Wharf's RunTask → RUNNING against raw `docker run -d` of the same image
 * and command, in the same run, on the same Docker Engine.
 *
 * One process holds a Wharf server (temp data dir, random port) and one in-process agent
 * (`startAgent`, the real agent code, talking to the real Engine). For each of N tasks, one
 * after another, in a rotating order so neither side always goes first:
 *   - Wharf: RunTask sent → DescribeTasks (polled every 10 ms) shows `lastStatus: RUNNING`. Also
 *     the moment the agent's RUNNING report is durable in the store (a write listener on the
 *     server's store: no polling delay), and the moment the agent itself has the task running.
 *   - `docker run -d IMAGE CMD` through the docker CLI, as a user types it (spawn → exit).
 *   - Engine API create + start (POST /containers/create, POST /containers/{id}/start) with a
 *     body like the CLI's: the floor for any agent.
 * Each sample's containers are removed before the next sample starts, so every start sees the
 * same engine state. It prints p50/p99 and the Wharf/docker ratio at p50 (goal ≤ 1.25×), and a
 * per-phase breakdown of Wharf's path, traced by wrapping the agent's Docker client and API
 * client methods in this process (timestamps only; nothing is changed).
 *
 * Run: `node dist/bench/task-start.js [--tasks 30] [--warmup 3] [--write]`
 * (`--write` replaces the "## Task start latency" section of docs/benchmarks.md.)
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs, promisify } from "node:util";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { EcsAgentApi } from "../src/agent/api-client.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { startServer, type RunningServer } from "../src/server.js";
import { withWriteListener } from "../src/store/observed-store.js";
import type { WriteOp } from "../src/store/store.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { median, percentile } from "./lib/stats.js";

const run = promisify(execFile);
const REPO = process.cwd();
const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "40" },
    warmup: { type: "string", default: "3" },
    image: { type: "string", default: "wharf-test/busybox:latest" },
    write: { type: "boolean", default: false },
  },
});
const N = Math.max(20, Number(args.tasks));
const WARMUP = Number(args.warmup);
const IMAGE = args.image!;
/** Exits at once on SIGTERM (sh as PID 1 would ignore it otherwise), so clean-up is quick. */
const CMD = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'];
const RUN_ID = Math.random().toString(16).slice(2, 10);
const BENCH_LABEL = "wharf.bench.task-start";
const TASK_TIMEOUT_MS = 30_000;
const POLL_MS = 10;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Tracing: timestamps of the agent's Docker and API calls while a Wharf sample runs.

interface TraceEvent {
  what: string;
  start: number;
  end?: number;
  detail?: string;
}
/** The events of the Wharf sample in flight (undefined between samples). */
let trace: TraceEvent[] | undefined;

function record(what: string, start: number, end: number | undefined, detail?: string): void {
  trace?.push({ what, start, end, detail });
}

/** Wraps every method of a prototype so each call leaves a timed trace event. */
function tracePrototype(proto: object, prefix: string, describe: (name: string, args: unknown[]) => string | undefined): void {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (name === "constructor" || !desc || typeof desc.value !== "function") continue;
    const original = desc.value as (...a: unknown[]) => unknown;
    if (original.constructor.name === "AsyncGeneratorFunction") continue; // long-lived streams (events)
    Object.defineProperty(proto, name, {
      ...desc,
      value: function (this: unknown, ...a: unknown[]) {
        const start = now();
        const detail = describe(name, a);
        const out = original.apply(this, a);
        if (out instanceof Promise) {
          return out.then(
            (v) => (record(`${prefix}.${name}`, start, now(), detail), v),
            (e: Error) => {
              record(`${prefix}.${name}`, start, now(), `${detail ?? ""} FAILED ${e.message.slice(0, 80)}`);
              throw e;
            },
          );
        }
        return out;
      },
    });
  }
}

function installTracing(): void {
  tracePrototype(DockerClient.prototype, "docker", (name, a) => (name === "pullImage" || name === "inspectImage" ? String(a[0]) : undefined));
  // The agent's poll answers and its reports (the bench's own calls go through `call`, not traced).
  const api = EcsAgentApi.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const poll = api.poll!;
  api.poll = function (this: unknown, ...a: unknown[]) {
    return poll.apply(this, a).then((res) => {
      const tasks = (res as { tasks?: { taskArn: string }[] }).tasks ?? [];
      // The answer may beat RunTask's own answer to the client: keep the ARNs, match them later.
      if (trace) record("agent.pollAnswer", now(), undefined, tasks.map((t) => t.taskArn).join(" "));
      return res;
    });
  };
  for (const op of ["submitTaskStateChange", "submitContainerStateChange"]) {
    const fn = api[op]!;
    api[op] = function (this: unknown, ...a: unknown[]) {
      const body = a[0] as { task?: string; status?: string };
      const start = now();
      return fn.apply(this, a).then((v) => {
        if (trace) record(`report.${body.status ?? "container"}`, start, now(), body.task);
        return v;
      });
    };
  }
}

/** Watches the server's store: when does a task doc with lastStatus RUNNING become durable? */
function watchStore(server: RunningServer): Map<string, number> {
  const runningAt = new Map<string, number>();
  const deps = server.deps as { store: RunningServer["deps"]["store"] };
  deps.store = withWriteListener(deps.store, (ops: readonly WriteOp[]) => {
    const t = now();
    for (const op of ops) {
      const v = (op as { value?: { taskArn?: string; lastStatus?: string } }).value;
      if (!v?.taskArn) continue;
      if (v.lastStatus === "RUNNING" && !runningAt.has(v.taskArn)) runningAt.set(v.taskArn, t);
      if (trace && v.lastStatus) record(`store.${v.lastStatus}`, t, undefined, v.taskArn);
    }
  });
  return runningAt;
}

// ---------------------------------------------------------------------------------------------
// The three ways to start a container.

interface WharfSample {
  /** RunTask sent → DescribeTasks showed RUNNING (10 ms polls). */
  describe: number;
  /** RunTask sent → the RUNNING report was durable on the server. */
  committed: number;
  /** RunTask sent → RunTask answered. */
  runTask: number;
  arn: string;
  events: TraceEvent[];
}

async function wharfSample(ctx: Ctx): Promise<WharfSample> {
  const events: TraceEvent[] = [];
  trace = events;
  const t0 = now();
  record("client.RunTask", t0, undefined);
  const out = await ctx.api.call<{ tasks: { taskArn: string }[]; failures: unknown[] }>("RunTask", {
    cluster: ctx.cluster,
    taskDefinition: ctx.taskDefinition,
  });
  const runTask = now() - t0;
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(out.failures)}`);
  record("client.RunTaskAnswered", now(), undefined);
  let seen: number | undefined;
  while (seen === undefined) {
    const d = await ctx.api.call<{ tasks: { lastStatus: string; stoppedReason?: string }[] }>("DescribeTasks", {
      cluster: ctx.cluster,
      tasks: [arn],
    });
    const status = d.tasks?.[0]?.lastStatus;
    if (status === "RUNNING") seen = now();
    else if (status === "STOPPED") throw new Error(`task stopped before RUNNING: ${d.tasks[0]!.stoppedReason}`);
    else if (now() - t0 > TASK_TIMEOUT_MS) throw new Error(`task not RUNNING after ${TASK_TIMEOUT_MS} ms (${status})`);
    else await sleep(POLL_MS);
  }
  record("client.DescribeSawRunning", seen, undefined);
  trace = undefined;
  const committedAt = ctx.runningAt.get(arn);
  // Clean up before the next sample: StopTask, then the agent's loop ends once the container is gone.
  await ctx.api.call("StopTask", { cluster: ctx.cluster, task: arn, reason: "bench" });
  await Promise.race([ctx.agent.engine.whenDone(arn), sleep(TASK_TIMEOUT_MS)]);
  return { arn, describe: seen - t0, committed: (committedAt ?? NaN) - t0, runTask, events: events.map((e) => ({ ...e, start: e.start - t0, end: e.end === undefined ? undefined : e.end - t0 })) };
}

async function dockerCliSample(ctx: Ctx): Promise<number> {
  const t0 = now();
  const { stdout } = await run("docker", ["run", "-d", "--label", `${BENCH_LABEL}=${RUN_ID}`, IMAGE, ...CMD]);
  const ms = now() - t0;
  await ctx.docker.removeContainer(stdout.trim());
  return ms;
}

/** Engine API create + start; also the two calls' own times, to compare with the agent's. */
async function dockerApiSample(ctx: Ctx, i: number): Promise<{ total: number; create: number; start: number }> {
  const t0 = now();
  const id = await ctx.docker.createContainer(`wharf-bench-${RUN_ID}-${i}`, {
    Image: IMAGE,
    Cmd: CMD,
    Labels: { [BENCH_LABEL]: RUN_ID },
    HostConfig: { NetworkMode: "default" },
  });
  const t1 = now();
  await ctx.docker.startContainer(id);
  const t2 = now();
  await ctx.docker.removeContainer(id);
  return { total: t2 - t0, create: t1 - t0, start: t2 - t1 };
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  server: RunningServer;
  agent: RunningAgent;
  api: EcsAgentApi;
  docker: DockerClient;
  cluster: string;
  taskDefinition: string;
  runningAt: Map<string, number>;
}

const pct = percentile;
const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

/** Per-phase medians of Wharf's path, from the traced events of every measured sample. */
function phases(samples: WharfSample[]): { rows: [string, number, number][]; lines: string[]; summary: string } {
  /** Offset (ms from RunTask sent) of the first event matching, per sample. */
  const at = (s: WharfSample, what: string, edge: "start" | "end" = "start", after = -Infinity): number => {
    const mine = (x: TraceEvent) => !/^(agent|report|store)\./.test(x.what) || (x.detail ?? "").includes(s.arn);
    const e = s.events.find((x) => x.what === what && x.start >= after && mine(x));
    return e === undefined ? NaN : edge === "end" ? (e.end ?? e.start) : e.start;
  };
  const marks = samples.map((s) => {
    const poll = at(s, "agent.pollAnswer");
    const pullStart = at(s, "docker.pullImage", "start", poll);
    const pullEnd = at(s, "docker.pullImage", "end", poll);
    const fallbackEnd = at(s, "docker.inspectImage", "end", pullStart);
    const createStart = at(s, "docker.createContainer", "start", poll);
    const createEnd = at(s, "docker.createContainer", "end", poll);
    const startEnd = at(s, "docker.startContainer", "end", poll);
    const inspectEnd = at(s, "docker.inspectContainer", "end", startEnd);
    const pendingSent = at(s, "report.PENDING");
    const pendingAck = at(s, "report.PENDING", "end");
    const runningSent = at(s, "report.RUNNING");
    const runningAck = at(s, "report.RUNNING", "end");
    return {
      runTaskAnswered: at(s, "client.RunTaskAnswered"),
      storeProvisioning: at(s, "store.PROVISIONING"),
      poll,
      pullStart,
      pullEnd: Number.isFinite(fallbackEnd) && fallbackEnd < createStart ? fallbackEnd : pullEnd,
      pullOnly: pullEnd - pullStart,
      createStart,
      createEnd,
      startEnd,
      inspectEnd,
      pendingSent,
      pendingAck,
      runningSent,
      committed: s.committed,
      runningAck,
      describe: s.describe,
    };
  });
  const m = (k: keyof (typeof marks)[number]) => median(marks.map((x) => x[k]));
  const seg = (a: keyof (typeof marks)[number], b: keyof (typeof marks)[number]) => median(marks.map((x) => x[b] - x[a]));
  const rows: [string, number, number][] = [
    ["RunTask durable (task written, agent's poll woken)", m("storeProvisioning"), m("storeProvisioning")],
    ["agent receives the assignment (long-poll answer)", m("poll"), seg("storeProvisioning", "poll")],
    ["pull attempt begins (task loop: plan, PENDING queued)", m("pullStart"), seg("poll", "pullStart")],
    ["pull attempt done (incl. cached-image fallback)", m("pullEnd"), seg("pullStart", "pullEnd")],
    ["container create sent (volumes, limits)", m("createStart"), seg("pullEnd", "createStart")],
    ["container created", m("createEnd"), seg("createStart", "createEnd")],
    ["container started", m("startEnd"), seg("createEnd", "startEnd")],
    ["inspected (network bindings)", m("inspectEnd"), seg("startEnd", "inspectEnd")],
    ["RUNNING report sent (after PENDING's ack)", m("runningSent"), seg("inspectEnd", "runningSent")],
    ["RUNNING durable in the store", m("committed"), seg("runningSent", "committed")],
    ["RUNNING report acknowledged", m("runningAck"), seg("committed", "runningAck")],
    ["DescribeTasks shows RUNNING (10 ms polls)", m("describe"), seg("committed", "describe")],
  ];
  const lines = [
    `RunTask answered at ${f(m("runTaskAnswered"), 1)} ms; PENDING report sent ${f(m("pendingSent"), 1)} ms, acknowledged ${f(m("pendingAck"), 1)} ms; ` +
      `pull call alone ${f(m("pullOnly"), 1)} ms.`,
  ];
  const startShare = seg("createEnd", "startEnd") / m("describe");
  const summary =
    `Docker's own \`start\` is ${f(startShare * 100)}% of Wharf's path. Wharf adds ${f(m("createStart"), 0)} ms before the create call ` +
    `(control plane and long-poll wake-up ${f(m("poll"), 1)} ms, the pull attempt ${f(seg("pullStart", "pullEnd"), 1)} ms: ECS's default ` +
    "pull behaviour, pull then fall back to the cached image) and " +
    `${f(seg("startEnd", "committed"), 1)} ms after the start (inspect, report, commit), plus the client's polling delay.`;
  return { rows, lines, summary };
}

function machine(): string {
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync("nproc").toString().trim();
  } catch {
    /* keep os.cpus() */
  }
  let dockerVersion = "?";
  try {
    dockerVersion = execFileSync("docker", ["version", "--format", "{{.Server.Version}}"]).toString().trim();
  } catch {
    /* unknown */
  }
  return `${nproc} CPUs (${cpus()[0]?.model.trim() ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Docker Engine ${dockerVersion}`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-start-"));
  const docker = new DockerClient();
  let server: RunningServer | undefined;
  let agent: RunningAgent | undefined;
  const load = loadavg()[0]!;
  try {
    await docker.ping();
    if (!(await docker.inspectImage(IMAGE))) throw new Error(`image ${IMAGE} is not in the local cache (scripts/build-test-images.sh builds it)`);
    server = await startServer({ dataDir, port: 0 });
    const runningAt = watchStore(server);
    const api = new EcsAgentApi(server.url, server.credentials, "us-east-1");
    const cluster = `bench-start-${RUN_ID}`;
    await api.call("CreateCluster", { clusterName: cluster });
    agent = await startAgent({ endpoint: server.url, cluster, dataDir: join(dataDir, "agent"), credentials: server.credentials });
    const reg = await api.call<{ taskDefinition: { taskDefinitionArn: string } }>("RegisterTaskDefinition", {
      family: `bench-start-${RUN_ID}`,
      containerDefinitions: [{ name: "app", image: IMAGE, command: CMD, memoryReservation: 32, essential: true }],
    });
    installTracing();
    const ctx: Ctx = { server, agent, api, docker, cluster, taskDefinition: reg.taskDefinition.taskDefinitionArn, runningAt };

    const wharf: WharfSample[] = [];
    const cli: number[] = [];
    const engineApi: number[] = [];
    const apiCreate: number[] = [];
    const apiStart: number[] = [];
    const kinds = ["wharf", "cli", "api"] as const;
    const started = now();
    for (let i = 0; i < WARMUP + N; i++) {
      const measured = i >= WARMUP;
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(i + k) % kinds.length]!;
        if (kind === "wharf") {
          const s = await wharfSample(ctx);
          if (measured) wharf.push(s);
        } else if (kind === "cli") {
          const ms = await dockerCliSample(ctx);
          if (measured) cli.push(ms);
        } else {
          const r = await dockerApiSample(ctx, i);
          if (measured) {
            engineApi.push(r.total);
            apiCreate.push(r.create);
            apiStart.push(r.start);
          }
        }
      }
      if (measured) {
        const w = wharf[wharf.length - 1]!;
        process.stderr.write(`sample ${i - WARMUP + 1}/${N}: wharf ${f(w.describe)} ms (durable ${f(w.committed)}), docker run ${f(cli[cli.length - 1]!)} ms, API ${f(engineApi[engineApi.length - 1]!)} ms\n`);
      }
    }
    const seconds = (now() - started) / 1000;

    const describeMs = wharf.map((s) => s.describe);
    const committedMs = wharf.map((s) => s.committed);
    const ratio = median(describeMs) / median(cli);
    const ratioCommitted = median(committedMs) / median(cli);
    const table = [
      "| Path | p50 ms | p99 ms | min ms | max ms | vs `docker run -d` p50 |",
      "|---|---:|---:|---:|---:|---:|",
      `| Wharf: RunTask → DescribeTasks shows RUNNING (10 ms polls) | ${f(median(describeMs))} | ${f(pct(describeMs, 99))} | ${f(Math.min(...describeMs))} | ${f(Math.max(...describeMs))} | ${f(ratio, 2)}× |`,
      `| Wharf: RunTask → RUNNING report durable on the server | ${f(median(committedMs))} | ${f(pct(committedMs, 99))} | ${f(Math.min(...committedMs))} | ${f(Math.max(...committedMs))} | ${f(ratioCommitted, 2)}× |`,
      `| \`docker run -d\` (CLI) | ${f(median(cli))} | ${f(pct(cli, 99))} | ${f(Math.min(...cli))} | ${f(Math.max(...cli))} | 1.00× |`,
      `| Engine API create + start | ${f(median(engineApi))} | ${f(pct(engineApi, 99))} | ${f(Math.min(...engineApi))} | ${f(Math.max(...engineApi))} | ${f(median(engineApi) / median(cli), 2)}× |`,
    ].join("\n");
    const ph = phases(wharf);
    ph.lines.push(
      `For comparison, the Engine API baseline's own calls: create ${f(median(apiCreate), 1)} ms, start ${f(median(apiStart), 1)} ms (medians).`,
    );
    const phaseTable = [
      "| Phase of Wharf's path (medians over the samples) | at ms | takes ms |",
      "|---|---:|---:|",
      ...ph.rows.map(([name, at, takes]) => `| ${name} | ${f(at, 1)} | ${f(takes, 1)} |`),
    ].join("\n");
    console.log(`\n${table}\n\n${phaseTable}\n\n${ph.lines.join("\n")}\n${ph.summary}`);
    console.log(`Wharf/docker at p50: ${f(ratio, 2)}× (goal ≤ 1.25×) — ${ratio <= 1.25 ? "met" : "missed"}`);

    const when = new Date().toISOString().slice(0, 16).replace("T", " ");
    const section = [
      "## Task start latency",
      "",
      `Measured ${when} UTC with \`node dist/bench/task-start.js --tasks ${N}\` on ${machine()}; 1-minute load average ${load.toFixed(1)} at the start; ${seconds.toFixed(0)} s in all.`,
      `One process runs a Wharf server (SQLite, \`synchronous=FULL\`) and one agent (the real agent code) against the local Docker Engine. ${N} samples (after ${WARMUP} warm-up rounds) of each path, one at a time, in rotating order; ` +
        `each sample's container is removed before the next starts. Image \`${IMAGE}\`, command \`${CMD[0]} ${CMD[1]} '${CMD[2]}'\`, bridge network, no port mappings. ` +
        "Wharf's time runs from sending RunTask to the first DescribeTasks that shows `lastStatus: RUNNING` (polled every 10 ms, as a client would); the second row is when the agent's RUNNING report was committed on the server (no polling delay). " +
        "`docker run -d` is timed from spawning the CLI to its exit (the container is running then).",
      "",
      table,
      "",
      `Goal (issue "Container instances and tasks"): ≤ 1.25× \`docker run -d\` at p50. This run: ${f(ratio, 2)}× — ${ratio <= 1.25 ? "met" : "missed"}.`,
      "",
      phaseTable,
      "",
      ph.lines.join("\n"),
      "",
      ph.summary,
      "",
    ].join("\n");
    if (args.write) writeBenchSection("Task start latency", section);
    else console.log("\n(not written: pass --write to update docs/benchmarks.md)\n\n" + section);
  } finally {
    trace = undefined;
    await agent?.close().catch(() => undefined);
    const leftovers = [
      ...(await docker.listContainers({ [BENCH_LABEL]: RUN_ID }).catch(() => [])),
      ...(agent ? await docker.listContainers({ [WHARF_LABELS.instanceArn]: agent.containerInstanceArn }).catch(() => []) : []),
    ];
    await Promise.all(leftovers.map((c) => docker.removeContainer(c.Id).catch(() => undefined)));
    await server?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}


main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
