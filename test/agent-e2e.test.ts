import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadAgentState } from "../src/agent/agent-state.js";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { hex, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { seedFixture, startTestWharf, type TestWharf } from "./helpers/harness.js";

/** The agent against a real control plane and the real Docker Engine. */
describe("wharf agent end to end (real Docker)", () => {
  const docker = new DockerClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  /** A server, a unique cluster, a temp agent dir and a unique loopback address for its ports. */
  async function setup(): Promise<{ h: TestWharf; cluster: string; hostIp: string; agentDir: string }> {
    const h = await startTestWharf();
    cleanups.push(() => h.close());
    const cluster = `agent-e2e-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const hostIp = `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
    const agentDir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    cleanups.push(async () => rmSync(agentDir, { recursive: true, force: true }));
    return { h, cluster, hostIp, agentDir };
  }

  async function launch(h: TestWharf, opts: { cluster: string; hostIp: string; agentDir: string }): Promise<RunningAgent> {
    const agent = await startAgent({
      endpoint: h.server.url,
      cluster: opts.cluster,
      dataDir: opts.agentDir,
      hostIp: opts.hostIp,
      credentials: h.server.credentials,
      pollWaitMs: 5_000,
    });
    cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    cleanups.push(() => agent.close());
    return agent;
  }

  async function describe1(h: TestWharf, cluster: string, arns: string[]): Promise<Task[]> {
    const out = await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    return out.tasks ?? [];
  }

  async function waitTasks(h: TestWharf, cluster: string, arns: string[], status: string, timeoutMs = 30_000): Promise<Task[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tasks = await describe1(h, cluster, arns);
      if (tasks.length === arns.length && tasks.every((t) => t.lastStatus === status)) return tasks;
      if (Date.now() > deadline) {
        throw new Error(`tasks not ${status}: ${JSON.stringify(tasks.map((t) => [t.lastStatus, t.stoppedReason]))}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("runs the seed's bridge-static task: RUNNING, the page on the bound port, StopTask → STOPPED", async () => {
    const { h, cluster, hostIp, agentDir } = await setup();
    const agent = await launch(h, { cluster, hostIp, agentDir });
    const ci = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [agent.containerInstanceArn] }));
    const inst = ci.containerInstances![0]!;
    assert.equal(inst.status, "ACTIVE");
    assert.equal(inst.agentConnected, true);
    assert.match(inst.ec2InstanceId!, /^i-[0-9a-f]{17}$/);
    const attrs = new Map((inst.attributes ?? []).map((a) => [a.name, a.value]));
    assert.equal(attrs.get("ecs.os-type"), "linux");
    assert.ok(attrs.has("com.amazonaws.ecs.capability.docker-remote-api.1.41"));
    const cpu = inst.registeredResources!.find((r) => r.name === "CPU")!;
    assert.equal(cpu.integerValue! % 1024, 0);
    assert.deepEqual(inst.registeredResources!.find((r) => r.name === "PORTS")!.stringSetValue, ["22", "2375", "2376", "51678", "51679"]);

    const td = JSON.parse(readFileSync(seedFixture("nginx-bridge-static.json"), "utf8"));
    const reg = await h.ecs.send(new RegisterTaskDefinitionCommand(td));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: reg.taskDefinition!.taskDefinitionArn }));
    assert.deepEqual(run.failures, []);
    const arn = run.tasks![0]!.taskArn!;
    const [running] = await waitTasks(h, cluster, [arn], "RUNNING");
    const c = running!.containers![0]!;
    assert.match(c.runtimeId!, /^[0-9a-f]{64}$/);
    assert.deepEqual(c.networkBindings, [{ bindIP: hostIp, containerPort: 80, hostPort: 8080, protocol: "tcp" }]);
    const page = await fetch(`http://${hostIp}:8080/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Welcome to Wharf/);

    await h.ecs.send(new StopTaskCommand({ cluster, task: arn, reason: "done with it" }));
    const [stopped] = await waitTasks(h, cluster, [arn], "STOPPED");
    assert.equal(stopped!.stopCode, "UserInitiated");
    assert.equal(stopped!.stoppedReason, "done with it");
    assert.equal(typeof stopped!.containers![0]!.exitCode, "number");
    for (const k of ["pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt"] as const) {
      assert.ok(stopped![k] instanceof Date, `${k} is set`);
    }
    // Removed once STOPPED was acknowledged.
    const deadline = Date.now() + 5000;
    while ((await docker.listContainers({ "com.amazonaws.ecs.task-arn": arn })).length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await docker.listContainers({ "com.amazonaws.ecs.task-arn": arn })).length, 0);
  });

  const sleeper = (family: string) =>
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        { name: "app", image: "wharf-test/busybox:latest", command: ["sleep", "100000"], cpu: 16, memory: 32, stopTimeout: 1 },
      ],
    });

  async function containerFacts(instanceArn: string): Promise<Map<string, string>> {
    const list = await docker.listContainers({ [WHARF_LABELS.instanceArn]: instanceArn });
    const out = new Map<string, string>();
    for (const c of list) out.set(c.Id, (await docker.inspectContainer(c.Id)).State.StartedAt);
    return out;
  }

  it("survives an abrupt agent stop with 10 tasks: no restart, no duplicate, exits while away reported", async () => {
    const { h, cluster, hostIp, agentDir } = await setup();
    const first = await launch(h, { cluster, hostIp, agentDir });
    await h.ecs.send(sleeper("sleeper"));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "sleeper", count: 10 }));
    const arns = run.tasks!.map((t) => t.taskArn!);
    assert.equal(arns.length, 10);
    const running = await waitTasks(h, cluster, arns, "RUNNING");
    const before = await containerFacts(first.containerInstanceArn);
    assert.equal(before.size, 10);

    await first.close(); // as kill -9 would: loops end, containers are not touched
    const victim = running[0]!;
    await docker.killContainer(victim.containers![0]!.runtimeId!); // ends while the agent is away

    const second = await launch(h, { cluster, hostIp, agentDir });
    assert.equal(second.containerInstanceArn, first.containerInstanceArn, "re-registers as the same instance");
    const [stopped] = await waitTasks(h, cluster, [victim.taskArn!], "STOPPED");
    assert.equal(stopped!.stopCode, "EssentialContainerExited");
    assert.equal(stopped!.containers![0]!.exitCode, 137);

    const rest = arns.filter((a) => a !== victim.taskArn);
    await new Promise((r) => setTimeout(r, 500));
    const tasks = await waitTasks(h, cluster, rest, "RUNNING");
    const afterFacts = await containerFacts(second.containerInstanceArn);
    assert.equal(afterFacts.size, 9, "no duplicate containers; the exited one was removed");
    for (const [id, startedAt] of afterFacts) assert.equal(startedAt, before.get(id), `container ${id} was not restarted`);
    assert.deepEqual(new Set(tasks.map((t) => t.containers![0]!.runtimeId)), new Set(afterFacts.keys()));
    assert.equal(second.engine.runningTaskArns.length, 9);
  });

  it("a `wharf agent` process killed with SIGKILL leaves its containers to the next agent", async () => {
    const { h, cluster, hostIp, agentDir } = await setup();
    const child: ChildProcess = spawn(
      process.execPath,
      ["bin/wharf.js", "agent", "--endpoint", h.server.url, "--cluster", cluster, "--host-ip", hostIp, "--data-dir", agentDir],
      {
        env: {
          ...process.env,
          WHARF_ACCESS_KEY_ID: h.server.credentials.accessKeyId,
          WHARF_SECRET_ACCESS_KEY: h.server.credentials.secretAccessKey,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(async () => child.kill("SIGKILL"));
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("Wharf agent is up") && resolve());
      child.once("exit", (code) => reject(new Error(`agent exited ${code}: ${stderr}`)));
    });
    const instanceArn = loadAgentState(agentDir)!.containerInstanceArn!;
    cleanups.push(() => removeInstanceContainers(instanceArn));
    await h.ecs.send(sleeper("killed"));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "killed", count: 3 }));
    const arns = run.tasks!.map((t) => t.taskArn!);
    await waitTasks(h, cluster, arns, "RUNNING");
    const before = await containerFacts(instanceArn);
    assert.equal(before.size, 3);

    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const still = await containerFacts(instanceArn);
    assert.deepEqual(still, before, "SIGKILL of the agent leaves every container running");

    const next = await launch(h, { cluster, hostIp, agentDir });
    assert.equal(next.containerInstanceArn, instanceArn);
    await new Promise((r) => setTimeout(r, 500));
    await waitTasks(h, cluster, arns, "RUNNING");
    assert.deepEqual(await containerFacts(instanceArn), before, "adopted: same containers, same StartedAt");

    for (const task of arns) await h.ecs.send(new StopTaskCommand({ cluster, task }));
    const stopped = await waitTasks(h, cluster, arns, "STOPPED");
    for (const t of stopped) assert.equal(t.stopCode, "UserInitiated");
  });
});
