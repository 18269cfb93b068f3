/**
 * Authorization end to end with real IAM users (issue 13, goal: p99 added ≤ 0.2 ms): one Wharf
 * in-process; IAM users made through the IAM API — one with 1 attached managed policy, one with
 * 100 (10 attached to the user, 10 to each of 9 groups it is in: IAM's quota is 10 per user and
 * per group) — signing with their own AKIA keys, resolved by IAM's resolver as any client's are.
 * Signed ECS calls over one keep-alive connection, one at a time, root and users interleaved.
 * The run is split into rounds: each round gives each caller's p50 and p99 and the "added"
 * (user − root, same round); the table shows the median over rounds, and the spread of the
 * added p99 (min … max over rounds) so a noisy round does not decide.
 *
 * Policies as bench/authz.ts: 3 statements each over one service; only one of the 100 is about
 * ECS (as a real account's are spread over services).
 *
 * Run: npx tsc -p . && node dist/bench/authz-e2e.js [--rounds 15] [--calls 400] [--no-write]
 */
import { AddUserToGroupCommand, AttachGroupPolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../src/server.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { signedCall, type SignedConn } from "./lib/signed-call.js";
import { benchPolicyText } from "./lib/policy-docs.js";
import { median, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    calls: { type: "string", default: "400" },
    "no-write": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(args.rounds);
const CALLS = Number(args.calls);
const TARGET = "AmazonEC2ContainerServiceV20141113";

const pct = (xs: number[], p: number) => percentile(xs, p * 100);
const us = (ms: number) => (ms * 1000).toFixed(1);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-authz-e2e-"));
  const server = await startServer({ dataDir, port: 0, serviceController: false, lbDataPlane: false });
  const account = server.accountId;
  const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: server.credentials, maxAttempts: 1 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const rows: string[] = [];
  const verdict: string[] = [];
  try {
    const arns: string[] = [];
    for (let i = 0; i < 100; i++) {
      const p = await iam.send(new CreatePolicyCommand({ PolicyName: `bench-${i}`, PolicyDocument: benchPolicyText(i, i === 99, account) }));
      arns.push(p.Policy!.Arn!);
    }
    const keyOf = async (name: string) => {
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    await iam.send(new CreateUserCommand({ UserName: "one", Tags: [{ Key: "team", Value: "red" }] }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "one", PolicyArn: arns[99]! }));
    await iam.send(new CreateUserCommand({ UserName: "hundred", Tags: [{ Key: "team", Value: "red" }] }));
    for (const arn of arns.slice(90)) await iam.send(new AttachUserPolicyCommand({ UserName: "hundred", PolicyArn: arn }));
    for (let g = 0; g < 9; g++) {
      await iam.send(new CreateGroupCommand({ GroupName: `bench-g${g}` }));
      for (const arn of arns.slice(g * 10, g * 10 + 10)) await iam.send(new AttachGroupPolicyCommand({ GroupName: `bench-g${g}`, PolicyArn: arn }));
      await iam.send(new AddUserToGroupCommand({ GroupName: `bench-g${g}`, UserName: "hundred" }));
    }
    const conn = (c: { accessKeyId: string; secretAccessKey: string }): SignedConn => ({ port: server.port, agent, ...c });
    const who: [string, SignedConn][] = [
      ["root", conn(server.credentials)],
      ["IAM user, 1 policy", conn(await keyOf("one"))],
      ["IAM user, 100 policies (10 own + 9 groups × 10)", conn(await keyOf("hundred"))],
    ];
    await signedCall(conn(server.credentials), TARGET, "ecs", "CreateCluster", { clusterName: "bench" });
    for (const [op, input] of [
      ["ListClusters", {}],
      ["DescribeClusters", { clusters: ["bench"] }],
    ] as [string, Record<string, unknown>][]) {
      for (let i = 0; i < 300; i++) for (const [, c] of who) await signedCall(c, TARGET, "ecs", op, input); // warm-up
      const perRound = new Map<string, { p50: number[]; p99: number[]; a50: number[]; a99: number[] }>(who.map(([k]) => [k, { p50: [], p99: [], a50: [], a99: [] }]));
      for (let r = 0; r < ROUNDS; r++) {
        const times = new Map<string, number[]>(who.map(([k]) => [k, []]));
        for (let i = 0; i < CALLS; i++) {
          for (const [k, c] of who) {
            const t = performance.now();
            await signedCall(c, TARGET, "ecs", op, input);
            times.get(k)!.push(performance.now() - t);
          }
        }
        const root = times.get("root")!;
        for (const [k] of who) {
          const t = times.get(k)!;
          const s = perRound.get(k)!;
          s.p50.push(pct(t, 0.5));
          s.p99.push(pct(t, 0.99));
          s.a50.push(pct(t, 0.5) - pct(root, 0.5));
          s.a99.push(pct(t, 0.99) - pct(root, 0.99));
        }
      }
      for (const [k] of who) {
        const s = perRound.get(k)!;
        const added = k === "root" ? "— | —" : `${us(median(s.a50))} | ${us(median(s.a99))} (${us(Math.min(...s.a99))} … ${us(Math.max(...s.a99))})`;
        rows.push(`| ${op} | ${k} | ${us(median(s.p50))} | ${us(median(s.p99))} | ${added} |`);
        if (k !== "root") verdict.push(`${op}, ${k}: added p50 ${us(median(s.a50))} µs, median added p99 ${us(median(s.a99))} µs — ${median(s.a99) <= 0.2 ? "within" : "over"} the goal`);
      }
    }
  } finally {
    agent.destroy();
    iam.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const section = [
    "## Authorization end to end (IAM users)",
    "",
    `Measured ${when} UTC with \`node dist/bench/authz-e2e.js\` (${ROUNDS} rounds × ${CALLS} calls per caller and call, after 300 warm-up rounds) on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}, while other work shared the machine (1-minute load average ${loadavg()[0]!.toFixed(1)}).`,
    "Real IAM users made through the IAM API (their keys resolved by IAM's resolver, their group policies included), signed ECS calls over one keep-alive connection, root and users interleaved call by call. Per round: each caller's p50 and p99, and \"added\" = the user's minus the root's in that round. The table gives medians over the rounds, and for the added p99 its range over rounds.",
    "",
    "| call | caller | p50 µs | p99 µs | added p50 µs | added p99 µs (min … max over rounds) |",
    "|---|---|---:|---:|---:|---:|",
    ...rows,
    "",
    `Goal (issue 13): p99 added ≤ 200 µs. ${verdict.join("; ")}.`,
    "How to read it: the added p50 is the authorizer's cost as a call sees it (resolver cache hit, narrowing to the service's policies, evaluation). The p99 of one round on this shared 2-CPU machine is mostly its scheduling jitter — the root's own p99 is well above its p50, and the added p99 of single rounds swings by up to milliseconds both ways (the range) — so only the median over rounds says anything about the tail; it is within the goal when it is, but a figure of a few µs means \"no tail cost visible above the jitter\" rather than a precise measurement. The in-process bound of the authorizer is in \"Authorization per API call\".",
  ].join("\n");
  console.log(section);
  if (!args["no-write"]) writeBenchSection("Authorization end to end (IAM users)", section);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
