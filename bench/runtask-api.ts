/**
 * RunTask end to end through the API, against thousands of simulated container instances.
 *
 * For each fleet size (--instances, default 1000 and 5000): a fresh Wharf server in its own
 * process (bench/runtask-server.ts, SQLite with synchronous=FULL), a cluster, and
 * `wharf agent --simulate N` in another process (N instances over 3 AZs and 5 instance types,
 * virtual containers that report PENDING then RUNNING for every task). Then --clients
 * concurrent keep-alive clients send SigV4-signed RunTask calls with count=10 and
 * spread(attribute:ecs.availability-zone) then binpack(memory), 20% of them with a memberOf
 * constraint, until --calls calls are answered (or --seconds pass). Reported: tasks placed/s,
 * calls/s, p50/p99 per call, the first call (which builds the cluster's placement index), the
 * server's CPU time per call and RSS, and how long the fleet took to register. With --snapshot
 * the largest size runs again with the per-call snapshot instead of the kept index.
 *
 * Run: npx tsc -p . && node dist/bench/runtask-api.js [--instances 1000,5000] [--calls 600]
 *        [--clients 8] [--seconds 60] [--snapshot] [--write]
 * --write inserts the table into docs/benchmarks.md's "Placement" section (replacing only its
 * own "### RunTask through the API" part).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { signedCall } from "./lib/signed-call.js";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "1000,5000" },
    calls: { type: "string", default: "600" },
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "60" },
    snapshot: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    /** A PostgreSQL URL: the server keeps its state there instead of SQLite (bench/store-pg.ts). */
    store: { type: "string" },
    /** Directory for a `--cpu-prof` profile of the server process. */
    profile: { type: "string" },
  },
});
const SIZES = args.instances.split(",").map(Number);
const CALLS = Number(args.calls);
const CLIENTS = Number(args.clients);
const CAP_MS = Number(args.seconds) * 1000;
const COUNT = 10;
const REPO = process.cwd();
const TARGET = "AmazonEC2ContainerServiceV20141113";
const accessKeyId = "AKIABENCHRUNTASK0000";
const secretAccessKey = "bench-runtask-secret-bench-runtask-0000";
const TYPES = "m5.large,m5.xlarge,c5.2xlarge,r5.xlarge,g4dn.xlarge";
const MEMBER_OF = [
  "attribute:ecs.instance-type =~ g4dn.*",
  "attribute:ecs.instance-type in [m5.xlarge, r5.xlarge]",
  "attribute:ecs.instance-type != m5.large and attribute:ecs.os-type == linux",
];

interface Conn {
  port: number;
  agent: Agent;
}

const call = (c: Conn, op: string, input: unknown): Promise<any> =>
  signedCall({ ...c, accessKeyId, secretAccessKey }, TARGET, "ecs", op, input);


const env = { ...process.env, WHARF_ACCESS_KEY_ID: accessKeyId, WHARF_SECRET_ACCESS_KEY: secretAccessKey };

/** Spawns a process and resolves the first stdout line matching `ready` (with the process). */
async function spawnUntil(cmd: string[], ready: RegExp, timeoutMs: number, nodeArgs: string[] = []): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, [...nodeArgs, ...cmd], { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout! });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd.join(" ")}: not ready in ${timeoutMs} ms`)), timeoutMs);
    lines.on("line", (l) => {
      const m = ready.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.once("exit", (code) => reject(new Error(`${cmd.join(" ")} exited with ${code}`)));
  });
  return { proc, match };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (proc.exitCode === null) proc.kill("SIGKILL");
}

/** user+system CPU seconds of a process. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
}

interface Row {
  instances: number;
  mode: string;
  registerSeconds: number;
  firstCallMs: number;
  calls: number;
  placed: number;
  failedTasks: number;
  seconds: number;
  tasksPerSec: number;
  callsPerSec: number;
  p50: number;
  p99: number;
  serverCpuMsPerCall: number;
  serverRss: number;
  agentsCpuPct: number;
  perAz: string;
}

async function runSize(instances: number, snapshot: boolean): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-runtask-"));
  const server = await spawnUntil(
    [join(REPO, "dist", "bench", "runtask-server.js"), "--data-dir", dataDir, ...(snapshot ? ["--snapshot"] : []), ...(args.store ? ["--store", args.store] : [])],
    /^READY (\d+)$/,
    30_000,
    args.profile ? ["--cpu-prof", "--cpu-prof-dir", args.profile] : [],
  );
  const port = Number(server.match[1]);
  let fleet: ChildProcess | undefined;
  try {
    const conns: Conn[] = Array.from({ length: CLIENTS }, () => ({ port, agent: new Agent({ keepAlive: true, maxSockets: 1 }) }));
    const cluster = `bench-${instances}`;
    await call(conns[0]!, "CreateCluster", { clusterName: cluster });
    for (let f = 0; f < 8; f++) {
      await call(conns[0]!, "RegisterTaskDefinition", {
        family: `bench-${f}`,
        containerDefinitions: [{ name: "app", image: "busybox", cpu: [64, 128, 128, 256][f % 4], memory: [256, 512, 768, 1024][(f >> 1) % 4] }],
      });
    }
    const t0 = performance.now();
    const sim = await spawnUntil(
      [join(REPO, "bin", "wharf.js"), "agent", "--simulate", String(instances), "--cluster", cluster, "--endpoint", `http://127.0.0.1:${port}`, "--az-count", "3", "--instance-types", TYPES, "--cpu", "4096", "--memory", "16384"],
      /^Wharf simulated agents are up/,
      600_000,
    );
    fleet = sim.proc;
    const registerSeconds = (performance.now() - t0) / 1000;

    let callNo = 0;
    const input = () => {
      const n = callNo++;
      const req: Record<string, unknown> = {
        cluster,
        taskDefinition: `bench-${n % 8}`,
        count: COUNT,
        placementStrategy: [
          { type: "spread", field: "attribute:ecs.availability-zone" },
          { type: "binpack", field: "memory" },
        ],
      };
      if (n % 5 === 4) req.placementConstraints = [{ type: "memberOf", expression: MEMBER_OF[n % MEMBER_OF.length] }];
      return req;
    };
    const f0 = performance.now();
    const first = await call(conns[0]!, "RunTask", input());
    const firstCallMs = performance.now() - f0;
    let placed = first.tasks.length;
    let failedTasks = COUNT - first.tasks.length;
    const azCount: Record<string, number> = {};
    const lat: number[] = [];
    const cpu0 = cpuSeconds(server.proc.pid!);
    const agentCpu0 = cpuSeconds(fleet.pid!);
    const start = performance.now();
    let done = 0;
    await Promise.all(
      conns.map(async (c) => {
        while (done < CALLS && performance.now() - start < CAP_MS) {
          done++;
          const s = performance.now();
          const out = await call(c, "RunTask", input());
          lat.push(performance.now() - s);
          placed += out.tasks.length;
          failedTasks += COUNT - out.tasks.length;
          for (const t of out.tasks) azCount[t.availabilityZone] = (azCount[t.availabilityZone] ?? 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds(server.proc.pid!) - cpu0;
    const agentsCpu = cpuSeconds(fleet.pid!) - agentCpu0;
    for (const c of conns) c.agent.destroy();
    return {
      instances,
      mode: (snapshot ? "per-call snapshot" : "kept index") + (args.store ? ", PostgreSQL" : ""),
      registerSeconds,
      firstCallMs,
      calls: lat.length,
      placed: placed - first.tasks.length,
      failedTasks,
      seconds,
      tasksPerSec: (placed - first.tasks.length) / seconds,
      callsPerSec: lat.length / seconds,
      p50: quantile(lat, 0.5),
      p99: quantile(lat, 0.99),
      serverCpuMsPerCall: (cpu * 1000) / lat.length,
      serverRss: rssMiB(server.proc.pid!),
      agentsCpuPct: (agentsCpu / seconds) * 100,
      perAz: Object.keys(azCount).sort().map((k) => azCount[k]!.toLocaleString("en")).join(" / "),
    };
  } finally {
    if (fleet) await stop(fleet);
    await stop(server.proc);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const rows: Row[] = [];
  const load = loadavg()[0]!.toFixed(1);
  for (const n of SIZES) {
    rows.push(await runSize(n, false));
    console.error(JSON.stringify(rows.at(-1)));
  }
  if (args.snapshot) {
    rows.push(await runSize(Math.max(...SIZES), true));
    console.error(JSON.stringify(rows.at(-1)));
  }
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const md = [
    `Measured ${when} UTC with \`node dist/bench/runtask-api.js\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; 1-minute load average ${load} at the start.`,
    `Three processes on the one machine: Wharf (\`startServer\`, ${args.store ? "PostgreSQL (`synchronous_commit=on`, same machine)" : "SQLite \`synchronous=FULL\`"}, service controller off), ` +
      `\`wharf agent --simulate N\` (N instances: 3 AZs, ${TYPES.split(",").length} instance types, 4096 CPU units and 16 GiB each; ` +
      `grouped long polls; every task reported PENDING then RUNNING, ${"2"} SubmitTaskStateChange calls per task), and the load generator: ` +
      `${CLIENTS} keep-alive clients sending SigV4-signed RunTask calls (count=${COUNT}, \`spread(attribute:ecs.availability-zone)\` then ` +
      `\`binpack(memory)\`, 1 call in 5 with a \`memberOf\` constraint, 8 task definitions of 64–256 CPU units and 256–1024 MiB), ` +
      `${CALLS} calls per size after one first call. Each RunTask is placed under its cluster's lock and answered once its tasks are on disk.`,
    "",
    "| Instances | Placement state | Tasks placed/s | RunTask calls/s | p50 ms | p99 ms | First call ms (builds the index) | Server CPU ms/call | Server RSS MiB | Simulated fleet CPU | Fleet registered in | Tasks per AZ |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map(
      (r) =>
        `| ${r.instances.toLocaleString("en")} | ${r.mode} | ${Math.round(r.tasksPerSec).toLocaleString("en")} | ${r.callsPerSec.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.firstCallMs.toFixed(0)} | ${r.serverCpuMsPerCall.toFixed(2)} | ${r.serverRss} | ${r.agentsCpuPct.toFixed(0)}% | ${r.registerSeconds.toFixed(1)} s | ${r.perAz} |`,
    ),
    "",
    "Each RunTask call of 10 tasks also brings 20 SubmitTaskStateChange calls (PENDING, RUNNING) and up to 10 grouped-poll answers to the server; " +
      "`Server CPU ms/call` counts them all. `--profile DIR` writes a CPU profile of the server process.",
    "",
    `Tasks not placed: ${rows.map((r) => `${r.failedTasks} of ${((r.calls + 1) * COUNT).toLocaleString("en")} (${r.instances.toLocaleString("en")}${r.mode === "kept index" ? "" : `, ${r.mode}`})`).join(", ")}.`,
  ].join("\n");
  console.log(md);
  if (args.write) writeSection(md);
}

/** Inserts (or replaces) "### RunTask through the API" inside "## Placement" of docs/benchmarks.md; the rest stays. */
function writeSection(body: string): void {
  const file = join(REPO, "docs", "benchmarks.md");
  const text = readFileSync(file, "utf8");
  const heading = "### RunTask through the API";
  const section = `${heading}\n\n${body}\n`;
  const placement = text.indexOf("## Placement\n");
  if (placement < 0) return writeFileSync(file, `${text.trimEnd()}\n\n## Placement\n\n${section}`);
  const sectionEnd = (() => {
    const i = text.indexOf("\n## ", placement + 1);
    return i < 0 ? text.length : i + 1;
  })();
  const own = text.indexOf(`${heading}\n`, placement);
  if (own >= 0 && own < sectionEnd) {
    const next = text.slice(own + heading.length).search(/\n##+ /);
    const end = next < 0 ? sectionEnd : Math.min(sectionEnd, own + heading.length + next + 1);
    return writeFileSync(file, text.slice(0, own) + section + (end < text.length ? `\n${text.slice(end)}` : ""));
  }
  writeFileSync(file, `${text.slice(0, sectionEnd).trimEnd()}\n\n${section}\n${text.slice(sectionEnd)}`);
}

await main();
