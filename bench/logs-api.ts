/**
 * CloudWatch Logs API: PutLogEvents throughput and read latency with a million stored lines.
 *
 * Runs `wharf server` in its own process on loopback with a temp data dir, then over raw HTTP
 * (each request SigV4-signed for service `logs`, verified by Wharf):
 *  1. PutLogEvents throughput: batches of 1,000 events (~90 bytes each) into 10 streams of one
 *     group, first on 1 connection, then on 4 concurrent ones, until --lines are stored;
 *  2. with those lines stored: GetLogEvents, FilterLogEvents and DescribeLogStreams latency
 *     (p50/p99 over --reads sequential calls per query).
 * Bounded: a line count and a time cap for the writes, a call count per read query.
 * Prints a table; `--write` puts it in docs/benchmarks.md under "Logs API".
 *
 * Run: npx tsc -p . && node dist/bench/logs-api.js [--lines 1000000] [--reads 200] [--write]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchSection } from "./lib/docs-section.js";
import { signedCall } from "./lib/signed-call.js";
import { freePort } from "./lib/net.js";

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "1000000" },
    reads: { type: "string", default: "200" },
    seconds: { type: "string", default: "120" },
    write: { type: "boolean", default: false },
  },
});
const LINES = Number(args.lines);
const READS = Number(args.reads);
const WRITE_CAP_MS = Number(args.seconds) * 1000;
const BATCH = 1000;
const STREAMS = 10;
const GROUP = "/bench/app";
const REPO = process.cwd();
const accessKeyId = "AKIABENCHLOGSBENCH00";
const secretAccessKey = "bench-logs-secret-bench-logs-secret-0000";

interface Conn {
  port: number;
  agent: Agent;
}

const call = (c: Conn, op: string, input: unknown): Promise<any> =>
  signedCall({ ...c, accessKeyId, secretAccessKey }, "Logs_20140328", "logs", op, input);


const LEVELS = ["INFO", "INFO", "INFO", "WARN", "INFO", "INFO", "ERROR"];
/** ~90-byte access-log-like lines; one in 100,000 carries the rare term NEEDLE. */
const line = (i: number) =>
  `${LEVELS[i % 7]} req=${i} GET /api/v1/items/${i % 1000} status=${i % 7 === 6 ? 500 : 200} took=${i % 97}ms user=u${i % 5000}` +
  (i % 100_000 === 12_345 ? " NEEDLE" : "");

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-logs-"));
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [join(REPO, "bin", "wharf.js"), "server", "--port", String(port), "--data-dir", dataDir], {
    env: { ...process.env, WHARF_ACCESS_KEY_ID: accessKeyId, WHARF_SECRET_ACCESS_KEY: secretAccessKey },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitUp(port);
    const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const conns: Conn[] = agents.map((agent) => ({ port, agent }));
    await call(conns[0]!, "CreateLogGroup", { logGroupName: GROUP });
    for (let s = 0; s < STREAMS; s++) await call(conns[0]!, "CreateLogStream", { logGroupName: GROUP, logStreamName: `web/${s}` });

    // Timestamps: 10 ms apart, ending ~10 minutes ago; 1M lines span ~2.8 h (within 14 days).
    const base = Date.now() - LINES * 10 - 600_000;
    let next = 0;
    const putPhase = async (parallel: number, upTo: number) => {
      const t0 = performance.now();
      const start = next;
      const lat: number[] = [];
      await Promise.all(
        conns.slice(0, parallel).map(async (c) => {
          while (next < upTo && performance.now() - t0 < WRITE_CAP_MS) {
            const from = next;
            next = Math.min(upTo, next + BATCH);
            const logEvents = [];
            for (let i = from; i < next; i++) logEvents.push({ timestamp: base + i * 10, message: line(i) });
            const s = performance.now();
            await call(c, "PutLogEvents", { logGroupName: GROUP, logStreamName: `web/${(from / BATCH) % STREAMS}`, logEvents });
            lat.push(performance.now() - s);
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      return { events: next - start, secs, rate: (next - start) / secs, ...quantiles(lat) };
    };
    const one = await putPhase(1, Math.min(LINES, 200_000));
    const four = await putPhase(4, LINES);
    const stored = next;
    const rssMiB = readRssMiB(proc.pid!);
    const dbMiB = ["wharf.db", "wharf.db-wal"].reduce((s, f) => s + safeSize(join(dataDir, f)), 0) / 2 ** 20;

    const c = conns[0]!;
    const reads: { name: string; input: () => unknown; op: string; check?: (o: any) => void }[] = [];
    const get = (extra: object) => ({ logGroupName: GROUP, logStreamName: "web/3", limit: 100, ...extra });
    let fwd: string | undefined;
    reads.push({ name: "GetLogEvents newest 100 (tail)", op: "GetLogEvents", input: () => get({}) });
    reads.push({ name: "GetLogEvents oldest 100 (startFromHead)", op: "GetLogEvents", input: () => get({ startFromHead: true }) });
    reads.push({
      name: "GetLogEvents next page (forward token)",
      op: "GetLogEvents",
      input: () => get(fwd ? { nextToken: fwd } : { startFromHead: true }),
      check: (o) => (fwd = o.nextForwardToken),
    });
    const mid = base + Math.floor(stored / 2) * 10;
    reads.push({ name: "GetLogEvents 1-minute window", op: "GetLogEvents", input: () => get({ startTime: mid, endTime: mid + 60_000, startFromHead: true }) });
    reads.push({ name: "FilterLogEvents all streams, first 100", op: "FilterLogEvents", input: () => ({ logGroupName: GROUP, limit: 100 }) });
    reads.push({
      name: "FilterLogEvents `ERROR`, 100 (1 in 7 lines)",
      op: "FilterLogEvents",
      input: () => ({ logGroupName: GROUP, filterPattern: "ERROR", limit: 100, startTime: mid }),
    });
    reads.push({
      name: "FilterLogEvents `ERROR \"status=500\" -u42`, 5-min window",
      op: "FilterLogEvents",
      input: () => ({ logGroupName: GROUP, filterPattern: 'ERROR "status=500" -u42', startTime: mid, endTime: mid + 300_000 }),
    });
    reads.push({
      name: "FilterLogEvents one stream, `WARN`, 100",
      op: "FilterLogEvents",
      input: () => ({ logGroupName: GROUP, logStreamNames: ["web/7"], filterPattern: "WARN", limit: 100, startTime: mid }),
    });
    reads.push({
      name: "FilterLogEvents rare term, one call (≤100k scanned)",
      op: "FilterLogEvents",
      input: () => ({ logGroupName: GROUP, filterPattern: "NEEDLE" }),
    });
    reads.push({ name: "DescribeLogStreams by LastEventTime", op: "DescribeLogStreams", input: () => ({ logGroupName: GROUP, orderBy: "LastEventTime", descending: true }) });
    const readRows: { name: string; p50: number; p99: number; events: number }[] = [];
    for (const r of reads) {
      const lat: number[] = [];
      let events = 0;
      for (let i = 0; i < READS; i++) {
        const s = performance.now();
        const out = await call(c, r.op, r.input());
        lat.push(performance.now() - s);
        r.check?.(out);
        events = (out.events ?? out.logStreams ?? []).length;
      }
      readRows.push({ name: r.name, events, ...quantiles(lat) });
    }
    // A whole rare-term search across all pages (what a user's `filter-log-events` does).
    const t0 = performance.now();
    let token: string | undefined;
    let found = 0;
    let pages = 0;
    do {
      const out = await call(c, "FilterLogEvents", { logGroupName: GROUP, filterPattern: "NEEDLE", ...(token ? { nextToken: token } : {}) });
      found += out.events.length;
      token = out.nextToken;
      pages++;
    } while (token);
    const fullScanMs = performance.now() - t0;

    const when = new Date().toISOString().slice(0, 16).replace("T", " ");
    const md = [
      `Measured ${when} UTC with \`node dist/bench/logs-api.js\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ` +
        `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; Wharf in its own process (\`wharf server\`), ` +
        `requests SigV4-signed over loopback HTTP; SQLite WAL with \`synchronous=FULL\` (every PutLogEvents is on disk before its answer).`,
      "",
      `PutLogEvents, batches of ${BATCH} events of ~90 bytes into ${STREAMS} streams of one group:`,
      "",
      "| Writers | Events | Seconds | Events/s | Batch p50 ms | Batch p99 ms |",
      "|---|---:|---:|---:|---:|---:|",
      `| 1 connection | ${one.events.toLocaleString("en")} | ${one.secs.toFixed(1)} | ${Math.round(one.rate).toLocaleString("en")} | ${one.p50.toFixed(1)} | ${one.p99.toFixed(1)} |`,
      `| 4 connections | ${four.events.toLocaleString("en")} | ${four.secs.toFixed(1)} | ${Math.round(four.rate).toLocaleString("en")} | ${four.p50.toFixed(1)} | ${four.p99.toFixed(1)} |`,
      "",
      `Reads with ${stored.toLocaleString("en")} lines stored (database ${dbMiB.toFixed(0)} MiB, server RSS ${rssMiB} MiB after the writes), ${READS} sequential calls each:`,
      "",
      "| Query | Events returned | p50 ms | p99 ms |",
      "|---|---:|---:|---:|",
      ...readRows.map((r) => `| ${r.name} | ${r.events} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`),
      `| FilterLogEvents rare term, every page to the end | ${found} (${pages} pages) | ${fullScanMs.toFixed(0)} (total) | |`,
      "",
    ].join("\n");
    console.log(md);
    if (args.write) writeBenchSection("Logs API", `## Logs API\n\n${md}\n`);
    for (const a of agents) a.destroy();
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function quantiles(xs: number[]): { p50: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99) };
}

function readRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function safeSize(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}



async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/_wharf/health" }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("wharf server did not come up");
}

await main();
