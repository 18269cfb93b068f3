import { CloudWatchLogsClient, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * The aws CLI against Wharf's CloudWatch Logs API: v1 (the harness's `aws`) for the plain
 * operations, and v2 for `aws logs tail`, which only v2 has. v2 comes from
 * scripts/ensure-aws-cli-v2.sh (Debian's package unpacked under node_modules/.cache, nothing
 * installed system-wide). That v2 (2.9) predates AWS_ENDPOINT_URL, so it gets --endpoint-url.
 */
describe("CloudWatch Logs through the aws CLI", () => {
  let w: TestWharf;
  let aws2: string;
  const group = `/wharf-cli/${process.pid}`;
  before(async () => {
    w = await startTestWharf();
    aws2 = (await run("bash", ["scripts/ensure-aws-cli-v2.sh"], { timeout: 300_000 })).stdout.trim().split("\n").pop()!;
  });
  after(async () => w.close());

  const put = async (stream: string, messages: string[], at = Date.now()) => {
    const cw = new CloudWatchLogsClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    await cw.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: messages.map((message, i) => ({ timestamp: at + i, message })),
      }),
    );
  };

  it("creates, writes and filters with aws CLI v1 (its paginator follows nextToken)", async () => {
    await w.aws("logs", "create-log-group", "--log-group-name", group);
    await w.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "web/1");
    await w.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "web/2");
    const t0 = Date.now() - 120_000;
    const events = (s: number) =>
      JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ timestamp: t0 + i * 1000 + s, message: `${i % 4 === 0 ? "ERROR" : "INFO"} web/${s} line ${i}` })));
    for (const s of [1, 2]) {
      await w.aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", `web/${s}`, "--log-events", events(s));
    }
    const out = await w.aws(
      "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR",
      "--start-time", String(t0 + 10_000), "--end-time", String(t0 + 30_000), "--page-size", "3",
    );
    const want: string[] = [];
    for (let i = 10; i <= 30; i++) for (const s of [1, 2]) if (i % 4 === 0) want.push(`ERROR web/${s} line ${i}`);
    assert.deepEqual(out.events.map((e: { message: string }) => e.message), want);
    const err = await w.awsError("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "nope");
    assert.equal(err.code, "ResourceNotFoundException");
  });

  it("`aws logs tail` (CLI v2) prints the group's lines", async () => {
    await w.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "tail/1");
    await put("tail/1", ["hello from tail one", "hello from tail two"]);
    const { stdout } = await run(aws2, ["--endpoint-url", w.server.url, "logs", "tail", group, "--since", "10m", "--log-stream-name-prefix", "tail/"], {
      env: { ...w.awsEnv, PYTHONUNBUFFERED: "1" },
    });
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /tail\/1 hello from tail one$/);
    assert.match(lines[1]!, /tail\/1 hello from tail two$/);
  });

  it("`aws logs tail --follow` picks up new lines with no repeats and no gaps", async (t) => {
    await w.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "follow/a");
    await w.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "follow/b");
    await put("follow/a", ["f-0 before"]);
    let child: ChildProcess | undefined;
    t.after(() => {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    });
    child = spawn(aws2, ["--endpoint-url", w.server.url, "logs", "tail", group, "--follow", "--since", "5m", "--format", "short", "--log-stream-name-prefix", "follow/"], {
      env: { ...w.awsEnv, PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const seen = () => out.split("\n").filter((l) => l.includes(" f-")).map((l) => l.slice(l.indexOf(" f-") + 1));
    // The CLI polls FilterLogEvents every 5 s; a line shows on the next poll.
    const lines = (n: number) => waitFor(() => seen().length >= n && seen(), { what: `${n} lines from the follow`, detail: () => out });
    assert.deepEqual(await lines(1), ["f-0 before"]);
    // Two writers, several batches, some lines sharing a millisecond (the de-duplication case).
    const at = Date.now();
    await put("follow/a", ["f-1 a", "f-2 a"], at);
    await put("follow/b", ["f-3 b"], at + 1);
    await lines(4);
    t.diagnostic(`new lines appeared after ${Date.now() - at} ms`);
    await put("follow/b", Array.from({ length: 30 }, (_, i) => `f-${4 + i} b-burst`), at + 2);
    await lines(34);
    // One more line, hence one more poll after the burst's: a poll that repeated lines would show it.
    await put("follow/a", ["f-34 last"], at + 100); // after the burst's at+2 … at+31
    const all = await waitFor(() => seen().some((l) => l.startsWith("f-34 ")) && seen(), { what: "the last line", detail: () => out });
    assert.equal(new Set(all).size, all.length, `repeated lines: ${all.join(" | ")}`);
    assert.deepEqual(
      all.map((l) => Number(l.split(" ")[0]!.slice(2))),
      Array.from({ length: 35 }, (_, i) => i),
    );
  });
});
