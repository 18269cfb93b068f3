import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { advance, ORIGIN, parseDockerTimestamp, type Position, sinceParam } from "../../src/agent/logs/cursor.js";
import { type DockerMessage, DockerLogDecoder, LineAssembler } from "../../src/agent/logs/docker-frames.js";
import { firelensOptionsProblem, parseBufferSize, planLogRoute, type RouteContext } from "../../src/core/log-route.js";
import { validateRegisterInput } from "../../src/core/task-definition/validate.js";

const frame = (type: 1 | 2, payload: string): Buffer => {
  const body = Buffer.from(payload);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};
const T = "2026-11-25T10:23:05.098494178Z";

describe("Docker log stream decoding", () => {
  it("demultiplexes stdout/stderr frames split anywhere across chunks", () => {
    const all = Buffer.concat([frame(1, `${T} a\n`), frame(2, `2026-11-25T10:23:05.1Z err\n`), frame(1, `${T} ${"x".repeat(300)}\n`)]);
    for (const step of [1, 3, 7, 8, 9, 64, all.length]) {
      const d = new DockerLogDecoder(false);
      const out: DockerMessage[] = [];
      for (let i = 0; i < all.length; i += step) out.push(...d.push(all.subarray(i, i + step)));
      assert.deepEqual(
        out.map((m) => [m.source, m.ts, m.body.toString()]),
        [
          ["stdout", 1795602185098494178n, "a\n"],
          ["stderr", 1795602185100000000n, "err\n"],
          ["stdout", 1795602185098494178n, `${"x".repeat(300)}\n`],
        ],
      );
    }
  });

  it("reads a TTY's raw stream line by line", () => {
    const d = new DockerLogDecoder(true);
    const out = [...d.push(Buffer.from(`${T} one\r\n${T} tw`)), ...d.push(Buffer.from("o\r\n"))];
    const asm = new LineAssembler(true);
    assert.deepEqual(out.map((m) => asm.push(m)!.text), ["one", "two"]);
  });

  it("joins partial messages into one line per source, keeps empty lines as empty, flushes a last partial", () => {
    const asm = new LineAssembler(false);
    const m = (source: "stdout" | "stderr", ts: bigint, body: string): DockerMessage => ({ source, ts, body: Buffer.from(body) });
    assert.equal(asm.push(m("stdout", 1n, "abc")), undefined);
    assert.deepEqual(asm.push(m("stderr", 2n, "E\n")), { source: "stderr", ts: 2n, text: "E", bytes: 1 });
    assert.deepEqual(asm.push(m("stdout", 3n, "def\n")), { source: "stdout", ts: 1n, text: "abcdef", bytes: 6 });
    assert.deepEqual(asm.push(m("stdout", 4n, "\n")), { source: "stdout", ts: 4n, text: "", bytes: 0 });
    assert.equal(asm.push(m("stdout", 5n, "tail")), undefined);
    assert.deepEqual(asm.flush().map((l) => l.text), ["tail"]);
  });

  it("parses Docker's timestamps to nanoseconds", () => {
    assert.equal(parseDockerTimestamp("2026-11-25T10:23:05Z"), 1795602185000000000n);
    assert.equal(parseDockerTimestamp("2026-11-25T10:23:05.5Z"), 1795602185500000000n);
    assert.equal(parseDockerTimestamp("2026-11-25T11:23:05.000000001+01:00"), 1795602185000000001n);
    assert.equal(parseDockerTimestamp("yesterday"), undefined);
  });
});

describe("cursor positions", () => {
  it("formats Docker's since parameter", () => {
    assert.equal(sinceParam(ORIGIN), undefined);
    assert.equal(sinceParam({ ts: 1795602185000000001n, skip: 2 }), "1795602185.000000001");
  });

  /**
   * The invariant the agent relies on to resume: for messages with non-decreasing timestamps
   * (ties allowed), after reading any prefix, Docker's `since=T` answer minus the first `skip`
   * messages is exactly the rest.
   */
  it("resumes exactly after any prefix (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }), fc.nat(), (gaps, cut) => {
        let t = 1_000n;
        const ts = gaps.map((g) => (t += BigInt(g)));
        const k = cut % (ts.length + 1);
        let p: Position = ORIGIN;
        for (const x of ts.slice(0, k)) p = advance(p, x);
        const since = p.ts === 0n ? ts : ts.filter((x) => x >= p.ts); // Docker: ts >= since, file order
        const resumed = since.slice(p.skip);
        assert.deepEqual(resumed, ts.slice(k));
      }),
    );
  });
});

describe("log routes", () => {
  const ctx: RouteContext = {
    taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c1/0123abcd",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c1",
    family: "fam",
    revision: 3,
    defaultRegion: "eu-west-1",
    containers: [],
  };
  const awslogs = (options: Record<string, string>) => planLogRoute({ name: "web", logConfiguration: { logDriver: "awslogs", options } }, ctx);

  it("names awslogs streams as ECS does, defaulting the Region to the agent's", () => {
    assert.deepEqual(awslogs({ "awslogs-group": "/g", "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true" })!.destination, {
      type: "cloudwatch",
      region: "eu-west-1",
      group: "/g",
      stream: "ecs/web/0123abcd",
      createGroup: true,
    });
    // No prefix: the container id names the stream (null until the container exists).
    assert.equal((awslogs({ "awslogs-group": "/g" })!.destination as { stream: unknown }).stream, null);
    assert.equal(awslogs({ "awslogs-group": "/g" })!.mode, "blocking");
    const nb = awslogs({ "awslogs-group": "/g", mode: "non-blocking", "max-buffer-size": "4k" })!;
    assert.deepEqual([nb.mode, nb.maxBufferBytes], ["non-blocking", 4096]);
    assert.equal(awslogs({ "awslogs-group": "/g", mode: "non-blocking" })!.maxBufferBytes, 1024 * 1024);
    assert.equal(planLogRoute({ name: "x", logConfiguration: { logDriver: "json-file" } }, ctx), undefined);
  });

  it("refuses what Docker's awslogs driver would refuse", () => {
    assert.throws(() => awslogs({ "awslogs-group": "/g", colour: "red" }), /unknown log opt 'colour' for awslogs log driver/);
    assert.throws(() => awslogs({ "awslogs-group": "/g", mode: "fast" }), /logger mode 'fast' is not supported/);
    assert.throws(() => awslogs({ "awslogs-group": "/g", "max-buffer-size": "1m" }), /only supported with 'mode=non-blocking'/);
    assert.throws(() => awslogs({ "awslogs-group": "/g", mode: "non-blocking", "max-buffer-size": "lots" }), /could not parse max-buffer-size/);
  });

  it("parses Docker's sizes", () => {
    assert.deepEqual(["25m", "4k", "512", "1g", "25MB", "4KiB", "0", "-1", "x"].map(parseBufferSize), [
      25 * 1024 ** 2, 4096, 512, 1024 ** 3, 25 * 1024 ** 2, 4096, undefined, undefined, undefined,
    ]);
  });

  it("routes FireLens outputs with the router's metadata setting and Fluent Bit's tag", () => {
    const router = { name: "r", firelensConfiguration: { type: "fluentbit" as const, options: { "enable-ecs-log-metadata": "false" } } };
    const def = { name: "app", logConfiguration: { logDriver: "awsfirelens" as const, options: { Name: "cloudwatch", region: "us-west-2", log_group_name: "/f", log_stream_prefix: "p-" } } };
    const r = planLogRoute(def, { ...ctx, containers: [router, def] })!;
    assert.deepEqual(r.destination, { type: "cloudwatch", region: "us-west-2", group: "/f", stream: "p-app-firelens-0123abcd", createGroup: false });
    assert.deepEqual(r.firelens, { tag: "app-firelens-0123abcd" });
    const withMeta = planLogRoute(def, { ...ctx, containers: [{ name: "r", firelensConfiguration: { type: "fluentbit" } }, def] })!;
    assert.deepEqual(withMeta.firelens!.metadata, { ecs_cluster: "c1", ecs_task_arn: ctx.taskArn, ecs_task_definition: "fam:3" });
    assert.match(firelensOptionsProblem({ name: "a", logConfiguration: { logDriver: "awsfirelens", options: { Name: "s3", bucket: "b" } } })!, /S3, Kinesis/);
    assert.match(firelensOptionsProblem({ name: "a", logConfiguration: { logDriver: "awsfirelens", options: { Name: "file", Path: "rel" } } })!, /absolute directory/);
  });

  it("is checked at registration", () => {
    const base = { family: "f", containerDefinitions: [{ name: "a", image: "i", memory: 32 }] };
    assert.throws(
      () => validateRegisterInput({ ...base, containerDefinitions: [{ ...base.containerDefinitions[0]!, logConfiguration: { logDriver: "awslogs", options: {} } }] }),
      { name: "ClientException", message: "Log driver awslogs option 'awslogs-group' should not be null or empty." },
    );
    assert.throws(
      () =>
        validateRegisterInput({
          ...base,
          containerDefinitions: [
            { name: "r1", image: "i", memory: 32, firelensConfiguration: { type: "fluentbit" } },
            { name: "r2", image: "i", memory: 32, firelensConfiguration: { type: "fluentd" } },
          ],
        }),
      /Only one container in a task definition can have firelensConfiguration/,
    );
  });
});
