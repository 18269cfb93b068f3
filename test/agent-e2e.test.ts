import {
  DescribeContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { loadAgentState } from "../src/agent/agent-state.js";
import type { RunningAgent } from "../src/agent/agent.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { localExample } from "./helpers/examples.js";
import { waitFor } from "./helpers/wait.js";

/** The agent against a real control plane and the real Docker Engine. */
describe("wharf agent end to end (real Docker)", () => {
  const docker = new DockerClient();
  const worlds: AgentWorld[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
  });

  /** A server, a unique cluster, a temp agent dir and a unique loopback address for its ports. */
  const world = (): Promise<AgentWorld> => {
    const w = new AgentWorld();
    worlds.push(w);
    return w.start("agent-e2e");
  };

  /** Resolves once `agent` has taken its listing and holds every one of `arns` RUNNING (adopted or started). */
  const holdsRunning = (agent: RunningAgent, arns: string[]) =>
    waitFor(() => arns.every((a) => agent.engine.task(a)?.status === "RUNNING"), {
      what: "the agent to hold its tasks RUNNING",
      detail: () => arns.map((a) => agent.engine.task(a)?.status),
    });

  it("runs the seed's bridge-static task: RUNNING, the page on the bound port, StopTask → STOPPED", async () => {
    const w = await world();
    const { h, cluster, hostIp } = w;
    const agent = await w.agent();
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

    const td = localExample("nginx-bridge-static.json");
    const reg = await h.ecs.send(new RegisterTaskDefinitionCommand(td));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: reg.taskDefinition!.taskDefinitionArn }));
    assert.deepEqual(run.failures, []);
    const arn = run.tasks![0]!.taskArn!;
    const [running] = await w.waitTasks([arn], "RUNNING");
    const c = running!.containers![0]!;
    assert.match(c.runtimeId!, /^[0-9a-f]{64}$/);
    assert.deepEqual(c.networkBindings, [{ bindIP: hostIp, containerPort: 80, hostPort: 8080, protocol: "tcp" }]);
    const page = await fetch(`http://${hostIp}:8080/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Welcome to Wharf/);

    await h.ecs.send(new StopTaskCommand({ cluster, task: arn, reason: "done with it" }));
    const [stopped] = await w.waitTasks([arn], "STOPPED");
    assert.equal(stopped!.stopCode, "UserInitiated");
    assert.equal(stopped!.stoppedReason, "done with it");
    assert.equal(typeof stopped!.containers![0]!.exitCode, "number");
    for (const k of ["pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt"] as const) {
      assert.ok(stopped![k] instanceof Date, `${k} is set`);
    }
    // Removed once STOPPED was acknowledged: the task's loop ends with the removal.
    await agent.engine.whenDone(arn);
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
    const w = await world();
    const { h, cluster } = w;
    const first = await w.agent();
    await h.ecs.send(sleeper("sleeper"));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "sleeper", count: 10 }));
    const arns = run.tasks!.map((t) => t.taskArn!);
    assert.equal(arns.length, 10);
    const running = await w.waitTasks(arns, "RUNNING");
    const before = await containerFacts(first.containerInstanceArn);
    assert.equal(before.size, 10);

    await first.close(); // as kill -9 would: loops end, containers are not touched
    const victim = running[0]!;
    await docker.killContainer(victim.containers![0]!.runtimeId!); // ends while the agent is away

    const second = await w.agent();
    assert.equal(second.containerInstanceArn, first.containerInstanceArn, "re-registers as the same instance");
    const [stopped] = await w.waitTasks([victim.taskArn!], "STOPPED");
    assert.equal(stopped!.stopCode, "EssentialContainerExited");
    assert.equal(stopped!.containers![0]!.exitCode, 137);

    const rest = arns.filter((a) => a !== victim.taskArn);
    // The victim's loop ends once its container is removed; the others are adopted, not restarted.
    await second.engine.whenDone(victim.taskArn!);
    await holdsRunning(second, rest);
    const tasks = await w.waitTasks(rest, "RUNNING");
    const afterFacts = await containerFacts(second.containerInstanceArn);
    assert.equal(afterFacts.size, 9, "no duplicate containers; the exited one was removed");
    for (const [id, startedAt] of afterFacts) assert.equal(startedAt, before.get(id), `container ${id} was not restarted`);
    assert.deepEqual(new Set(tasks.map((t) => t.containers![0]!.runtimeId)), new Set(afterFacts.keys()));
    assert.equal(second.engine.runningTaskArns.length, 9);
  });

  it("a `wharf agent` process killed with SIGKILL leaves its containers to the next agent", async () => {
    const w = await world();
    const { h, cluster, hostIp, agentDir } = w;
    // Registered before the process exists: kill it and remove whatever its instance made.
    let child: ChildProcess | undefined;
    w.defer(async () => {
      const arn = loadAgentState(agentDir)?.containerInstanceArn;
      if (arn) await removeInstanceContainers(arn);
    });
    w.defer(() => killProcess(child));
    child = spawn(
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
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("Wharf agent is up") && resolve());
      child.once("exit", (code) => reject(new Error(`agent exited ${code}: ${stderr}`)));
    });
    const instanceArn = loadAgentState(agentDir)!.containerInstanceArn!;
    await h.ecs.send(sleeper("killed"));
    const run = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "killed", count: 3 }));
    const arns = run.tasks!.map((t) => t.taskArn!);
    await w.waitTasks(arns, "RUNNING");
    const before = await containerFacts(instanceArn);
    assert.equal(before.size, 3);

    await killProcess(child);
    const still = await containerFacts(instanceArn);
    assert.deepEqual(still, before, "SIGKILL of the agent leaves every container running");

    const next = await w.agent();
    assert.equal(next.containerInstanceArn, instanceArn);
    await holdsRunning(next, arns);
    await w.waitTasks(arns, "RUNNING");
    assert.deepEqual(await containerFacts(instanceArn), before, "adopted: same containers, same StartedAt");

    for (const task of arns) await h.ecs.send(new StopTaskCommand({ cluster, task }));
    const stopped = await w.waitTasks(arns, "STOPPED");
    for (const t of stopped) assert.equal(t.stopCode, "UserInitiated");
  });
});

/** SIGKILL (if still running), and wait for the exit. */
function killProcess(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
