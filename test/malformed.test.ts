import { ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { ECS_TARGET_PREFIX, ecsOperations } from "../src/api/ecs/index.js";
import { ecsModel } from "../src/api/ecs/model.generated.js";
import type { Shape } from "../src/edge/shape-model.js";
import { signSigV4 } from "../src/edge/sigv4.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/** mulberry32: a tiny seeded PRNG, so every run sends the same 1,000 requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

interface Bad {
  kind: string;
  method?: string;
  target?: string | null;
  body: string | Buffer;
  /** false: send without any Authorization header; "garble": a broken one. */
  sign?: boolean | "garble";
  /** Error types acceptable for this request (any 4xx type when absent). */
  expect?: string[];
}

const OPS = Object.keys(ecsModel.operations);
const shapeOf = (name: string): Shape => ecsModel.shapes[name]!;
const built = (op: string) => op in ecsOperations;

/** A JSON value of the wrong type for a shape. */
function wrongValue(r: Rng, shape: Shape): unknown {
  switch (shape.t) {
    case "s":
      return r.pick([42, true, ["x"], { a: 1 }]);
    case "l":
      return r.pick(["not-a-list", 7, { a: 1 }]);
    case "i":
      return r.pick(["12", 1.5, true, [1]]);
    case "d":
    case "t":
      return r.pick(["1.5", false, [1]]);
    case "b":
      return r.pick(["true", 1, [true]]);
    case "o":
    case "m":
      return r.pick([["x"], "str", 3]);
    default:
      return undefined;
  }
}

/** Builds `{member: …}` with a wrongly typed leaf, descending into structures and lists (nested wrong types). */
function wrongInput(r: Rng, shapeName: string, depth = 0): Record<string, unknown> | undefined {
  const shape = shapeOf(shapeName);
  if (shape.t !== "o") return undefined;
  const members = Object.entries(shape.m as Record<string, string>);
  if (members.length === 0) return undefined;
  const [name, memberShapeName] = r.pick(members);
  const member = shapeOf(memberShapeName);
  if (depth < 3 && r.next() < 0.5) {
    if (member.t === "o") {
      const inner = wrongInput(r, memberShapeName, depth + 1);
      if (inner) return { [name]: inner };
    }
    if (member.t === "l" && shapeOf(member.m as string).t === "o") {
      const inner = wrongInput(r, member.m as string, depth + 1);
      if (inner) return { [name]: [inner] };
    }
  }
  const v = wrongValue(r, member);
  return v === undefined ? undefined : { [name]: v };
}

const GENERATORS: Array<(r: Rng) => Bad> = [
  (r) => {
    const good = JSON.stringify({ clusterName: "x", tags: [{ key: "a", value: "b" }] });
    return { kind: "bad-json", body: good.slice(0, 1 + r.int(good.length - 2)) + r.pick(["", "}", "{", ",", "'"]), expect: ["SerializationException"] };
  },
  (r) => ({ kind: "non-object-json", body: r.pick(["[]", "[1,2]", '"str"', "null", "42", "true", "[{}]"]), expect: ["SerializationException"] }),
  (r) => {
    for (;;) {
      const op = r.pick(OPS);
      const input = wrongInput(r, ecsModel.operations[op]!);
      if (!input) continue;
      return {
        kind: "wrong-type",
        target: `${ECS_TARGET_PREFIX}.${op}`,
        body: JSON.stringify(input),
        expect: built(op) ? ["SerializationException"] : ["UnsupportedFeatureException"],
      };
    }
  },
  (r) => {
    const n = 64 * 1024 + 1 + r.int(1000);
    const op = r.pick(["CreateCluster", "ListTagsForResource", "DescribeClusters"]);
    const body =
      op === "CreateCluster"
        ? { clusterName: "a".repeat(n) }
        : op === "ListTagsForResource"
          ? { resourceArn: "b".repeat(n) }
          : { clusters: ["c".repeat(n)] };
    return { kind: "huge-member", target: `${ECS_TARGET_PREFIX}.${op}`, body: JSON.stringify(body), expect: ["InvalidParameterException"] };
  },
  (r) => ({
    kind: "unknown-target",
    target: r.pick([
      `${ECS_TARGET_PREFIX}.NoSuchOp${r.int(1000)}`,
      `${ECS_TARGET_PREFIX}.constructor`,
      `${ECS_TARGET_PREFIX}.__proto__`,
      `${ECS_TARGET_PREFIX}.toString`,
      `${ECS_TARGET_PREFIX}.hasOwnProperty`,
      "AmazonEC2ContainerServiceV20141113",
      "NoSuchService.ListClusters",
      ".",
      "",
    ]),
    body: "{}",
    expect: ["UnknownOperationException"],
  }),
  () => ({ kind: "missing-target", target: null, body: "{}", expect: ["UnknownOperationException"] }),
  (r) => ({ kind: "get", method: r.pick(["GET", "PUT", "DELETE", "PATCH"]), body: "", expect: ["UnknownOperationException"] }),
  (r) => ({ kind: "random-bytes", body: r.bytes(1 + r.int(2048)), expect: ["SerializationException"] }),
  (r) => ({
    kind: "numbers-as-strings",
    target: `${ECS_TARGET_PREFIX}.ListClusters`,
    body: JSON.stringify({ maxResults: r.pick(["10", "1e2", "", "ten"]) }),
    expect: ["SerializationException"],
  }),
  (r) => ({
    kind: "unsigned",
    sign: false,
    target: `${ECS_TARGET_PREFIX}.CreateCluster`,
    body: JSON.stringify({ clusterName: `unsigned-${r.int(1e6)}` }),
    expect: ["MissingAuthenticationTokenException"],
  }),
  (r) => ({
    kind: "garbled-auth",
    sign: "garble",
    target: `${ECS_TARGET_PREFIX}.CreateCluster`,
    body: JSON.stringify({ clusterName: `garbled-${r.int(1e6)}` }),
    expect: ["IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException"],
  }),
  (r) => ({
    kind: "deep-nesting",
    target: `${ECS_TARGET_PREFIX}.DescribeClusters`,
    body: `{"clusters":${"[".repeat(5000 + r.int(50_000))}`,
    expect: ["SerializationException"],
  }),
];

/** > 1 MiB: rare, so the whole run stays fast. */
const hugeBody = (): Bad => ({
  kind: "huge-body",
  target: `${ECS_TARGET_PREFIX}.CreateCluster`,
  body: JSON.stringify({ clusterName: "x", pad: "p".repeat(1024 * 1024 + 10) }),
  expect: ["SerializationException"],
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe("malformed requests always get a 4xx in AWS's error shape", () => {
  let w: TestWharf;
  let agent: Agent;
  before(async () => {
    w = await startTestWharf();
    agent = new Agent({ keepAlive: true, maxSockets: 8 });
  });
  after(async () => {
    agent.destroy();
    await w.close();
  });

  function send(bad: Bad): Promise<Answer> {
    const url = new URL(w.server.url);
    const body = typeof bad.body === "string" ? Buffer.from(bad.body) : bad.body;
    let headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1" };
    if (bad.target !== null) headers["x-amz-target"] = bad.target ?? `${ECS_TARGET_PREFIX}.CreateCluster`;
    if (bad.sign !== false) {
      headers = signSigV4({
        method: bad.method ?? "POST",
        url: "/",
        host: url.host,
        headers,
        body,
        accessKeyId: w.server.credentials.accessKeyId,
        secretAccessKey: w.server.credentials.secretAccessKey,
        region: "us-east-1",
        service: "ecs",
      });
      if (bad.sign === "garble") headers.authorization = headers.authorization!.replace(/Signature=\w{8}/, "Signature=zz").replace("SignedHeaders=", "SignedHeaders=;;");
    }
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: "/", method: bad.method ?? "POST", headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  function checkShape(bad: Bad, a: Answer): string {
    const what = `${bad.kind} → ${a.status} ${a.body.slice(0, 200)}`;
    assert.ok(a.status >= 400 && a.status < 500, what);
    const parsed = JSON.parse(a.body) as { __type?: unknown; message?: unknown };
    assert.equal(typeof parsed.__type, "string", what);
    assert.equal(typeof parsed.message, "string", what);
    assert.equal(a.headers["x-amzn-errortype"], parsed.__type, what);
    assert.ok(a.headers["x-amzn-requestid"], what);
    if (bad.expect) assert.ok(bad.expect.includes(parsed.__type as string), `expected ${bad.expect.join("|")}: ${what}`);
    return parsed.__type as string;
  }

  it("1,000 generated malformed requests: all 4xx with __type, message, X-Amzn-Errortype and a request id", async () => {
    const r = prng(0x5eed);
    const requests: Bad[] = [];
    for (let i = 0; i < 1000; i++) requests.push(i % 250 === 7 ? hugeBody() : r.pick(GENERATORS)(r));
    const before = (await w.ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    const seen = new Map<string, number>();
    for (let i = 0; i < requests.length; i += 8) {
      const batch = requests.slice(i, i + 8);
      const answers = await Promise.all(batch.map(send));
      batch.forEach((bad, j) => {
        const type = checkShape(bad, answers[j]!);
        seen.set(`${bad.kind}:${type}`, (seen.get(`${bad.kind}:${type}`) ?? 0) + 1);
      });
    }
    // Every generator was exercised, and nothing malformed created anything.
    const kinds = new Set([...seen.keys()].map((k) => k.split(":")[0]));
    assert.equal(kinds.size, GENERATORS.length + 1, [...kinds].join(","));
    const afterList = (await w.ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    assert.deepEqual(afterList, before);
  });

  it("hand-picked requests get the specific error ECS gives", async () => {
    const cases: Array<[Bad, string, RegExp?]> = [
      [{ kind: "bad-json", body: "{" }, "SerializationException"],
      [{ kind: "null", body: "null" }, "SerializationException"],
      [{ kind: "list-for-string", body: JSON.stringify({ clusterName: ["a"] }) }, "SerializationException", /clusterName/],
      [{ kind: "string-for-list", target: `${ECS_TARGET_PREFIX}.DescribeClusters`, body: JSON.stringify({ clusters: "a" }) }, "SerializationException", /clusters/],
      [
        { kind: "nested", body: JSON.stringify({ clusterName: "n", tags: [{ key: 1, value: "v" }] }) },
        "SerializationException",
        /tags\[0\]\.key/,
      ],
      [{ kind: "number-as-string", target: `${ECS_TARGET_PREFIX}.ListClusters`, body: JSON.stringify({ maxResults: "5" }) }, "SerializationException"],
      [{ kind: "missing-required", target: `${ECS_TARGET_PREFIX}.TagResource`, body: "{}" }, "InvalidParameterException", /resourceArn/],
      [
        { kind: "proto-smuggle", target: `${ECS_TARGET_PREFIX}.ListTagsForResource`, body: '{"__proto__":{"resourceArn":{"x":1}}}' },
        "InvalidParameterException",
        /Missing required parameter/,
      ],
      [{ kind: "bad-enum", target: `${ECS_TARGET_PREFIX}.DescribeClusters`, body: JSON.stringify({ include: ["BOGUS"] }) }, "InvalidParameterException"],
      [{ kind: "huge-member", body: JSON.stringify({ clusterName: "a".repeat(70_000) }) }, "InvalidParameterException"],
      [hugeBody(), "SerializationException"],
      [{ kind: "op-constructor", target: `${ECS_TARGET_PREFIX}.constructor`, body: "{}" }, "UnknownOperationException"],
      [{ kind: "no-target", target: null, body: "{}" }, "UnknownOperationException"],
      [{ kind: "get", method: "GET", body: "" }, "UnknownOperationException"],
      [{ kind: "unsigned", sign: false, body: "{}" }, "MissingAuthenticationTokenException"],
    ];
    for (const [bad, type, message] of cases) {
      const a = await send(bad);
      assert.equal(checkShape(bad, a), type, bad.kind);
      if (message) assert.match(JSON.parse(a.body).message, message, bad.kind);
    }
    const big = await send(hugeBody());
    assert.equal(big.status, 413);
  });

  it("raw bytes that are not HTTP get a 400 in AWS's shape, and the server keeps answering", async () => {
    const url = new URL(w.server.url);
    const r = prng(7);
    for (let i = 0; i < 5; i++) {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(Number(url.port), url.hostname, () => s.end(Buffer.concat([r.bytes(64), Buffer.from("\r\n\r\n")])));
        let data = "";
        s.on("data", (d) => (data += d.toString("latin1")));
        s.on("end", () => resolve(data));
        s.on("error", reject);
      });
      assert.match(reply, /^HTTP\/1\.1 400/);
      assert.match(reply, /X-Amzn-Errortype: SerializationException/);
      assert.match(reply, /"__type":"SerializationException"/);
    }
    const ok = await w.ecs.send(new ListClustersCommand({}));
    assert.ok(Array.isArray(ok.clusterArns));
  });
});
