/**
 * CloudWatch: PutMetricData throughput and GetMetricData latency over 10 s data for 1,000 series.
 *
 * An in-process Wharf (temp data dir, no load balancer, registry or DNS); @aws-sdk/client-cloudwatch
 * sends PutMetricData requests of 1,000 datums (one per series, one 10 s timestamp, high resolution)
 * over `--concurrency` requests at a time until `--hours` of data are in (default 24 h: 8,640
 * requests, 8.64 M datapoints); then each GetMetricData query shape runs `--runs` times and its
 * p50 / p99 latency is reported. Writes its section of docs/benchmarks.md unless --no-write.
 *
 * Run: `node dist/bench/cloudwatch.js [--hours 24] [--concurrency 8] [--runs 30]`.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../src/server.js";
import { writeBenchSection } from "./lib/docs-section.js";

const { values: args } = parseArgs({
  options: {
    hours: { type: "string", default: "24" },
    series: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    runs: { type: "string", default: "30" },
    "no-write": { type: "boolean", default: false },
  },
});
const HOURS = Number(args.hours);
const SERIES = Number(args.series);
const CONCURRENCY = Number(args.concurrency);
const RUNS = Number(args.runs);
const STEPS = Math.round((HOURS * 3600) / 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-cw-"));
  const server = await startServer({
    dataDir,
    port: 0,
    lbDataPlane: false,
    registry: false,
    dnsPort: false,
    serviceController: false,
    metricBounds: { maxTotalPoints: SERIES * STEPS + 1, maxPointsPerSeries: STEPS + 1 },
  });
  const cw = new CloudWatchClient({ endpoint: server.url, region: "us-east-1", credentials: server.credentials, maxAttempts: 1 });
  try {
    const end = Math.floor(Date.now() / 10_000) * 10 - 10;
    const start = end - STEPS * 10;
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      for (;;) {
        const step = next++;
        if (step >= STEPS) return;
        const ts = new Date((start + step * 10) * 1000);
        await cw.send(
          new PutMetricDataCommand({
            Namespace: "Bench/CW",
            MetricData: Array.from({ length: SERIES }, (_v, i) => ({
              MetricName: "CPU",
              Dimensions: [{ Name: "Service", Value: `svc-${i % 100}` }, { Name: "Task", Value: `t-${i}` }],
              Timestamp: ts,
              Value: (i * 7 + step) % 100,
              StorageResolution: 1,
            })),
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const putSeconds = (performance.now() - t0) / 1000;
    const datums = STEPS * SERIES;

    const metric = (id: string, i: number, period: number): MetricDataQuery => ({
      Id: id,
      MetricStat: { Metric: { Namespace: "Bench/CW", MetricName: "CPU", Dimensions: [{ Name: "Service", Value: `svc-${i % 100}` }, { Name: "Task", Value: `t-${i}` }] }, Period: period, Stat: "Average" },
      ReturnData: false,
    });
    const shapes: [string, MetricDataQuery[]][] = [
      ["1 series, 10 s period (every datapoint)", [{ ...metric("m0", 0, 10), ReturnData: true }]],
      ["1 series, 60 s period", [{ ...metric("m0", 0, 60), ReturnData: true }]],
      ["SUM(METRICS()) over 10 series, 300 s period", [...Array.from({ length: 10 }, (_v, k) => metric(`m${k}`, k * 100, 300)), { Id: "total", Expression: "SUM(METRICS())" }]],
      ["AVG over 100 series, 60 s period", [...Array.from({ length: 100 }, (_v, k) => metric(`m${k}`, k, 60)), { Id: "avg", Expression: "AVG(METRICS())" }]],
    ];
    const rows: string[] = [];
    for (const [label, queries] of shapes) {
      const times: number[] = [];
      let points = 0;
      for (let r = 0; r < RUNS; r++) {
        const s = performance.now();
        let token: string | undefined;
        points = 0;
        do {
          const out = await cw.send(new GetMetricDataCommand({ StartTime: new Date(start * 1000), EndTime: new Date((end + 10) * 1000), MetricDataQueries: queries, ...(token ? { NextToken: token } : {}) }));
          for (const m of out.MetricDataResults ?? []) points += m.Values?.length ?? 0;
          token = out.NextToken;
        } while (token);
        times.push(performance.now() - s);
      }
      rows.push(`| ${label} | ${points.toLocaleString("en-US")} | ${pct(times, 50).toFixed(1)} | ${pct(times, 99).toFixed(1)} |`);
    }
    const md = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}; shared with other work, so read the numbers as orders of magnitude.`,
      "",
      `PutMetricData: ${SERIES.toLocaleString("en-US")} series × ${STEPS.toLocaleString("en-US")} timestamps (${HOURS} h of 10 s data) = ${datums.toLocaleString("en-US")} datapoints in ${STEPS.toLocaleString("en-US")} requests of ${SERIES} datums, ${CONCURRENCY} at a time (SDK v3, JSON 1.0, gzipped bodies): **${Math.round(datums / putSeconds).toLocaleString("en-US")} datapoints/s** (${Math.round(STEPS / putSeconds)} requests/s, ${putSeconds.toFixed(1)} s); ${server.cloudwatch.metrics.totalPoints.toLocaleString("en-US")} buckets held.`,
      "",
      `GetMetricData over the whole ${HOURS} h, ${RUNS} runs each:`,
      "",
      "| query | datapoints returned | p50 ms | p99 ms |",
      "|---|---|---|---|",
      ...rows,
    ].join("\n");
    console.log(md);
    if (!args["no-write"]) writeBenchSection("CloudWatch metrics", `## CloudWatch metrics\n\n\`node dist/bench/cloudwatch.js --hours ${HOURS}\`\n\n${md}\n`);
  } finally {
    cw.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
