import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateClusterCommand, DescribeClustersCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedEnv, runWharf, startWharf, tempDir, type WharfProcess } from "./helpers/wharf-cli.js";

/**
 * `wharf server` and `wharf agent` log JSON lines (time, level, component, requestId, msg) on
 * stderr, one access line per API call, at the level --log-level / WHARF_LOG_LEVEL asks —
 * through the real bin/wharf.js and the real SDK.
 */

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
type Line = Record<string, unknown>;

interface Started {
  wharf: WharfProcess;
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dataDir: string;
}

async function startServer(home: string, extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const dataDir = join(home, "data");
  const wharf = startWharf(["server", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, ...extraArgs], {
    env: isolatedEnv(home, extraEnv),
  });
  const m = await wharf.waitForStdout(/Wharf is up at (http:\/\/\S+)/);
  const credentials = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  return { wharf, url: m[1]!, credentials, dataDir };
}

const ecsFor = (s: Started, credentials = s.credentials) =>
  new ECSClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts: 1 });

// A line that never comes fails the test instead of hanging it (a bound, not a timing claim).
const BOUND = { timeout: 60_000 };

describe("structured logs and the access log", BOUND, () => {
  const home = tempDir("wharf-logging-");
  let s: Started;
  before(async () => {
    s = await startServer(home.dir);
  });
  after(async () => {
    await s?.wharf.stop();
    home.remove();
  });

  it("writes one access line per API call: operation, principal, status, duration, request id", async () => {
    const out = await ecsFor(s).send(new ListClustersCommand({}));
    const requestId = out.$metadata.requestId!;
    const line = await s.wharf.waitForLog((l) => l.requestId === requestId);
    assert.match(String(line.time), ISO);
    assert.equal(line.level, "info");
    assert.equal(line.component, "edge");
    assert.equal(line.service, "ecs");
    assert.equal(line.operation, "ListClusters");
    assert.equal(line.accessKeyId, s.credentials.accessKeyId);
    assert.equal(line.accountId, "000000000000");
    assert.equal(line.status, 200);
    assert.equal(line.errorCode, undefined);
    assert.equal(typeof line.durationMs, "number");
    assert.ok((line.durationMs as number) >= 0);
    assert.equal(line.msg, "ecs:ListClusters 200");
  });

  it("names the error code of an error answer", async () => {
    const err = await ecsFor(s)
      .send(new DescribeClustersCommand({ clusters: ["x"], include: ["FOO" as never] }))
      .catch((e: { name: string; $metadata: { requestId?: string } }) => e);
    assert.equal((err as { name: string }).name, "InvalidParameterException");
    const line = await s.wharf.waitForLog((l) => l.requestId === (err as { $metadata: { requestId?: string } }).$metadata.requestId);
    assert.equal(line.operation, "DescribeClusters");
    assert.equal(line.status, 400);
    assert.equal(line.errorCode, "InvalidParameterException");
    assert.equal(line.level, "info");
  });

  it("logs a call whose signature is refused without a principal", async () => {
    const stranger = ecsFor(s, { accessKeyId: "AKIANOTAKEY000000000", secretAccessKey: "x".repeat(40) });
    const err = (await stranger.send(new ListClustersCommand({})).catch((e) => e)) as { name: string; $metadata: { requestId?: string } };
    assert.equal(err.name, "UnrecognizedClientException");
    const line = await s.wharf.waitForLog((l) => l.requestId === err.$metadata.requestId);
    assert.equal(line.operation, "ListClusters");
    assert.equal(line.service, "ecs");
    assert.equal(line.accessKeyId, undefined, "an unverified key is not a principal");
    assert.equal(line.status, 400);
    assert.equal(line.errorCode, "UnrecognizedClientException");
  });

  it("names the CloudWatch Logs service for its calls", async () => {
    const logs = new CloudWatchLogsClient({ endpoint: s.url, region: "us-east-1", credentials: s.credentials, maxAttempts: 1 });
    const out = await logs.send(new DescribeLogGroupsCommand({}));
    const line = await s.wharf.waitForLog((l) => l.requestId === out.$metadata.requestId);
    assert.equal(line.service, "logs");
    assert.equal(line.operation, "DescribeLogGroups");
  });

  it("an agent logs as component agent, and every line of both is JSON with time, level and component", async () => {
    await ecsFor(s).send(new CreateClusterCommand({ clusterName: "log-sim" }));
    const agent = startWharf(["agent", "--simulate", "1", "--endpoint", s.url, "--cluster", "log-sim", "--server-data-dir", s.dataDir], {
      env: isolatedEnv(home.dir),
    });
    try {
      const registered = await agent.waitForLog((l) => l.msg === "simulated instances registered");
      assert.equal(registered.component, "agent");
      assert.equal(registered.level, "info");
      assert.equal(registered.simulated, true);
      assert.equal(registered.count, 1);
      // The server saw the agent's registration in its access log.
      await s.wharf.waitForLog((l) => l.operation === "RegisterContainerInstance" && l.status === 200);
    } finally {
      await agent.stop();
    }
    for (const line of [...agent.logLines(), ...s.wharf.logLines()]) {
      assert.equal(typeof line, "object", `not JSON: ${String(line)}`);
      const l = line as Line;
      assert.match(String(l.time), ISO);
      assert.ok(["fatal", "error", "warn", "info", "debug", "trace"].includes(String(l.level)), String(l.level));
      assert.equal(typeof l.component, "string");
    }
  });
});

describe("log levels", BOUND, () => {
  const home = tempDir("wharf-log-level-");
  after(() => home.remove());

  it("WHARF_LOG_LEVEL=warn keeps info lines (the access log) out", async () => {
    const s = await startServer(join(home.dir, "warn"), [], { WHARF_LOG_LEVEL: "warn" });
    try {
      await ecsFor(s).send(new ListClustersCommand({}));
    } finally {
      assert.equal(await s.wharf.stop(), 0);
    }
    assert.deepEqual(s.wharf.logLines().filter((l) => typeof l === "object" && l.level === "info"), []);
  });

  it("--log-level debug adds Wharf's own paths (health, agent polls), and wins over WHARF_LOG_LEVEL", async () => {
    const s = await startServer(join(home.dir, "debug"), ["--log-level", "debug"], { WHARF_LOG_LEVEL: "error" });
    try {
      const res = await fetch(`${s.url}/_wharf/health`);
      assert.equal(res.status, 200);
      const line = await s.wharf.waitForLog((l) => l.requestId === res.headers.get("x-amzn-requestid"));
      assert.equal(line.level, "debug");
      assert.equal(line.path, "/_wharf/health");
      assert.equal(line.method, "GET");
    } finally {
      await s.wharf.stop();
    }
  });

  it("logs the seed of its chance decisions at start: fresh by default, the one given with --random-seed", async () => {
    const seeds: unknown[] = [];
    for (const [dir, args] of [["seed-fresh", []], ["seed-given", ["--random-seed", "replay-me"]]] as const) {
      const s = await startServer(join(home.dir, dir), [...args]);
      try {
        seeds.push((await s.wharf.waitForLog((l) => l.randomSeed !== undefined)).randomSeed);
      } finally {
        await s.wharf.stop();
      }
    }
    assert.match(String(seeds[0]), /^[0-9a-f]{16}$/);
    assert.equal(seeds[1], "replay-me");
  });

  it("an unknown level is a usage error naming the levels", async () => {
    const r = await runWharf(["server", "--log-level", "loud"], { env: isolatedEnv(home.dir) });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "wharf server: --log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'. Run 'wharf server --help' to see its options.\n",
    );
    const fromEnv = await runWharf(["agent"], { env: isolatedEnv(home.dir, { WHARF_LOG_LEVEL: "chatty" }) });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /^wharf agent: WHARF_LOG_LEVEL must be one of .* got 'chatty'/);
  });
});
