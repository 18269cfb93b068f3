/**
 * Authorization cost per API call, pure core, in-process: evaluate() of one request against a
 * principal with 1 and with 100 attached managed policies (each 3 statements: Allow with
 * wildcards, Allow with a condition, Deny with a condition), compiled once up front as the
 * authorizer will hold them. Three requests per set: allowed by the last policy (the whole set
 * is read), implicitly denied (idem), and explicitly denied. Baselines in the same run: a no-op
 * authorizer (the timing loop's own cost) and JSON.parse of the same documents (what a naive
 * authorizer would pay per call without precompiling).
 *
 * Run: npx tsc -p . && node dist/bench/iam-evaluate.js [--calls 20000]
 */
import { buildContext, ContextMap, evaluate, loadPolicy, type AuthzRequest, type CompiledPolicy } from "../src/core/iam/index.js";
import { benchPolicyText } from "./lib/policy-docs.js";
import { percentile } from "./lib/stats.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("calls", 20_000);
const A = "111122223333";

const principal = { kind: "User" as const, arn: `arn:aws:iam::${A}:user/alice`, account: A, userId: "AIDAALICE", tags: { team: "red" } };
const facts = { now: Date.parse("2026-12-03T12:00:00Z"), sourceIp: "192.168.1.9", secureTransport: true };
const REQUESTS: [string, AuthzRequest][] = [
  ["allowed (by the last policy)", { principal, action: "ecs:ListClusters", resource: "*" }],
  ["implicit deny", { principal, action: "iam:CreateUser", resource: `arn:aws:iam::${A}:user/x` }],
  ["explicit deny", { principal, action: "ecs:DeleteCluster", resource: `arn:aws:ecs:us-east-1:${A}:cluster/prod` }],
];

function percentiles(ns: bigint[]): { p50: number; p99: number } {
  const s = ns.map(Number);
  return { p50: percentile(s, 50) / 1000, p99: percentile(s, 99) / 1000 };
}
function time(fn: () => unknown): { p50: number; p99: number } {
  for (let i = 0; i < 2000; i++) fn(); // warm-up
  const out: bigint[] = new Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t = process.hrtime.bigint();
    fn();
    out[i] = process.hrtime.bigint() - t;
  }
  return percentiles(out);
}

const noop = time(() => ({ decision: "Allow" }));
console.log(`| policies | request | decision | evaluate p50 µs | evaluate p99 µs | JSON.parse of the documents p50 / p99 µs |`);
console.log(`|---:|---|---|---:|---:|---:|`);
for (const count of [1, 100]) {
  const texts = Array.from({ length: count }, (_, i) => benchPolicyText(i, i === count - 1, A));
  const policies: CompiledPolicy[] = texts.map((t, i) => loadPolicy(t, "managed", `arn:aws:iam::${A}:policy/p${i}`));
  const parse = time(() => texts.map((t) => JSON.parse(t)));
  for (const [name, req] of REQUESTS) {
    const run = () => evaluate(req, { identity: policies }, new ContextMap(buildContext(principal, facts)));
    const d = run().decision;
    const t = time(run);
    console.log(`| ${count} | ${name} | ${d} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${parse.p50.toFixed(1)} / ${parse.p99.toFixed(1)} |`);
  }
}
console.log(`\nno-op authorizer (timing overhead): p50 ${noop.p50.toFixed(2)} µs, p99 ${noop.p99.toFixed(2)} µs; ${CALLS} calls per cell; Node ${process.version}`);
