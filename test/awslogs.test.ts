import { CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { type ContainerDefinition, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { RunningAgent } from "../src/agent/agent.js";
import { ECS_LABELS } from "../src/agent/container-config.js";
import { hex, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { AgentWorld, waitLogs } from "./helpers/agent-tasks.js";
import { TEST_LABEL } from "./helpers/own-names.js";
import { waitFor } from "./helpers/wait.js";
import { loadAgentState } from "../src/agent/agent-state.js";
import { exampleFile, startTestWharf, type TestWharf } from "./helpers/harness.js";
import { EcsAgentApi } from "../src/agent/api-client.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { CursorStore } from "../src/agent/logs/cursor.js";
import { ContainerFollower } from "../src/agent/logs/follower.js";
import { ensureLogGroup, ensureLogStream, logsCallOf } from "../src/contracts/logs-client.js";
import { createSink, type Sink } from "../src/agent/logs/sinks.js";
import type { LogRoute } from "../src/core/log-route.js";

const run = promisify(execFile);
const IMAGE = "wharf-test/busybox:latest";

/**
 * The awslogs driver end to end: a real control plane, a real agent, real containers; lines
 * are read back through the CloudWatch Logs API with the SDK (and `aws logs tail`, CLI v2).
 * Tasks run in bridge mode (awsvpc networking is another helper's work in progress).
 */
describe("awslogs: the agent ships container output to the Logs API", { timeout: 120_000 }, () => {
  const world = new AgentWorld();
  let agent: RunningAgent;
  const agentLog: Record<string, unknown>[] = [];
  before(async () => {
    await world.start("awslogs");
    agent = await world.agent({ log: (l) => agentLog.push(l) });
  });
  after(async () => world.close());

  const logs = (region: string) =>
    new CloudWatchLogsClient({ endpoint: world.h.server.url, region, credentials: world.h.server.credentials, maxAttempts: 1 });

  async function register(family: string, c: Partial<ContainerDefinition>, extra: Record<string, unknown> = {}): Promise<string> {
    const out = await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: "app", image: IMAGE, memory: 64, essential: true, ...c }],
        ...extra,
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  }

  async function runTask(taskDefinition: string): Promise<{ arn: string; id: string }> {
    const out = await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition }));
    assert.deepEqual(out.failures, []);
    const arn = out.tasks![0]!.taskArn!;
    return { arn, id: arn.slice(arn.lastIndexOf("/") + 1) };
  }

  /** Every event of a stream, oldest first, following forward tokens to the end. */
  async function readAll(region: string, group: string, stream: string): Promise<OutputLogEvent[]> {
    const cw = logs(region);
    const events: OutputLogEvent[] = [];
    let token: string | undefined;
    for (;;) {
      const out = await cw.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      events.push(...(out.events ?? []));
      if (!out.events?.length || out.nextForwardToken === token) return events;
      token = out.nextForwardToken;
    }
  }

  function waitEvents(region: string, group: string, stream: string, n: number): Promise<OutputLogEvent[]> {
    let events: OutputLogEvent[] = [];
    return waitFor(
      async () => {
        events = await readAll(region, group, stream).catch(() => []);
        return events.length >= n ? events : undefined;
      },
      { what: `${n} events in ${group} ${stream}`, intervalMs: 50, detail: () => `${events.length} events` },
    );
  }

  it("runs the seed's dogs definition: lines appear in /ecs/dogsdef, stream ecs/dogs/<task-id>", async (tc) => {
    const seed = JSON.parse(readFileSync(exampleFile("dogs-ec2-awsvpc.json"), "utf8"));
    const dogs = seed.containerDefinitions[0];
    // The image is stood in by busybox; bridge mode without a host port (awsvpc is being built
    // elsewhere); no task role (this agent does not serve task-role credentials).
    delete seed.taskRoleArn;
    const tdArn = (
      await world.h.ecs.send(
        new RegisterTaskDefinitionCommand({
          ...seed,
          networkMode: "bridge",
          containerDefinitions: [
            {
              ...dogs,
              image: IMAGE,
              portMappings: [{ containerPort: 80, protocol: "tcp" }],
              command: ["sh", "-c", "echo woof 1; echo woof 2; echo 'to stderr' >&2; echo woof 3; trap 'exit 0' TERM; sleep 600 & wait"],
            },
          ],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    const { arn, id } = await runTask(tdArn);
    const [running] = await world.waitTasks([arn], "RUNNING");
    const t0 = Date.now();
    const events = await waitEvents("ap-northeast-2", "/ecs/dogsdef", `ecs/dogs/${id}`, 4);
    tc.diagnostic(`lines readable ${Date.now() - t0} ms after RUNNING`);
    // stdout in order; Docker copies stderr in its own goroutine, so its line may land either side of woof 3.
    assert.deepEqual(events.map((e) => e.message).filter((m) => m !== "to stderr"), ["woof 1", "woof 2", "woof 3"]);
    assert.ok(events.some((e) => e.message === "to stderr"));
    // Event timestamps are Docker's (ms), not the shipping time.
    const dockerTs = (await run("docker", ["logs", "--timestamps", running!.containers![0]!.runtimeId!])).stdout
      .trim()
      .split("\n")
      .map((l) => Date.parse(l.slice(0, l.indexOf(" "))));
    const stdoutTimes = events.filter((e) => e.message!.startsWith("woof")).map((e) => e.timestamp);
    assert.deepEqual(stdoutTimes, dockerTs);

    // `aws logs tail` (CLI v2) shows them too.
    const aws2 = (await run("bash", ["scripts/ensure-aws-cli-v2.sh"], { timeout: 300_000 })).stdout.trim().split("\n").pop()!;
    const { stdout } = await run(aws2, ["--endpoint-url", world.h.server.url, "--region", "ap-northeast-2", "logs", "tail", "/ecs/dogsdef", "--since", "10m"], {
      env: { ...world.h.awsEnv, AWS_REGION: "ap-northeast-2", AWS_DEFAULT_REGION: "ap-northeast-2" },
    });
    assert.match(stdout, new RegExp(`ecs/dogs/${id} woof 1\\n.*ecs/dogs/${id} woof 2\\n`, "s"));

    await world.h.ecs.send(new StopTaskCommand({ cluster: world.cluster, task: arn }));
    await world.waitTasks([arn], "STOPPED");
  });

  it("blocking mode: 100,000 numbered lines then exit arrive exactly once, in order", async () => {
    const group = `/wharf-test/blocking-${hex(4)}`;
    const td = await register("lines-blocking", {
      command: ["seq", "1", "100000"],
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "run", "awslogs-create-group": "true" } },
    });
    const { arn, id } = await runTask(td);
    const [stopped] = await world.waitTasks([arn], "STOPPED", 60_000);
    assert.equal(stopped!.containers![0]!.exitCode, 0);
    // The agent drains shipping before it reports STOPPED, so everything is there now.
    const events = await readAll("us-east-1", group, `run/app/${id}`);
    assert.equal(events.length, 100_000);
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.message !== String(i + 1)) assert.fail(`event ${i} is '${events[i]!.message}', expected '${i + 1}'`);
    }
    const s = agent.logs!.stats().find((x) => x.taskArn === arn)!;
    assert.equal(s.shipped, 100_000);
    assert.equal(s.dropped, 0);
    assert.equal(s.done, true);
  });

  // How fast the app runs under non-blocking vs json-file is a timing claim: bench/logs-shipping.ts measures it.
  it("non-blocking with a tiny buffer: drops are counted and reported, kept lines stay in order", async (tc) => {
    const group = `/wharf-test/nonblocking-${hex(4)}`;
    const cmd = ["seq", "1", "100000"];
    const plain = await register("lines-jsonfile", { command: cmd, logConfiguration: { logDriver: "json-file" } });
    const lossy = await register("lines-nonblocking", {
      command: cmd,
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "nb", "awslogs-create-group": "true", mode: "non-blocking", "max-buffer-size": "4k" },
      },
    });
    // Run times from Docker's own start/die events of the task's container, read back afterwards
    // (`docker events --since … --until …` replays them), so nothing has to be listening first.
    const runtimeOf = async (td: string) => {
      const since = (Date.now() / 1000 - 1).toFixed(3);
      const { arn, id } = await runTask(td);
      const [t] = await world.waitTasks([arn], "STOPPED", 60_000);
      const cid = t!.containers![0]!.runtimeId!;
      const { stdout } = await run("docker", [
        "events", "--since", since, "--until", (Date.now() / 1000).toFixed(3),
        "--filter", `container=${cid}`, "--filter", "event=start", "--filter", "event=die", "--format", "{{json .}}",
      ]);
      const times = new Map<string, number>();
      for (const line of stdout.split("\n").filter(Boolean)) {
        const ev = JSON.parse(line) as { Action: string; timeNano: number };
        times.set(ev.Action, ev.timeNano);
      }
      return { arn, id, ms: (times.get("die")! - times.get("start")!) / 1e6 };
    };
    const base = await runtimeOf(plain);
    const nb = await runtimeOf(lossy);
    tc.diagnostic(`non-blocking run took ${nb.ms.toFixed(0)} ms vs ${base.ms.toFixed(0)} ms under json-file`);

    const s = agent.logs!.stats().find((x) => x.taskArn === nb.arn)!;
    assert.ok(s.dropped > 0, "a 4k buffer must overflow with 100,000 lines read at Docker's pace");
    assert.equal(s.shipped + s.dropped, 100_000);
    const events = await readAll("us-east-1", group, `nb/app/${nb.id}`);
    assert.equal(events.length, s.shipped);
    const nums = events.map((e) => Number(e.message));
    assert.ok(nums.every((n, i) => i === 0 || n > nums[i - 1]!), "kept lines stay in order, none twice");
    const reported = agentLog
      .filter((l) => l.task === nb.arn && typeof l.msg === "string" && l.msg.startsWith("log lines dropped"))
      .reduce((sum, l) => sum + (l.dropped as number), 0);
    assert.equal(reported, s.dropped, "every drop is reported in the agent's log");
  });

  it("a missing group with awslogs-create-group off stops the task with ECS's error before any container exists", async () => {
    const td = await register("no-group", {
      command: ["echo", "never"],
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/wharf-test/missing-${hex(4)}`, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "x" } },
    });
    const { arn } = await runTask(td);
    const [t] = await world.waitTasks([arn], "STOPPED");
    assert.equal(
      t!.stoppedReason,
      "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1",
    );
    assert.equal(t!.stopCode, "TaskFailedToStart");
    assert.deepEqual(await world.docker.listContainers({ [ECS_LABELS.taskArn]: arn }), []);
  });
});

describe("awslogs: shipping survives a killed agent without loss or duplicates", { timeout: 120_000 }, () => {
  const world = new AgentWorld();
  let child: ChildProcess | undefined;
  let instanceArn = "";
  const resumed: Record<string, unknown>[] = [];
  before(async () => world.start("awslogs-restart"));
  after(async () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    // The agent's instance, as its data dir records it, even if the test failed before reading it.
    const arn = instanceArn || loadAgentState(world.agentDir)?.containerInstanceArn;
    try {
      if (arn) await removeInstanceContainers(arn);
    } finally {
      await world.close();
    }
  });

  /** `wharf agent` as its own process, so it can be killed like a crashing agent. */
  const startChild = () => {
    const p = spawn(process.execPath, ["bin/wharf.js", "agent", "--endpoint", world.h.server.url, "--cluster", world.cluster, "--data-dir", world.agentDir, "--host-ip", world.hostIp, "--no-metadata-endpoint"], {
      env: { ...process.env, WHARF_ACCESS_KEY_ID: world.h.server.credentials.accessKeyId, WHARF_SECRET_ACCESS_KEY: world.h.server.credentials.secretAccessKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    p.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      for (const line of c.toString().split("\n")) if (line.includes("resumed log shipping")) resumed.push(JSON.parse(line));
    });
    return new Promise<ChildProcess>((resolve, reject) => {
      p.stdout!.on("data", (c: Buffer) => {
        if (c.toString().includes("Wharf agent is up")) resolve(p);
      });
      p.once("exit", (code) => reject(new Error(`agent exited ${code}: ${err}`)));
    });
  };

  it("kill -9 mid-stream, restart: every line once, in order", async (t) => {
    child = await startChild();
    instanceArn = (await world.h.ecs.send(new ListContainerInstancesCommand({ cluster: world.cluster }))).containerInstanceArns![0]!;
    const group = `/wharf-test/restart-${hex(4)}`;
    const td = (
      await world.h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "lines-restart",
          containerDefinitions: [
            {
              name: "app",
              image: IMAGE,
              memory: 64,
              command: ["sh", "-c", 'i=1; while [ $i -le 6000 ]; do echo "line $i"; [ $((i % 200)) -eq 0 ] && sleep 0.1; i=$((i+1)); done'],
              logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "r", "awslogs-create-group": "true" } },
            },
          ],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    const out = await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: td }));
    const arn = out.tasks![0]!.taskArn!;
    const stream = `r/app/${arn.slice(arn.lastIndexOf("/") + 1)}`;
    const cw = new CloudWatchLogsClient({ endpoint: world.h.server.url, region: "us-east-1", credentials: world.h.server.credentials, maxAttempts: 1 });
    const count = async () => {
      const o = await cw.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: 1, startFromHead: false })).catch(() => undefined);
      return Number(o?.events?.[0]?.message?.split(" ")[1] ?? 0);
    };
    await waitFor(async () => (await count()) >= 800, { what: "800 lines shipped", intervalMs: 20 });
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const atKill = await count();
    assert.ok(atKill >= 800 && atKill < 6000, `killed at line ${atKill}`);
    // The container goes on printing while no agent reads it: wait for 100 lines past the cut.
    const cid = (await world.describe([arn]))[0]!.containers![0]!.runtimeId!;
    await waitLogs(cid, `line ${Math.min(6000, atKill + 100)}\n`);
    child = await startChild();
    await world.waitTasks([arn], "STOPPED", 60_000);

    const cwAll: string[] = [];
    let token: string | undefined;
    for (;;) {
      const o = await cw.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      cwAll.push(...(o.events ?? []).map((e) => e.message!));
      if (!o.events?.length) break;
      token = o.nextForwardToken;
    }
    const want = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}`);
    const dupes = cwAll.length - new Set(cwAll).size;
    assert.equal(dupes, 0, `${dupes} duplicated lines`);
    assert.deepEqual(cwAll, want);
    t.diagnostic(`killed at line ${atKill}; the restarted agent resumed: ${JSON.stringify(resumed)}`);
  });
});

describe("awslogs: a batch in flight when the agent dies", { timeout: 120_000 }, () => {
  let h: TestWharf;
  const dir = mkdtempSync(join(tmpdir(), "wharf-cursors-"));
  const docker = new DockerClient();
  const ids: string[] = [];
  before(async () => {
    h = await startTestWharf();
  });
  after(async () => {
    await Promise.all(ids.map((id) => docker.removeContainer(id)));
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  /**
   * The first follower's sink hangs after (or instead of) storing its batch, like an agent
   * killed while PutLogEvents is answered; a second follower resumes from the cursor file.
   */
  for (const storedBeforeCrash of [true, false]) {
    it(`resumes exactly once when the in-flight batch was ${storedBeforeCrash ? "" : "not "}stored`, async () => {
      const { stdout } = await run("docker", ["run", "-d", "--label", `${TEST_LABEL}=awslogs`, IMAGE, "sh", "-c", "seq 1 50; sleep 1.5; seq 51 100"]);
      const id = stdout.trim();
      ids.push(id);
      const call = logsCallOf(new EcsAgentApi(h.server.url, h.server.credentials, "us-east-1"));
      const group = `/wharf-test/inflight-${hex(4)}`;
      await ensureLogGroup(call, "us-east-1", group);
      await ensureLogStream(call, "us-east-1", group, "s");
      const route: LogRoute = {
        driver: "awslogs",
        destination: { type: "cloudwatch", region: "us-east-1", group, stream: "s", createGroup: false },
        mode: "blocking",
        maxBufferBytes: 1 << 20,
        taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/abc",
        containerName: "app",
      };
      const cursors = new CursorStore(dir);
      const lines: Record<string, unknown>[] = [];
      const log = (l: Record<string, unknown>) => lines.push(l);
      const real = createSink(route, { id, dockerName: "/x" }, call, log);
      const dying = new AbortController();
      let sent = 0;
      const crashing: Sink = {
        label: real.label,
        fingerprint: (l) => real.fingerprint!(l),
        async write(batch) {
          if (storedBeforeCrash) await real.write(batch);
          sent += batch.length;
          return new Promise((_, reject) => {
            if (dying.signal.aborted) reject(new Error("agent killed"));
            dying.signal.addEventListener("abort", () => reject(new Error("agent killed")), { once: true });
          });
        },
      };
      const first = new ContainerFollower({ docker, cursors, log, signal: dying.signal }, { id, dockerName: "/x", route, tty: false, sink: crashing });
      await waitFor(() => sent > 0, { what: "the first batch sent", intervalMs: 20 });
      assert.ok(sent > 0 && sent <= 50, `first batch: ${sent} lines`);
      dying.abort();
      await first.done;
      assert.equal(cursors.load(id)!.pending?.count, sent, "the batch is recorded as pending, not acknowledged");

      const second = new ContainerFollower({ docker, cursors, log, signal: new AbortController().signal }, { id, dockerName: "/x", route, tty: false, sink: real });
      await second.done;
      assert.equal(second.isDone, true);
      const cw = new CloudWatchLogsClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
      const events = (await cw.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s", startFromHead: true }))).events!;
      assert.deepEqual(events.map((e) => e.message), Array.from({ length: 100 }, (_, i) => String(i + 1)));
      const resumed = lines.find((l) => l.msg === "resumed log shipping after a restart")!;
      assert.equal(resumed.pendingBatchStored, storedBeforeCrash);
      const doc = cursors.load(id)!;
      assert.deepEqual([doc.done, doc.shipped, doc.dropped, doc.pending], [true, 100, 0, undefined]);
    });
  }
});
