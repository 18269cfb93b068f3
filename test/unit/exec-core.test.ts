import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CommandSyntaxError, quoteArgv, splitCommand } from "../../src/core/exec/command.js";
import {
  DockerStreamDemux,
  encodeFrame,
  encodeFrames,
  encodeJsonFrame,
  FRAME,
  type FrameType,
  FrameDecoder,
  FrameError,
  MAX_PAYLOAD_BYTES,
  parseOpenFrame,
  parseResize,
} from "../../src/core/exec/frames.js";
import { EXEC_NOT_ENABLED, execEventMessage, execTarget, INTERACTIVE_ONLY, newSessionId } from "../../src/core/exec/rules.js";
import { AwsError } from "../../src/core/errors.js";

const TYPES = Object.values(FRAME) as FrameType[];

/** Splits `buf` at the given cut points (any chunking a socket may deliver). */
function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out;
}

describe("exec stream frames", () => {
  it("decodes what was encoded, whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: fc.constantFrom(...TYPES), payload: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cuts) => {
          const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, Buffer.from(f.payload))));
          const d = new FrameDecoder();
          const got = chunked(wire, cuts).flatMap((c) => d.push(c));
          assert.deepEqual(
            got.map((f) => ({ type: f.type, payload: [...f.payload] })),
            frames.map((f) => ({ type: f.type, payload: [...f.payload] })),
          );
          assert.equal(d.pending, 0);
        },
      ),
    );
  });

  it("holds a partial frame until the rest arrives", () => {
    const d = new FrameDecoder();
    const f = encodeFrame(FRAME.stdout, "hello");
    assert.deepEqual(d.push(f.subarray(0, 3)), []);
    assert.deepEqual(d.push(f.subarray(3, 7)), []);
    assert.equal(d.pending, 7);
    const [frame] = d.push(f.subarray(7));
    assert.equal(frame!.type, FRAME.stdout);
    assert.equal(frame!.payload.toString(), "hello");
  });

  it("refuses an unknown type and an oversized length", () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([42, 0, 0, 0, 0])), FrameError);
    const big = Buffer.alloc(5);
    big.writeUInt8(FRAME.stdin, 0);
    big.writeUInt32BE(MAX_PAYLOAD_BYTES + 1, 1);
    assert.throws(() => new FrameDecoder().push(big), /exceeds/);
    assert.throws(() => encodeFrame(FRAME.stdin, Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), RangeError);
  });

  it("splits a large payload into frames no larger than the limit", () => {
    const payload = Buffer.alloc(MAX_PAYLOAD_BYTES * 2 + 10, 7);
    const frames = encodeFrames(FRAME.stdout, payload);
    assert.equal(frames.length, 3);
    const d = new FrameDecoder();
    const got = frames.flatMap((f) => d.push(f));
    assert.deepEqual(Buffer.concat(got.map((f) => f.payload)), payload);
  });

  it("reads open and resize payloads, dropping nonsense sizes", () => {
    assert.deepEqual(parseOpenFrame(encodeJsonFrame(FRAME.open, { tty: true, stdin: true, cols: 80, rows: 24 }).subarray(5)), { tty: true, stdin: true, cols: 80, rows: 24 });
    assert.deepEqual(parseOpenFrame(Buffer.from('{"tty":1,"cols":-3}')), { tty: false, stdin: false });
    assert.equal(parseOpenFrame(Buffer.from("not json")), undefined);
    assert.deepEqual(parseResize(Buffer.from('{"cols":100,"rows":40}')), { cols: 100, rows: 40 });
    assert.equal(parseResize(Buffer.from('{"cols":100}')), undefined);
  });
});

describe("Docker's multiplexed stream", () => {
  const dockerFrame = (stream: number, data: string) => {
    const h = Buffer.alloc(8);
    h.writeUInt8(stream, 0);
    h.writeUInt32BE(Buffer.byteLength(data), 4);
    return Buffer.concat([h, Buffer.from(data)]);
  };

  it("separates stdout and stderr, whatever the chunking", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ err: fc.boolean(), data: fc.string({ minLength: 1, maxLength: 50 }) }), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 15 }), (parts, cuts) => {
        const wire = Buffer.concat(parts.map((p) => dockerFrame(p.err ? 2 : 1, p.data)));
        const d = new DockerStreamDemux();
        const got = chunked(wire, cuts).flatMap((c) => d.push(c));
        assert.deepEqual(
          got.map((g) => ({ err: g.stream === "stderr", data: g.data.toString() })),
          parts.map((p) => ({ err: p.err, data: p.data })),
        );
      }),
    );
  });
});

describe("ExecuteCommand's command string", () => {
  it("splits by the shell's word rules without expansion", () => {
    assert.deepEqual(splitCommand("sh -c 'echo hi; exit 3'"), ["sh", "-c", "echo hi; exit 3"]);
    assert.deepEqual(splitCommand('  /bin/echo   "a \\"b\\" $HOME" c\\ d '), ["/bin/echo", 'a "b" $HOME', "c d"]);
    assert.deepEqual(splitCommand("a ''"), ["a", ""]);
    assert.deepEqual(splitCommand("/bin/sh"), ["/bin/sh"]);
    assert.throws(() => splitCommand("sh -c 'oops"), CommandSyntaxError);
    assert.throws(() => splitCommand('echo "oops'), CommandSyntaxError);
  });

  it("quoteArgv is splitCommand's inverse", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 8 }), (argv) => {
        assert.deepEqual(splitCommand(quoteArgv(argv)), argv);
      }),
    );
  });
});

describe("ExecuteCommand's rules", () => {
  const task = (over: Partial<Parameters<typeof execTarget>[0]> = {}) => ({
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    enableExecuteCommand: true,
    containers: [{ name: "app", containerArn: "arn:c/app", lastStatus: "RUNNING" }],
    ...over,
  });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof AwsError);
      return `${err.code}: ${err.message}`;
    }
    assert.fail("not refused");
  };

  it("picks the only container, or the named one", () => {
    assert.deepEqual(execTarget(task(), { interactive: true, command: "sh" }), { name: "app", containerArn: "arn:c/app" });
    const two = task({ containers: [{ name: "a", containerArn: "arn:a" }, { name: "b", containerArn: "arn:b" }] });
    assert.equal(execTarget(two, { interactive: true, command: "sh", container: "b" }).name, "b");
    assert.match(refusal(() => execTarget(two, { interactive: true, command: "sh" })), /^InvalidParameterException: The task has more than one container/);
    assert.equal(refusal(() => execTarget(two, { interactive: true, command: "sh", container: "c" })), "InvalidParameterException: The container c does not exist in the task.");
  });

  it("refuses in ECS's words", () => {
    assert.equal(refusal(() => execTarget(task(), { interactive: false, command: "sh" })), `InvalidParameterException: ${INTERACTIVE_ONLY}`);
    assert.equal(refusal(() => execTarget(task({ enableExecuteCommand: false }), { interactive: true, command: "sh" })), `InvalidParameterException: ${EXEC_NOT_ENABLED}`);
    assert.equal(refusal(() => execTarget(task({ lastStatus: "PENDING" }), { interactive: true, command: "sh" })), `InvalidParameterException: ${EXEC_NOT_ENABLED}`);
    assert.equal(refusal(() => execTarget(task({ desiredStatus: "STOPPED" }), { interactive: true, command: "sh" })), `InvalidParameterException: ${EXEC_NOT_ENABLED}`);
    assert.match(EXEC_NOT_ENABLED, /^The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running\./);
  });

  it("session ids look like ECS's; events name the session, task, container and caller", () => {
    let n = 0;
    const id = newSessionId(() => (n++ % 16) / 16);
    assert.equal(id, "ecs-execute-command-0123456789abcdef0");
    assert.equal(
      execEventMessage("web", { sessionId: id, taskId: "t1", container: "app", callerArn: "arn:aws:iam::1:user/u", command: "sh" }),
      `(service web) started execute command session ${id} on task t1 (container app) for arn:aws:iam::1:user/u: sh`,
    );
  });
});
