import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

const IMAGE = "wharf-test/busybox:latest";

/** Starts `node bin/wharf.js ARGS` against the test server; the world kills it at the end if it still runs. */
function spawnWharf(world: AgentWorld, args: string[]): ChildProcess {
  const { AWS_ENDPOINT_URL: _e, ...env } = world.h.awsEnv;
  let p: ChildProcess | undefined;
  world.defer(() => p && p.exitCode === null && p.signalCode === null && p.kill("SIGKILL"));
  p = spawn(process.execPath, ["bin/wharf.js", args[0]!, "--endpoint", world.h.server.url, ...args.slice(1)], { env, stdio: ["ignore", "pipe", "pipe"] });
  return p;
}

/** `node bin/wharf.js ARGS` against the test server; resolves its exit code, output and run time. */
function wharf(world: AgentWorld, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const p = spawnWharf(world, args) as ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
  let stdout = "";
  let stderr = "";
  p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => p.on("exit", (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 })));
}

describe("wharf run: one-off tasks from the command line", { timeout: 120_000 }, () => {
  const world = new AgentWorld();
  const group = `/wharf-test/run-${hex(4)}`;
  const awslogs = (prefix: string) => ({
    logDriver: "awslogs" as const,
    options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": prefix, "awslogs-create-group": "true" },
  });
  before(async () => {
    await world.start("wharf-run");
    await world.agent();
  });
  after(async () => world.close());

  const register = async (family: string, command: string[], logConfiguration: Record<string, unknown> = awslogs(family)) => {
    await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: "job", image: IMAGE, memory: 64, essential: true, command, logConfiguration: logConfiguration as never }],
      }),
    );
  };

  it("streams the output of a task that prints and exits 42, and exits 42", async () => {
    await register("job42", ["sh", "-c", "echo hello; echo world >&2; sleep 0.3; echo bye; exit 42"]);
    const r = await wharf(world, ["run", "job42", "--cluster", world.cluster, "--logs"]);
    assert.equal(r.code, 42, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual([...lines].sort(), ["bye", "hello", "world"]);
    assert.equal(lines[lines.length - 1], "bye");
    assert.match(r.stderr, /task \w+ PROVISIONING\n/);
    assert.match(r.stderr, /task \w+ RUNNING\n/);
    assert.match(r.stderr, /task \w+ STOPPED: Essential container in task exited; job exited 42\n/);
  });

  it("runs overrides given after --, and says so when the container does not use awslogs", async () => {
    await register("jobover", ["sh", "-c", "echo not overridden"]);
    const over = await wharf(world, ["run", "jobover", "--cluster", world.cluster, "--logs", "--", "sh", "-c", "echo overridden; exit 3"]);
    assert.equal(over.code, 3, over.stderr);
    assert.equal(over.stdout, "overridden\n");

    await register("plainjob", ["sh", "-c", "echo invisible; exit 7"], { logDriver: "json-file" });
    const plain = await wharf(world, ["run", "plainjob", "--cluster", world.cluster, "--logs"]);
    assert.equal(plain.code, 7);
    assert.equal(plain.stdout, "");
    assert.match(plain.stderr, /logs with json-file; only awslogs .* waiting for the task to stop/);
  });

  it("--timeout 5 stops a task that sleeps forever after 5 s; its stoppedReason says so; exits 124", async (tc) => {
    await register("forever", ["sh", "-c", "trap 'exit 143' TERM; echo started; sleep 100000 & wait"]);
    const r = await wharf(world, ["run", "forever", "--cluster", world.cluster, "--logs", "--timeout", "5"]);
    assert.equal(r.code, 124, r.stderr);
    assert.ok(r.ms >= 5_000, `stopped after ${r.ms} ms, before its 5 s`);
    tc.diagnostic(`wharf run --timeout 5 exited after ${r.ms} ms`);
    assert.equal(r.stdout, "started\n");
    assert.match(r.stderr, /timed out after 5 s; stopping the task/);
    const arns = (await world.h.ecs.send(new ListTasksCommand({ cluster: world.cluster, family: "forever", desiredStatus: "STOPPED" }))).taskArns!;
    const [t] = (await world.h.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: arns }))).tasks!;
    assert.equal(t!.stoppedReason, "Timed out after 5 seconds (wharf run --timeout)");
    assert.equal(t!.stopCode, "UserInitiated");
    assert.equal(t!.lastStatus, "STOPPED");
  });

  it("says what to do when the task definition or the cluster is missing", async () => {
    const noTd = await wharf(world, ["run", "no-such-family", "--cluster", world.cluster]);
    assert.equal(noTd.code, 1);
    assert.match(noTd.stderr, /task definition 'no-such-family' not found: register it first/);
    const noCluster = await wharf(world, ["run", "job42", "--cluster", `nope-${hex(3)}`]);
    assert.equal(noCluster.code, 1);
    assert.match(noCluster.stderr, /cluster 'nope-\w+' does not exist/);
  });
});

describe("wharf logs: a task's or a service's output, like aws logs tail", { timeout: 120_000 }, () => {
  const world = new AgentWorld();
  const group = `/wharf-test/logs-${hex(4)}`;
  const awslogs = {
    logDriver: "awslogs" as const,
    options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "svc", "awslogs-create-group": "true" },
  };
  before(async () => {
    await world.start("wharf-logs");
    await world.agent();
  });
  after(async () => world.close());

  it("prints a stopped task's lines from every container, each with its stream name", async () => {
    await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "two-containers",
        containerDefinitions: [
          { name: "app", image: IMAGE, memory: 64, command: ["sh", "-c", "echo app one; sleep 0.2; echo app two"], logConfiguration: awslogs },
          { name: "side", image: IMAGE, memory: 64, essential: false, command: ["sh", "-c", "echo side one"], logConfiguration: awslogs },
        ],
      }),
    );
    const arn = (await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: "two-containers" }))).tasks![0]!.taskArn!;
    const id = arn.slice(arn.lastIndexOf("/") + 1);
    await world.waitTasks([arn], "STOPPED");
    const r = await wharf(world, ["logs", "--cluster", world.cluster, "--task", id]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual([...lines].sort(), [`svc/app/${id} app one`, `svc/app/${id} app two`, `svc/side/${id} side one`]);
    const only = await wharf(world, ["logs", "--cluster", world.cluster, "--task", arn, "--container", "side"]);
    assert.equal(only.stdout, "side one\n");
  });

  it("--follow shows new lines as they come, once each, in order", async (tc) => {
    await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "ticker",
        containerDefinitions: [
          { name: "app", image: IMAGE, memory: 64, command: ["sh", "-c", "i=0; while [ $i -lt 12 ]; do echo tick $i; i=$((i+1)); sleep 0.25; done; sleep 1; echo done; sleep 600"], logConfiguration: awslogs },
        ],
      }),
    );
    const arn = (await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: "ticker" }))).tasks![0]!.taskArn!;
    await world.waitTasks([arn], "RUNNING");
    const p = spawnWharf(world, ["logs", "--cluster", world.cluster, "--task", arn, "--follow", "--timestamps"]);
    const seen: { line: string; latency: number }[] = [];
    let buf = "";
    p.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const [ts, ...rest] = line.split(" ");
        seen.push({ line: rest.join(" "), latency: Date.now() - Date.parse(ts!) });
      }
    });
    try {
      // "done" comes a second after the last tick: the polls in between (every 250 ms) would
      // have repeated any line they showed twice.
      await waitFor(() => seen.some((s) => s.line === "done"), { what: "the follow to show the task's last line", detail: () => seen });
      assert.deepEqual(seen.map((s) => s.line), [...Array.from({ length: 12 }, (_, i) => `tick ${i}`), "done"]);
      // Lines printed after the follow started (the first few may predate it).
      const live = seen.slice(6).map((s) => s.latency).sort((a, b) => a - b);
      tc.diagnostic(`median latency ${live[Math.floor(live.length / 2)]} ms (${live.join(", ")})`);
    } finally {
      p.kill("SIGINT");
    }
    const code = await new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once("exit", r)));
    assert.equal(code, 0);
  });

  it("--service reads the service's tasks", async () => {
    await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "svc-logs",
        containerDefinitions: [{ name: "web", image: IMAGE, memory: 64, command: ["sh", "-c", "echo serving; sleep 600"], logConfiguration: awslogs }],
      }),
    );
    await world.h.ecs.send(new CreateServiceCommand({ cluster: world.cluster, serviceName: "web", taskDefinition: "svc-logs", desiredCount: 1 }));
    try {
      let last = "";
      const r = await waitFor(
        async () => {
          const out = await wharf(world, ["logs", "--cluster", world.cluster, "--service", "web"]);
          last = out.stdout + out.stderr;
          return out.stdout.includes("serving") ? out : undefined;
        },
        { what: "wharf logs --service to show the service's line", intervalMs: 300, detail: () => last },
      );
      assert.equal(r.stdout, "serving\n", r.stderr);
      const missing = await wharf(world, ["logs", "--cluster", world.cluster, "--service", "nope"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /service 'nope' is not in cluster/);
    } finally {
      await world.h.ecs.send(new DeleteServiceCommand({ cluster: world.cluster, service: "web", force: true }));
    }
  });
});
