import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { hex, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";
import { localExample } from "./helpers/examples.js";

/**
 * Several hosts on one machine: two real agents in one cluster, each binding host ports on its
 * own loopback address (127.0.x.2 and 127.0.x.3), as `wharf agent --host-ip` does. A static
 * host port (8080) fits once per host; placement must see that and say RESOURCE:PORTS.
 */
describe("two agents with different --host-ip in one cluster (real Docker)", { timeout: 120_000 }, () => {
  let h: TestWharf;
  let cluster: string;
  let tmp: string;
  let taskDefinition: string;
  const agents: RunningAgent[] = [];
  const ipOf = new Map<string, string>();
  const subnet = 1 + Math.floor(Math.random() * 250);
  const ips = [`127.0.${subnet}.2`, `127.0.${subnet}.3`];

  before(async () => {
    h = await startTestWharf();
    tmp = mkdtempSync(join(tmpdir(), "wharf-multi-host-"));
    cluster = `multi-host-${hex(4)}`;
    await h.aws("ecs", "create-cluster", "--cluster-name", cluster);
    for (const [i, hostIp] of ips.entries()) {
      const agent = await startAgent({
        endpoint: h.server.url,
        cluster,
        dataDir: join(tmp, `agent-${i}`),
        hostIp,
        credentials: h.server.credentials,
      });
      agents.push(agent);
      ipOf.set(agent.containerInstanceArn, hostIp);
    }
    const td = localExample("nginx-bridge-static.json");
    const reg = await h.ecs.send(new RegisterTaskDefinitionCommand({ ...td, family: `multi-host-static-${hex(3)}` }));
    taskDefinition = reg.taskDefinition!.taskDefinitionArn!;
  });

  after(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    for (const a of agents) await removeInstanceContainers(a.containerInstanceArn).catch(() => undefined);
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const describeTasks = async (arns: string[]): Promise<Task[]> =>
    (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];

  function waitTasks(arns: string[], status: string, timeoutMs = 30_000): Promise<Task[]> {
    let tasks: Task[] = [];
    return waitFor(
      async () => {
        tasks = await describeTasks(arns);
        return tasks.length === arns.length && tasks.every((t) => t.lastStatus === status) ? tasks : undefined;
      },
      { what: `tasks ${status}`, timeoutMs, detail: () => tasks.map((t) => [t.lastStatus, t.stoppedReason]) },
    );
  }

  async function instances(): Promise<Map<string, ContainerInstance>> {
    const out = await h.ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: agents.map((a) => a.containerInstanceArn) }),
    );
    return new Map((out.containerInstances ?? []).map((ci) => [ci.containerInstanceArn!, ci]));
  }

  const ports = (ci: ContainerInstance, which: "remainingResources" | "registeredResources") =>
    ci[which]!.find((r) => r.name === "PORTS")!.stringSetValue ?? [];

  function pageAt(ip: string): Promise<string> {
    return waitFor(
      async () => {
        const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2_000) });
        assert.equal(res.status, 200);
        return await res.text();
      },
      { what: `the page at ${ip}:8080`, timeoutMs: 10_000 },
    );
  }

  async function runOne(): Promise<{ task?: Task; failures: { arn?: string; reason?: string }[] }> {
    const out = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition }));
    return { task: out.tasks?.[0], failures: out.failures ?? [] };
  }

  let first: Task;
  let second: Task;

  it("runs the static-port task twice: once on each host, both pages answer on their own ip:8080", async () => {
    const a = await runOne();
    const b = await runOne();
    assert.deepEqual(a.failures, []);
    assert.deepEqual(b.failures, []);
    assert.notEqual(a.task!.containerInstanceArn, b.task!.containerInstanceArn, "one per host");
    [first, second] = await waitTasks([a.task!.taskArn!, b.task!.taskArn!], "RUNNING");
    for (const t of [first!, second!]) {
      const ip = ipOf.get(t.containerInstanceArn!)!;
      assert.ok(ip, "placed on one of the two agents");
      assert.deepEqual(t.containers![0]!.networkBindings, [{ bindIP: ip, containerPort: 80, hostPort: 8080, protocol: "tcp" }]);
      assert.match(await pageAt(ip), /Welcome to Wharf/);
    }
    assert.deepEqual(new Set([first!, second!].map((t) => ipOf.get(t.containerInstanceArn!))), new Set(ips));
  });

  it("refuses a third copy with RESOURCE:PORTS (also through the aws CLI), and both instances show 8080 taken", async () => {
    const third = await runOne();
    assert.equal(third.task, undefined);
    assert.ok(third.failures.length >= 1);
    for (const f of third.failures) assert.equal(f.reason, "RESOURCE:PORTS");
    assert.deepEqual(new Set(third.failures.map((f) => f.arn)), new Set(agents.map((a) => a.containerInstanceArn)));

    const cli = await h.aws("ecs", "run-task", "--cluster", cluster, "--task-definition", taskDefinition);
    assert.deepEqual(cli.tasks, []);
    assert.ok(cli.failures.length >= 1 && cli.failures.every((f: { reason: string }) => f.reason === "RESOURCE:PORTS"));

    const cis = await instances();
    assert.equal(cis.size, 2);
    for (const ci of cis.values()) {
      assert.equal(ci.status, "ACTIVE");
      assert.equal(ci.agentConnected, true);
      assert.equal(ci.runningTasksCount, 1);
      assert.equal(ci.pendingTasksCount, 0);
      assert.ok(ports(ci, "remainingResources").includes("8080"), `remaining PORTS of ${ci.containerInstanceArn}`);
      assert.ok(!ports(ci, "registeredResources").includes("8080"), "8080 is the task's, not a reserved port");
      // Each task holds 256 CPU units of its host.
      const cpu = (which: "remainingResources" | "registeredResources") => ci[which]!.find((r) => r.name === "CPU")!.integerValue!;
      assert.equal(cpu("registeredResources") - cpu("remainingResources"), 256);
    }
  });

  it("after one copy stops, a third copy fits again, on the freed host", async () => {
    await h.ecs.send(new StopTaskCommand({ cluster, task: first.taskArn!, reason: "make room" }));
    const [stopped] = await waitTasks([first.taskArn!], "STOPPED");
    assert.equal(stopped!.stopCode, "UserInitiated");

    const cis = await instances();
    const freed = cis.get(first.containerInstanceArn!)!;
    assert.equal(freed.runningTasksCount, 0);
    assert.ok(!ports(freed, "remainingResources").includes("8080"), "8080 released on the stopped task's host");
    assert.ok(ports(cis.get(second.containerInstanceArn!)!, "remainingResources").includes("8080"));

    const again = await runOne();
    assert.deepEqual(again.failures, []);
    assert.equal(again.task!.containerInstanceArn, first.containerInstanceArn, "lands where 8080 is free");
    const [t] = await waitTasks([again.task!.taskArn!], "RUNNING");
    assert.match(await pageAt(ipOf.get(t!.containerInstanceArn!)!), /Welcome to Wharf/);

    // One RunTask asking for two more: neither host has 8080 free.
    const more = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition, count: 2 }));
    assert.deepEqual(more.tasks, []);
    assert.ok(more.failures!.every((f) => f.reason === "RESOURCE:PORTS"));

    const all = [second.taskArn!, t!.taskArn!];
    for (const arn of all) await h.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitTasks(all, "STOPPED");
    // With both hosts free, one call places two copies, one per host (ports reserved within the call).
    const both = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition, count: 3 }));
    assert.equal(both.tasks!.length, 2);
    assert.equal(new Set(both.tasks!.map((x) => x.containerInstanceArn)).size, 2);
    assert.ok(both.failures!.length >= 1 && both.failures!.every((f) => f.reason === "RESOURCE:PORTS"));
    const arns = both.tasks!.map((x) => x.taskArn!);
    await waitTasks(arns, "RUNNING");
    for (const arn of arns) await h.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitTasks(arns, "STOPPED");
  });
});
