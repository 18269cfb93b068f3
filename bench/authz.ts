/**
 * Authorization cost per API call (issue 13, goal: p99 added ≤ 0.2 ms).
 *
 * 1. End to end: one Wharf in-process (startServer on a temp data dir), one keep-alive
 *    connection, signed ECS calls sent one at a time and interleaved — the root, an IAM user with
 *    1 attached policy, a user with 100 — so drift of the shared machine hits all three alike.
 *    Two calls: ListClusters (authorizes against `*`) and DescribeClusters of one cluster (the
 *    cluster ARN). "Added" is the user's percentile minus the root's.
 * 2. The authorizer alone: `authorize()` of src/edge/authorize.ts in-process on the same inputs
 *    and the real ECS table (what the edge adds between SigV4 and the operation), root vs users.
 *
 * Policies as bench/iam-evaluate.ts: 3 statements each over one service (wildcard Allows, one
 * with a variable and conditions, a conditional Deny); only the last policy is about ECS (the
 * authorizer narrows a caller's policies to the call's service, cached per policy list), or all
 * 100 are (every Deny is read). Callers are hand-built, as the IAM module's resolver will hand them over.
 *
 * Run: npx tsc -p . && node dist/bench/authz.js [--calls 3000] [--inproc 20000] [--no-write]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ecsService } from "../src/api/ecs/index.js";
import { loadPolicy, type RequestPrincipal } from "../src/core/iam/index.js";
import { authorize } from "../src/edge/authorize.js";
import { type Caller, type IdentityResolver, rootCaller } from "../src/edge/identity.js";
import { startServer } from "../src/server.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { signedCall, type SignedConn } from "./lib/signed-call.js";
import { benchPolicyText } from "./lib/policy-docs.js";
import { percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    calls: { type: "string", default: "3000" },
    inproc: { type: "string", default: "20000" },
    "no-write": { type: "boolean", default: false },
  },
});
const CALLS = Number(args.calls);
const INPROC = Number(args.inproc);
const TARGET = "AmazonEC2ContainerServiceV20141113";

function userWith(count: number, account: string, name: string, allEcs = false): Caller {
  const principal: RequestPrincipal = { kind: "User", arn: `arn:aws:iam::${account}:user/${name}`, account, userId: `AIDA${name.toUpperCase()}`, tags: { team: "red" } };
  const identity = Array.from({ length: count }, (_, i) => loadPolicy(benchPolicyText(i, i === count - 1 || allEcs, account), "managed", `arn:aws:iam::${account}:policy/p${i}`));
  return { accessKeyId: `AKIABENCH${name.toUpperCase()}`, secretAccessKey: `secret-${name}`, principal, policies: { identity } };
}

const pct = (xs: number[], p: number) => percentile(xs, p * 100);
const us = (ms: number) => (ms * 1000).toFixed(1);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-authz-"));
  const callers = new Map<string, Caller>();
  const extra: IdentityResolver = { resolve: (id) => callers.get(id) };
  const server = await startServer({ dataDir, port: 0, serviceController: false, lbDataPlane: false, extraIdentities: extra });
  const account = server.accountId;
  const users = {
    "1 policy": userWith(1, account, "one"),
    "100 policies": userWith(100, account, "hundred"),
    "100 policies, all about ECS": userWith(100, account, "hundredecs", true),
  };
  for (const u of Object.values(users)) callers.set(u.accessKeyId, u);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const conn = (c: { accessKeyId: string; secretAccessKey: string }): SignedConn => ({ port: server.port, agent, ...c });
  const who: [string, SignedConn][] = [["root", conn(server.credentials)], ...Object.entries(users).map(([k, u]) => [k, conn(u)] as [string, SignedConn])];
  const CALLS_OF: [string, Record<string, unknown>][] = [
    ["ListClusters", {}],
    ["DescribeClusters", { clusters: ["bench"] }],
  ];
  const rows: string[] = [];
  const inRows: string[] = [];
  /** p99 of the authorizer alone and p50 added end to end, per caller, worst over the calls. */
  const worst = new Map<string, { p99: number; addedP50: number }>();
  const note = (k: string, f: "p99" | "addedP50", v: number) => {
    const w = worst.get(k) ?? { p99: 0, addedP50: 0 };
    w[f] = Math.max(w[f], v);
    worst.set(k, w);
  };
  try {
    await signedCall(conn(server.credentials), TARGET, "ecs", "CreateCluster", { clusterName: "bench" });
    // 1. End to end, interleaved.
    for (const [op, input] of CALLS_OF) {
      const times = new Map<string, number[]>(who.map(([k]) => [k, []]));
      for (let i = 0; i < 300; i++) for (const [, c] of who) await signedCall(c, TARGET, "ecs", op, input); // warm-up
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
        const added = k === "root" ? "—" : `${us(pct(t, 0.5) - pct(root, 0.5))} / ${us(pct(t, 0.99) - pct(root, 0.99))}`;
        if (k !== "root") note(k, "addedP50", pct(t, 0.5) - pct(root, 0.5));
        rows.push(`| ${op} | ${k} | ${us(pct(t, 0.5))} | ${us(pct(t, 0.99))} | ${added} |`);
      }
    }
    // 2. The authorizer alone.
    const ecs = ecsService(server.deps);
    const principal = { region: "us-east-1", accountId: account };
    const root = rootCaller(server.credentials.accessKeyId, server.credentials.secretAccessKey, `arn:aws:iam::${account}:root`, account);
    for (const [op, input] of CALLS_OF) {
      for (const [k, caller] of [["root", root], ...Object.entries(users)] as [string, Caller][]) {
        const one = () => authorize({ caller, service: ecs, operation: op, input, principal, now: Date.now(), sourceIp: "127.0.0.1" });
        for (let i = 0; i < 2000; i++) await one();
        const t: number[] = [];
        for (let i = 0; i < INPROC; i++) {
          const s = performance.now();
          await one();
          t.push(performance.now() - s);
        }
        inRows.push(`| ${op} | ${k} | ${us(pct(t, 0.5))} | ${us(pct(t, 0.99))} |`);
        if (k !== "root") note(k, "p99", pct(t, 0.99));
      }
    }
  } finally {
    agent.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const section = [
    "## Authorization per API call",
    "",
    `Measured ${when} UTC with \`node dist/bench/authz.js\` (${CALLS} calls per cell end to end after 300 warm-up rounds; ${INPROC} in-process) on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}, while other work shared the machine (1-minute load average ${loadavg()[0]!.toFixed(1)}).`,
    "What the authorizer at the edge (src/edge/authorize.ts) adds to a call for a principal that is not the root: an IAM user with 1 or 100 attached managed policies (3 statements each, as in \"IAM policy evaluation\"; only the last is about ECS — or, worst case, all 100 are), hand-built as the IAM module's resolver hands callers over. End to end: one Wharf in-process, one keep-alive connection, signed ECS calls one at a time, root and users interleaved; \"added\" is the user's percentile minus the root's in the same run (noise of a shared machine included, so small negatives happen).",
    "",
    "| call | caller | p50 µs | p99 µs | added p50 / p99 µs |",
    "|---|---|---:|---:|---:|",
    ...rows,
    "",
    "The authorizer alone (`authorize()` in-process with the real ECS table: session-token check, the operation's resource ARNs and keys, `buildContext`, the caller's policies narrowed to the service, `evaluate` of each resource; the root returns after the token check):",
    "",
    "| call | caller | p50 µs | p99 µs |",
    "|---|---|---:|---:|",
    ...inRows,
    "",
    `Goal (issue 13): p99 added ≤ 0.2 ms per call. ${[...worst].map(([k, w]) => `${k}: the authorizer's p99 ≤ ${us(w.p99)} µs, added p50 end to end ≤ ${us(w.addedP50)} µs`).join("; ")} — ${[...worst.values()].every((w) => w.p99 <= 0.2) ? "met" : "NOT met"} by the authorizer's own p99.`,
    "The authorizer runs synchronously on the request path and adds exactly its own time; end to end the median shows it (from about the in-process figure to a few times it: the evaluation's code and data are colder between requests), while the end-to-end p99 is the shared machine's jitter (the root's own p99 moves by milliseconds between cells of identical work), so its \"added\" column cannot resolve 0.2 ms either way here: the in-process p99 is the bound.",
  ].join("\n");
  console.log(section);
  if (!args["no-write"]) writeBenchSection("Authorization per API call", section);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
