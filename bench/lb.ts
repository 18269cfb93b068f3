// Load balancer data plane benchmark: requests/s and p99 through a Wharf HTTP listener
// (HaproxyDataPlane, HAProxy 2.6) against nginx as a reverse proxy to the same backends, in the
// same run, and against the backends directly (for the added p99).
//   node dist/bench/lb.js [--seconds 10] [--concurrency 32] [--latency-rate 1000] [--rounds 2] [--write]
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HaproxyDataPlane } from "../src/lb/haproxy-data-plane.js";
import { desiredState, healthCheck, httpListener, target, targetGroup } from "../test/unit/lb-fixtures.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { freePort } from "./lib/net.js";

const { values: args } = parseArgs({ options: { seconds: { type: "string", default: "10" }, concurrency: { type: "string", default: "32" }, rounds: { type: "string", default: "2" }, "latency-rate": { type: "string", default: "1000" }, write: { type: "boolean", default: false } } });
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const LAT_RATE = Number(args["latency-rate"]);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

/** Fixed concurrency, keep-alive, bounded duration; latencies in ms. */
/** With `rate` (req/s), each worker paces itself (latency below saturation); otherwise closed loop. */
async function load(host: string, port: number, seconds: number, concurrency = CONCURRENCY, rate = 0): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const lat: number[] = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request({ host, port, path: "/", agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else failed++;
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy());
      req.on("error", () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const started = Date.now();
  const gap = rate > 0 ? (1000 * concurrency) / rate : 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    let next = started + (gap * i) / concurrency;
    while (Date.now() < end) {
      if (gap > 0) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += gap;
      }
      await one();
    }
  }));
  const secs = (Date.now() - started) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { rps: lat.length / secs, p50: q(0.5), p99: q(0.99), ok: lat.length, failed };
}

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "wharf-bench-lb-"));
let dp: HaproxyDataPlane | undefined;
const cleanup = async () => {
  await dp?.close().catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
};
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

try {
  const child = spawn(process.execPath, [new URL("./lib/lb-backends-child.js", import.meta.url).pathname, "2"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve((JSON.parse(d.toString("utf8")) as { ports: number[] }).ports));
    child.once("exit", () => reject(new Error("backends exited")));
  });

  // Wharf's listener: one load balancer on its own loopback address.
  const lbAddr = `127.0.${100 + Math.floor(Math.random() * 100)}.${2 + Math.floor(Math.random() * 200)}`;
  const lbPort = await freePort();
  const tg = targetGroup("bench", ports.map((p) => target("127.0.0.1", p)), { healthCheck: healthCheck({ path: "/health", intervalSeconds: 5 }) });
  dp = new HaproxyDataPlane({ dataDir: dir, threads: process.env.LB_THREADS ? Number(process.env.LB_THREADS) : undefined });
  const healthy = new Promise<void>((resolve) => {
    let n = 0;
    dp!.onHealth((r) => r.state === "healthy" && ++n === ports.length && resolve());
  });
  await dp.apply(desiredState(lbAddr, [httpListener(lbPort, tg)], [tg]));
  await healthy;

  // nginx as a reverse proxy to the same backends (upstream keep-alive, no access log).
  const ngPort = await freePort();
  const ngDir = join(dir, "nginx");
  execFileSync("mkdir", ["-p", ngDir]);
  writeFileSync(join(ngDir, "nginx.conf"), `worker_processes auto;
pid ${ngDir}/nginx.pid;
error_log ${ngDir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backends { ${ports.map((p) => `server 127.0.0.1:${p};`).join(" ")} keepalive 64; }
  server {
    listen 127.0.0.1:${ngPort};
    location / { proxy_pass http://backends; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $remote_addr; }
  }
}
`);
  const ng = spawn("nginx", ["-p", ngDir, "-c", join(ngDir, "nginx.conf"), "-g", "daemon off;"], { stdio: "inherit" });
  children.push(ng);
  for (let i = 0; i < 100; i++) {
    try {
      await load("127.0.0.1", ngPort, 0.01);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const nginxVersion = spawnSync("nginx", ["-v"], { encoding: "utf8" }).stderr.trim().replace("nginx version: ", "");
  const haproxyVersion = execFileSync("haproxy", ["-v"], { encoding: "utf8" }).split("\n")[0]!.replace(/ - https.*/, "");

  const warm = Math.min(2, SECONDS);
  for (const [h, p] of [["127.0.0.1", ports[0]!], [lbAddr, lbPort], ["127.0.0.1", ngPort]] as const) await load(h, p, warm);
  const rows: { round: number; c: string; direct: Result; wharf: Result; nginx: Result }[] = [];
  for (let r = 1; r <= ROUNDS; r++) for (const rate of [0, LAT_RATE]) {
    const c = rate ? `${LAT_RATE} req/s paced` : `${CONCURRENCY} conns, closed loop`;
    const direct = await load("127.0.0.1", ports[0]!, SECONDS, CONCURRENCY, rate);
    const wharf = await load(lbAddr, lbPort, SECONDS, CONCURRENCY, rate);
    const nginx = await load("127.0.0.1", ngPort, SECONDS, CONCURRENCY, rate);
    rows.push({ round: r, c, direct, wharf, nginx });
    console.log(`round ${r}, ${c}: direct ${direct.rps.toFixed(0)} req/s p99 ${direct.p99.toFixed(2)} ms · wharf ${wharf.rps.toFixed(0)} req/s p99 ${wharf.p99.toFixed(2)} ms · nginx ${nginx.rps.toFixed(0)} req/s p99 ${nginx.p99.toFixed(2)} ms · ratio ${(wharf.rps / nginx.rps).toFixed(2)}× · added p99 ${(wharf.p99 - direct.p99).toFixed(2)} ms (nginx ${(nginx.p99 - direct.p99).toFixed(2)} ms)`);
  }
  const table = rows
    .map((r) => `| ${r.round} | ${r.c} | ${r.wharf.rps.toFixed(0)} | ${r.wharf.p50.toFixed(2)} | ${r.wharf.p99.toFixed(2)} | ${r.nginx.rps.toFixed(0)} | ${r.nginx.p50.toFixed(2)} | ${r.nginx.p99.toFixed(2)} | ${r.direct.rps.toFixed(0)} | ${r.direct.p99.toFixed(2)} | ${(r.wharf.rps / r.nginx.rps).toFixed(2)}× | ${(r.wharf.p99 - r.direct.p99).toFixed(2)} · ${(r.nginx.p99 - r.direct.p99).toFixed(2)} | ${r.wharf.failed} · ${r.nginx.failed} |`)
    .join("\n");
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const closed = rows.filter((r) => !r.c.includes("paced"));
  const paced = rows.filter((r) => r.c.includes("paced"));
  const summary = `Median over ${ROUNDS} rounds: Wharf/nginx throughput ${med(closed.map((r) => r.wharf.rps / r.nginx.rps)).toFixed(2)}×; added p99 at ${LAT_RATE} req/s ${med(paced.map((r) => r.wharf.p99 - r.direct.p99)).toFixed(2)} ms (nginx ${med(paced.map((r) => r.nginx.p99 - r.direct.p99)).toFixed(2)} ms).`;
  console.log(summary);
  const section = `## Load balancer data plane

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`node dist/bench/lb.js --seconds ${SECONDS} --concurrency ${CONCURRENCY} --latency-rate ${LAT_RATE} --rounds ${ROUNDS}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${haproxyVersion}, ${nginxVersion.trim() || "nginx (Debian)"}; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end.
Two Node HTTP backends (one process of their own, a 90-byte JSON answer) behind (a) a Wharf HTTP listener — \`HaproxyDataPlane\` on its own loopback address, one target group, round robin, ALB's headers (X-Forwarded-*, X-Amzn-Trace-Id) set on every request — and (b) nginx as a reverse proxy (\`worker_processes auto\`, upstream keep-alive 64, no access log); (c) one backend directly, for the added p99. Load: one Node client process, ${CONCURRENCY} keep-alive connections, first as fast as they go (throughput: the CPUs are saturated, so p99 there is mostly queueing), then paced at ${LAT_RATE} req/s in all (latency below saturation: the added p99), ${SECONDS} s per measurement after a warm-up, the three measured in turn in each round. Everything shares the machine's CPUs, the load generator included.

| Round | Load | Wharf req/s | Wharf p50 ms | Wharf p99 ms | nginx req/s | nginx p50 ms | nginx p99 ms | direct req/s | direct p99 ms | Wharf/nginx | added p99 ms (Wharf · nginx) | failed (Wharf · nginx) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${table}

${summary}

Goal (issue 11): ≥ 0.8× nginx's throughput and ≤ 2 ms added p99.
`;
  console.log(section);
  if (args.write) writeBenchSection("Load balancer data plane", section);
} finally {
  await cleanup();
}
