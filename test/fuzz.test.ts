import { ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { after, before, describe, it } from "node:test";
import { ECS_TARGET_PREFIX } from "../src/api/ecs/index.js";
import { ecsModel } from "../src/api/ecs/model.generated.js";
import { ECR_TARGET_PREFIX } from "../src/api/ecr/index.js";
import { ecrModel } from "../src/api/ecr/model.generated.js";
import { LOGS_TARGET_PREFIX } from "../src/api/logs/index.js";
import { logsModel } from "../src/api/logs/model.generated.js";
import { SERVICEDISCOVERY_TARGET_PREFIX } from "../src/api/servicediscovery/index.js";
import { servicediscoveryModel } from "../src/api/servicediscovery/model.generated.js";
import type { Shape, ShapeModel } from "../src/edge/shape-model.js";
import { signSigV4 } from "../src/edge/sigv4.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * Issue 18.4: 100,000 generated malformed or hostile requests across every operation of the ECS,
 * Logs and ECR models — wrong types, shape-aware random values, bad and truncated JSON, deep nesting,
 * invalid UTF-8, huge bodies, bad or missing headers and signatures, unknown targets — and not one
 * 5xx answer; the server still answers at the end. Seeded (WHARF_FUZZ_SEED) so a failure replays;
 * WHARF_FUZZ_REQUESTS sets the count. Every 5xx is printed with the request that caused it.
 */

const TOTAL = Number(process.env.WHARF_FUZZ_REQUESTS ?? 100_000);
const SEED = Number(process.env.WHARF_FUZZ_SEED ?? 18_4);
const CONCURRENCY = 32;

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Api {
  model: ShapeModel;
  prefix: string;
  service: string;
  ops: string[];
}

const APIS: Api[] = [
  { model: ecsModel, prefix: ECS_TARGET_PREFIX, service: "ecs", ops: Object.keys(ecsModel.operations) },
  { model: logsModel, prefix: LOGS_TARGET_PREFIX, service: "logs", ops: Object.keys(logsModel.operations) },
  { model: servicediscoveryModel, prefix: SERVICEDISCOVERY_TARGET_PREFIX, service: "servicediscovery", ops: Object.keys(servicediscoveryModel.operations) },
  { model: ecrModel, prefix: ECR_TARGET_PREFIX, service: "ecr", ops: Object.keys(ecrModel.operations) },
];

const WEIRD_STRINGS = ["", " ", "default", "arn:aws:ecs:us-east-1:000000000000:cluster/default", "arn:aws-cn:ecs:cn-north-1:111111111111:task/x/y",
  "../../etc/passwd", "%00", "\u0000", "💥".repeat(40), "a".repeat(300), "constructor", "__proto__", "toString", "{}", "1e309", "-1",
  "family:1", "family:999999999999", "subnet-", "/aws/ecs", "*", "\\", "' OR 1=1 --"];

/** A value for a shape: mostly of the right kind with random content, sometimes of the wrong kind. */
function valueFor(model: ShapeModel, shapeName: string, r: () => number, depth: number): unknown {
  const shape: Shape | undefined = model.shapes[shapeName];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  if (!shape || depth > 6 || r() < 0.08) return wrongValue(r, depth);
  switch (shape.t) {
    case "o": {
      const members = typeof shape.m === "object" ? Object.entries(shape.m) : [];
      const out: Record<string, unknown> = {};
      for (const [name, ref] of members) if (r() < 0.5 || shape.r?.includes(name)) out[name] = valueFor(model, ref, r, depth + 1);
      if (r() < 0.05) out[pick(["__proto__", "constructor", "unknownMember"])] = wrongValue(r, depth);
      return out;
    }
    case "l":
      return Array.from({ length: depth === 0 && r() < 0.05 ? 101 : pick([0, 1, 2, 3, 11]) }, () => valueFor(model, String(shape.m), r, depth + 1));
    case "m":
      return Object.fromEntries(
        Array.from({ length: pick([0, 1, 3, 51]) }, (_, i) => [`${pick(WEIRD_STRINGS)}${i}`, valueFor(model, shape.v ?? "", r, depth + 1)]),
      );
    case "s":
      return shape.e && r() < 0.6 ? pick(shape.e) : pick(WEIRD_STRINGS);
    case "i":
      return pick([0, -1, 1, 65535, 65536, 2 ** 31, -(2 ** 31) - 1, 10_001, 1.5]);
    case "d":
      return pick([0, -1.5, 1e308, 3.14]);
    case "b":
      return r() < 0.5;
    case "t":
      return pick([0, -1, 1e12, 1e15, 4102444800]);
    default:
      return wrongValue(r, depth);
  }
}

function wrongValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * 8);
  if (k === 0) return null;
  if (k === 1) return r() < 0.5;
  if (k === 2) return Math.floor(r() * 1e9) * (r() < 0.5 ? -1 : 1);
  if (k === 3) return "x".repeat(r() < 0.03 ? 65_537 + Math.floor(r() * 5000) : Math.floor(r() * 400));
  if (k === 4 && depth < 6) return [wrongValue(r, depth + 1)];
  if (k === 5 && depth < 6) return { a: wrongValue(r, depth + 1) };
  if (k === 6) return 1e309 === Infinity ? 1.7976931348623157e308 : 0;
  return WEIRD_STRINGS[Math.floor(r() * WEIRD_STRINGS.length)];
}

interface FuzzRequest {
  kind: string;
  headers: Record<string, string>;
  body: Buffer;
  path: string;
  method: string;
}

function generate(i: number, r: () => number, h: TestWharf, host: string): FuzzRequest {
  const api = APIS[Math.floor(r() * APIS.length)]!;
  const op = api.ops[Math.floor(r() * api.ops.length)]!;
  const target = `${api.prefix}.${op}`;
  const contentType = "application/x-amz-json-1.1";
  const kind = ["shape", "shape", "shape", "truncated", "deep", "badutf8", "wrongtop", "badsig", "noauth", "unknowntarget", "badtarget", "skew", "badct", "huge"][
    i % 1000 === 0 ? 13 : Math.floor(r() * 13)
  ]!;
  let body: Buffer;
  const input = op in api.model.operations && api.model.operations[op] ? valueFor(api.model, api.model.operations[op]!, r, 0) : {};
  const json = JSON.stringify(input);
  switch (kind) {
    case "truncated":
      body = Buffer.from(json.slice(0, Math.max(0, Math.floor(r() * json.length) - 1)));
      break;
    case "deep": {
      const d = r() < 0.05 ? 20_000 : 1 + Math.floor(r() * 500);
      body = Buffer.from(r() < 0.5 ? "[".repeat(d) + "]".repeat(d) : '{"a":'.repeat(d) + "1" + "}".repeat(d));
      break;
    }
    case "badutf8":
      body = Buffer.concat([Buffer.from('{"cluster":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0]), Buffer.from('"}')]);
      break;
    case "wrongtop":
      body = Buffer.from(JSON.stringify([null, 1, "s", [], true][Math.floor(r() * 5)]));
      break;
    case "huge":
      body = Buffer.from(JSON.stringify({ cluster: "x".repeat(3 * 1024 * 1024) }));
      break;
    default:
      body = Buffer.from(json);
  }
  const base: Record<string, string> = { "content-type": kind === "badct" ? "text/plain" : contentType, "x-amz-target": target };
  if (kind === "unknowntarget") base["x-amz-target"] = `${api.prefix}.NoSuchOperation${i % 7}`;
  if (kind === "badtarget") base["x-amz-target"] = ["", ".", "constructor", `${api.prefix}.__proto__`, "x".repeat(5000)][i % 5]!;
  const signed = signSigV4({
    method: "POST",
    url: "/",
    host,
    headers: base,
    body,
    accessKeyId: h.server.credentials.accessKeyId,
    secretAccessKey: h.server.credentials.secretAccessKey,
    region: r() < 0.9 ? "us-east-1" : "eu-west-1",
    service: api.service,
    ...(kind === "skew" ? { nowMs: Date.now() - 16 * 60_000 } : {}),
  });
  if (kind === "badsig") signed.authorization = signed.authorization!.replace(/Signature=[0-9a-f]{8}/, "Signature=deadbeef");
  if (kind === "noauth") delete signed.authorization;
  return { kind, headers: signed, body, path: "/", method: "POST" };
}

function send(agent: Agent, port: number, q: FuzzRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: q.path, method: q.method, headers: { ...q.headers, "content-length": String(q.body.length) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 300) }));
      res.on("error", () => resolve({ status: -1, body: "response error" }));
    });
    // A server that closes on an over-limit body is an answer (413), not a failure of the test.
    req.on("error", (err) => resolve({ status: -1, body: err.message }));
    req.end(q.body);
  });
}

describe("fuzz: 100,000 malformed and hostile requests, 0 answers in 5xx", { timeout: 600_000 }, () => {
  let h: TestWharf;
  before(async () => {
    h = await startTestWharf();
  });
  after(() => h.close());

  it(`sends ${TOTAL} generated requests across every ECS, Logs, Cloud Map and ECR operation; none gets a 5xx; the server still answers`, async (tc) => {
    const port = h.server.port;
    const host = `127.0.0.1:${port}`;
    const r = rng(SEED);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const byStatus = new Map<number, number>();
    const byKind = new Map<string, number>();
    const fiveXX: string[] = [];
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= TOTAL) return;
        const q = generate(i, r, h, host);
        byKind.set(q.kind, (byKind.get(q.kind) ?? 0) + 1);
        const res = await send(agent, port, q);
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        if (res.status >= 500 && fiveXX.length < 20) {
          fiveXX.push(`#${i} ${q.kind} ${q.headers["x-amz-target"]} ${q.body.subarray(0, 200).toString("utf8")} → ${res.status} ${res.body}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;
    tc.diagnostic(`${TOTAL} requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)}/s), seed ${SEED}`);
    tc.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
    tc.diagnostic(`kinds: ${JSON.stringify(Object.fromEntries(byKind))}`);
    const total5xx = [...byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    assert.equal(total5xx, 0, `5xx answers:\n${fiveXX.join("\n")}`);
    assert.ok((byStatus.get(200) ?? 0) > 0, "some requests were well-formed enough to succeed");
    // Still serving: health, and a real SDK call.
    const health = await fetch(`${h.server.url}/_wharf/health`);
    assert.equal(health.status, 200);
    await h.ecs.send(new ListClustersCommand({}));
    assert.equal(h.server.listenerFailures(), 0, "no store write listener threw");
  });
});
