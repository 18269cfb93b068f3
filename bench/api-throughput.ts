/**
 * API throughput: Wharf vs moto_server on the same machine, same requests, same load generator.
 *
 * Each server runs in its own process on loopback (Wharf: `wharf server` = startServer on a temp
 * data dir; moto: `moto_server -p PORT`). One task definition is registered on each; then for
 * DescribeTaskDefinition and RegisterTaskDefinition the load generator replays ONE pre-signed
 * request (a SigV4 signature stays valid for 15 minutes, and Wharf verifies it on every call)
 * over N keep-alive connections, with a bounded request count and a time cap. It reports req/s
 * and p50/p99 latency side by side and writes the table into docs/benchmarks.md.
 *
 * Run: `node dist/bench/api-throughput.js [--connections 16] [--requests 20000] [--seconds 15]`.
 */
import { execFileSync, type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signSigV4 } from "../src/edge/sigv4.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { freePort } from "./lib/net.js";

const TARGET = "AmazonEC2ContainerServiceV20141113";
const REPO = process.cwd();

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "16" },
    requests: { type: "string", default: "20000" },
    "moto-requests": { type: "string", default: "1500" },
    seconds: { type: "string", default: "15" },
    "no-write": { type: "boolean", default: false },
    /** Comma-separated operations (default: the two task-definition calls). */
    ops: { type: "string", default: "DescribeTaskDefinition,RegisterTaskDefinition" },
    /** Directory for a `--cpu-prof` profile of the Wharf process. */
    profile: { type: "string" },
  },
});
const CONNECTIONS = Number(args.connections);
const WHARF_REQUESTS = Number(args.requests);
const MOTO_REQUESTS = Number(args["moto-requests"]);
const MAX_SECONDS = Number(args.seconds);

interface Target {
  name: string;
  host: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  proc: ChildProcess;
}

interface Result {
  ok: number;
  failed: number;
  firstError?: string;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per answered request, in microseconds. */
  cpuUs: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (100/s)
  } catch {
    return NaN;
  }
}

const TASK_DEF = {
  family: "bench",
  containerDefinitions: [
    {
      name: "app",
      image: "busybox:latest",
      memory: 128,
      cpu: 64,
      essential: true,
      command: ["sleep", "3600"],
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
      environment: [{ name: "MODE", value: "bench" }],
    },
  ],
};


function signed(t: Target, op: string, input: unknown) {
  const body = JSON.stringify(input);
  const headers = signSigV4({
    method: "POST",
    url: "/",
    host: `${t.host}:${t.port}`,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${TARGET}.${op}` },
    body,
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    region: "us-east-1",
    service: "ecs",
  });
  return { headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, body };
}

function send(t: Target, agent: Agent, req: { headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: t.host, port: t.port, path: "/", method: "POST", headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

async function waitUp(t: Target, seconds = 30): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const r = await send(t, agent, signed(t, "ListClusters", {}));
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${t.name} did not come up on port ${t.port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Replays one pre-signed request `total` times over `connections` keep-alive sockets. */
async function drive(t: Target, op: string, input: unknown, total: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const req = signed(t, op, input);
  // Warm-up: open the sockets and let the JIT settle.
  await Promise.all(Array.from({ length: CONNECTIONS * 4 }, () => send(t, agent, req).catch(() => undefined)));
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let issued = 0;
  const cpu0 = cpuSeconds(t.proc.pid);
  const start = performance.now();
  const deadline = start + MAX_SECONDS * 1000;
  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        const r = await send(t, agent, req);
        latencies.push(performance.now() - t0);
        if (r.status === 200) ok++;
        else {
          failed++;
          firstError ??= `${r.status} ${r.body.slice(0, 160)}`;
        }
      } catch (e) {
        failed++;
        firstError ??= String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpuUs = ((cpuSeconds(t.proc.pid) - cpu0) * 1e6) / Math.max(1, ok + failed);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { ok, failed, firstError, seconds, rps: ok / seconds, p50: q(0.5), p99: q(0.99), cpuUs };
}

async function startWharf(dataDir: string): Promise<Target> {
  const accessKeyId = "AKIABENCHBENCHBENCH0";
  const secretAccessKey = "bench-secret-bench-secret-bench-secret-00";
  const port = await freePort();
  const prof = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${args.profile}`] : [];
  const proc = spawn(process.execPath, [...prof, join(REPO, "bin", "wharf.js"), "server", "--port", String(port), "--data-dir", dataDir], {
    env: {
      ...process.env,
      WHARF_ACCESS_KEY_ID: accessKeyId,
      WHARF_SECRET_ACCESS_KEY: secretAccessKey,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const t: Target = { name: "Wharf", host: "127.0.0.1", port, accessKeyId, secretAccessKey, proc };
  await waitUp(t);
  return t;
}

async function startMoto(): Promise<Target> {
  const port = await freePort();
  const shim = "/root/.pyenv/shims/moto_server";
  const proc = existsSync(shim)
    ? spawn(shim, ["-p", String(port), "-H", "127.0.0.1"], { stdio: "ignore" })
    : spawn("python3", ["-m", "moto.server", "-p", String(port), "-H", "127.0.0.1"], { stdio: "ignore" });
  const t: Target = { name: "moto", host: "127.0.0.1", port, accessKeyId: "testing", secretAccessKey: "testing", proc };
  await waitUp(t);
  return t;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync("nproc").toString().trim();
  } catch {
    /* keep os.cpus() */
  }
  let moto = "";
  try {
    moto = execFileSync("python3", ["-c", "import moto; print(moto.__version__)"]).toString().trim();
  } catch {
    moto = "?";
  }
  return `${nproc} CPUs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, moto ${moto}`;
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-"));
  const started: Target[] = [];
  try {
    const wharf = await startWharf(dataDir);
    started.push(wharf);
    const moto = await startMoto();
    started.push(moto);
    for (const t of [wharf, moto]) {
      const agent = new Agent({ keepAlive: false });
      const r = await send(t, agent, signed(t, "RegisterTaskDefinition", TASK_DEF));
      if (r.status !== 200) console.error(`${t.name}: RegisterTaskDefinition answered ${r.status} ${r.body.slice(0, 200)}`);
    }
    const inputs: Record<string, unknown> = {
      DescribeTaskDefinition: { taskDefinition: "bench" },
      RegisterTaskDefinition: TASK_DEF,
      CreateCluster: { clusterName: "bench" },
      DescribeClusters: { clusters: ["bench"] },
      ListClusters: {},
    };
    for (const t of [wharf, moto]) await send(t, new Agent(), signed(t, "CreateCluster", { clusterName: "bench" }));
    const ops: Array<[string, unknown]> = args.ops!.split(",").map((op) => [op, inputs[op] ?? {}]);
    const rows: string[] = [];
    const results: Record<string, { wharf: Result; moto: Result }> = {};
    for (const [op, input] of ops) {
      const w = await drive(wharf, op, input, WHARF_REQUESTS);
      const m = await drive(moto, op, input, MOTO_REQUESTS);
      results[op] = { wharf: w, moto: m };
      for (const [name, r] of [["Wharf", w], ["moto", m]] as const) {
        if (r.failed > 0) console.error(`${name} ${op}: ${r.failed} failed, first: ${r.firstError}`);
      }
      rows.push(
        `| ${op} | ${fmt(w.rps, 0)} | ${fmt(w.p50, 2)} | ${fmt(w.p99, 2)} | ${fmt(m.rps, 0)} | ${fmt(m.p50, 2)} | ${fmt(m.p99, 2)} | ` +
          `${w.ok > 0 && m.ok > 0 ? fmt(w.rps / m.rps, 1) + "×" : "n/a"} | ${fmt(w.cpuUs, 0)} · ${fmt(m.cpuUs, 0)} | ` +
          `${w.ok}/${w.ok + w.failed} · ${m.ok}/${m.ok + m.failed} |`,
      );
    }
    const table = [
      "| Operation | Wharf req/s | Wharf p50 ms | Wharf p99 ms | moto req/s | moto p50 ms | moto p99 ms | Wharf/moto | server CPU µs/req (Wharf · moto) | OK (Wharf · moto) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...rows,
    ].join("\n");
    const when = new Date().toISOString().slice(0, 16).replace("T", " ");
    const section = [
      "## API throughput",
      "",
      `Measured ${when} UTC with \`node dist/bench/api-throughput.js\` on ${machine()}.`,
      `Load: ${CONNECTIONS} concurrent keep-alive connections replaying one pre-signed SigV4 request ` +
        `(Wharf verifies the signature on every call); up to ${WHARF_REQUESTS} requests for Wharf and ` +
        `${MOTO_REQUESTS} for moto per operation, capped at ${MAX_SECONDS} s, after a warm-up. Both servers ` +
        "run in their own process on loopback; the load generator shares the machine's CPUs with them. " +
        "Wharf's RegisterTaskDefinition writes to SQLite with `synchronous=FULL`: each revision is on disk before the answer; concurrent writes are group-committed (one transaction and one fsync per event-loop turn).",
      "",
      table,
      "",
      "Goal (issue \"Foundation\"): ≥ 10× moto's throughput and p99 ≤ 20 ms.",
      "",
    ].join("\n");
    console.log(table);
    console.log(JSON.stringify(results));
    if (!args["no-write"]) writeBenchSection("API throughput", section);
  } finally {
    for (const t of started) t.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    for (const t of started) if (t.proc.exitCode === null && t.proc.signalCode === null) t.proc.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}


main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
