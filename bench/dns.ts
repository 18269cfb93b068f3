// DNS benchmark: queries/s and p99 of Wharf's DNS server (src/dns/, its own Node process, the
// in-memory record source) against dnsmasq (Debian's, its own process) serving the same records,
// in the same run, from the same client.
//   node dist/bench/dns.js [--seconds 8] [--concurrency 32] [--latency-rate 2000] [--rounds 3] [--write]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { encodeMessage } from "../src/core/dns/encode.js";
import { CLASS_IN, emptyFlags, TYPE } from "../src/core/dns/message.js";
import { parseMessage } from "../src/core/dns/parse.js";
import type { DnsRecordAnswer } from "../src/contracts/dns-records.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { median } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { seconds: { type: "string", default: "8" }, concurrency: { type: "string", default: "32" }, rounds: { type: "string", default: "3" }, "latency-rate": { type: "string", default: "2000" }, write: { type: "boolean", default: false } },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const LAT_RATE = Number(args["latency-rate"]);

// The records: 50 services of a namespace, each with 3 instances (A per instance, A and SRV per service).
const ZONE = "internal.local";
const SERVICES = 50;
const INSTANCES = 3;
const records: DnsRecordAnswer[] = [];
for (let s = 0; s < SERVICES; s++) {
  for (let i = 0; i < INSTANCES; i++) {
    const ip = `10.20.${s}.${i + 10}`;
    const target = `i${i}.svc${s}.${ZONE}`;
    records.push({ name: `svc${s}.${ZONE}`, type: "A", ttl: 10, value: ip });
    records.push({ name: target, type: "A", ttl: 10, value: ip });
    records.push({ name: `svc${s}.${ZONE}`, type: "SRV", ttl: 10, value: { priority: 1, weight: 1, port: 8000 + i, target } });
  }
}
/** The query mix: A of a service (60 %), SRV of a service (30 %), a missing name (NXDOMAIN, 10 %). */
const questions = Array.from({ length: 1000 }, (_, k) => {
  const s = k % SERVICES;
  const r = (k * 7919) % 10;
  return r < 6 ? { name: `svc${s}.${ZONE}`, type: TYPE.A } : r < 9 ? { name: `svc${s}.${ZONE}`, type: TYPE.SRV } : { name: `nope${s}.${ZONE}`, type: TYPE.A };
});
const wire = questions.map((q) => encodeMessage({ id: 0, flags: { ...emptyFlags(), rd: true }, questions: [{ ...q, class: CLASS_IN }], answers: [], authority: [], additional: [] }));

function dnsmasqArgs(port: number): string[] {
  const a = ["--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", `--port=${port}`, "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=", `--local=/${ZONE}/`, "--user=root", "--cache-size=0", "--log-facility=/dev/null"];
  const byName = new Map<string, string[]>();
  for (const r of records) {
    if (r.type === "A") (byName.get(r.name) ?? byName.set(r.name, []).get(r.name)!).push(String(r.value));
    if (r.type === "SRV" && typeof r.value === "object" && "target" in r.value) a.push(`--srv-host=${r.name},${r.value.target},${r.value.port},${r.value.priority},${r.value.weight}`);
  }
  for (const [name, ips] of byName) for (const ip of ips) a.push(`--host-record=${name},${ip},10`);
  return a;
}

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill("SIGTERM")));

async function startWharfDns(): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./lib/dns-server-child.js", import.meta.url)), JSON.stringify({ zone: ZONE, records })], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding("utf8").once("data", (d: string) => resolve(Number(d.trim())));
    child.once("exit", (code) => reject(new Error(`Wharf's DNS child exited ${code}`)));
  });
}

async function startDnsmasq(): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const bin = ["/usr/sbin/dnsmasq", "dnsmasq"].find((b) => { try { execFileSync(b, ["--version"], { stdio: "ignore" }); return true; } catch { return false; } })!;
    const child = spawn(bin, dnsmasqArgs(port), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<number>((r) => child.once("exit", (c) => r(c ?? -1)));
    const up = await Promise.race([exited.then(() => false), probe(port).then(() => true)]);
    if (up) {
      children.push(child);
      return port;
    }
    if (!/in use/.test(err)) throw new Error(`dnsmasq did not start: ${err}`);
  }
  throw new Error("dnsmasq: no free port");
}

async function probe(port: number): Promise<void> {
  for (;;) {
    try {
      await once(port, wire[0]!, 200);
      return;
    } catch {
      // not listening yet
    }
  }
}

function once(port: number, q: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    const t = setTimeout(() => (s.close(), reject(new Error("timeout"))), timeoutMs);
    s.on("message", (m) => (clearTimeout(t), s.close(), resolve(new Uint8Array(m))));
    s.send(q, port, "127.0.0.1");
  });
}

/** The answer set of one question, for the same-records check. */
function answerSet(reply: Uint8Array): string {
  const p = parseMessage(reply);
  if (!p.ok) return "unparsable";
  const rows = p.message.answers.map((a) => `${a.name.toLowerCase()} ${a.type} ${JSON.stringify(a.data)}`).sort();
  return `${p.message.flags.rcode}|${rows.join(";")}`;
}

interface Result { qps: number; p50: number; p99: number; ok: number; failed: number }

/** `concurrency` sockets, each with one query in flight; paced when `rate` (queries/s in all) is set. */
async function load(port: number, seconds: number, concurrency: number, rate = 0): Promise<Result> {
  const lat: number[] = [];
  let failed = 0;
  const started = Date.now();
  const end = started + seconds * 1000;
  const gap = rate > 0 ? (1000 * concurrency) / rate : 0;
  await Promise.all(
    Array.from({ length: concurrency }, (_, w) =>
      new Promise<void>((done) => {
        const s = createSocket("udp4");
        let k = w;
        let id = 0;
        let t0 = 0n;
        let timer: NodeJS.Timeout | undefined;
        let next = started + (gap * w) / concurrency;
        const send = () => {
          if (Date.now() >= end) {
            s.close();
            return done();
          }
          const q = Uint8Array.from(wire[k++ % wire.length]!);
          id = (id + 1) & 0xffff;
          q[0] = id >> 8;
          q[1] = id & 0xff;
          t0 = process.hrtime.bigint();
          timer = setTimeout(() => (failed++, send()), 2000);
          s.send(q, port, "127.0.0.1");
        };
        const schedule = () => {
          if (gap <= 0) return send();
          next += gap;
          const wait = next - Date.now();
          if (wait > 0) setTimeout(send, wait);
          else send();
        };
        s.on("message", (m) => {
          if (((m[0]! << 8) | m[1]!) !== id) return;
          clearTimeout(timer);
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          schedule();
        });
        s.bind(0, "127.0.0.1", () => (gap > 0 ? schedule() : send()));
      }),
    ),
  );
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { qps: lat.length / ((Date.now() - started) / 1000), p50: q(0.5), p99: q(0.99), ok: lat.length, failed };
}


const wharfPort = await startWharfDns();
const dnsmasqPort = await startDnsmasq();
const dnsmasqVersion = execFileSync("/usr/sbin/dnsmasq", ["--version"], { encoding: "utf8" }).split("\n")[0]!;
// Same records: every question of the mix has the same answer set from both.
let differ = 0;
for (const q of wire.slice(0, 100)) if (answerSet(await once(wharfPort, q, 2000)) !== answerSet(await once(dnsmasqPort, q, 2000))) differ++;
console.log(`answers compared on 100 questions: ${differ} differ`);
if (differ) throw new Error("Wharf and dnsmasq do not serve the same records");
await load(wharfPort, 2, CONCURRENCY);
await load(dnsmasqPort, 2, CONCURRENCY);
const rows: string[] = [];
const ratios: number[] = [];
const p99s: { wharf: number; dnsmasq: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const rate of [0, LAT_RATE]) {
    const w = await load(wharfPort, SECONDS, CONCURRENCY, rate);
    const d = await load(dnsmasqPort, SECONDS, CONCURRENCY, rate);
    const label = rate ? `${rate} q/s paced` : `${CONCURRENCY} in flight, closed loop`;
    if (!rate) ratios.push(w.qps / d.qps);
    else p99s.push({ wharf: w.p99, dnsmasq: d.p99 });
    const row = `| ${round} | ${label} | ${w.qps.toFixed(0)} | ${w.p50.toFixed(2)} | ${w.p99.toFixed(2)} | ${d.qps.toFixed(0)} | ${d.p50.toFixed(2)} | ${d.p99.toFixed(2)} | ${(w.qps / d.qps).toFixed(2)}× | ${w.failed} · ${d.failed} |`;
    console.log(row);
    rows.push(row);
  }
}
const summary = `Median over ${ROUNDS} rounds: Wharf/dnsmasq queries/s ${median(ratios).toFixed(2)}×; p99 at ${LAT_RATE} q/s ${median(p99s.map((p) => p.wharf)).toFixed(2)} ms (dnsmasq ${median(p99s.map((p) => p.dnsmasq)).toFixed(2)} ms).`;
console.log(summary);
const section = `## DNS server

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`node dist/bench/dns.js --seconds ${SECONDS} --concurrency ${CONCURRENCY} --latency-rate ${LAT_RATE} --rounds ${ROUNDS}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${dnsmasqVersion}; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end.
Both serve the same ${records.length} records (${SERVICES} services of \`${ZONE}\`, ${INSTANCES} instances each: A per instance, A and SRV per service): (a) Wharf's DNS server (\`src/dns/server.ts\`, the codec of \`src/core/dns/\`, the in-memory record source of the tests) in a Node process of its own, and (b) dnsmasq (\`--host-record\`, \`--srv-host\`, \`--local=/${ZONE}/\`, no cache, no upstream). Before measuring, 100 questions are asked of both and their answer sets compared (they must be equal). Load: one Node client process, ${CONCURRENCY} UDP sockets with one query in flight each, a mix of A of a service (60 %), SRV of a service (30 %, three answers and three additional A records) and a missing name (10 %, NXDOMAIN with the SOA), first as fast as they go (throughput: the client and the server share the CPUs), then paced at ${LAT_RATE} q/s in all (latency below saturation), ${SECONDS} s per measurement after a warm-up, the two servers in turn in each round.

| Round | Load | Wharf q/s | Wharf p50 ms | Wharf p99 ms | dnsmasq q/s | dnsmasq p50 ms | dnsmasq p99 ms | Wharf/dnsmasq | timed out (Wharf · dnsmasq) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

${summary}
`;
if (args.write) writeBenchSection("DNS server", section);
children.forEach((c) => c.kill("SIGTERM"));
process.exit(0);
