import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  StartTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type SimulatedFleet, type SimulateOptions, startSimulatedAgents } from "../src/agent/simulate/index.js";
import { hex } from "./helpers/agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * The placement engine end to end: RunTask/StartTask/services through the SDK (and `wharf
 * explain` through the CLI) on clusters of simulated container instances (`wharf agent
 * --simulate`'s fleet: real registrations, real agent-channel polls, virtual containers).
 * After each case the server's incrementally kept index must equal one built afresh.
 */
describe("placement end to end on simulated instances", () => {
  let w: TestWharf;
  const fleets: SimulatedFleet[] = [];

  before(async () => {
    w = await startTestWharf({ server: { serviceParams: { healthyAfterMs: 200 } } });
  });
  after(async () => {
    for (const f of fleets) await f.close();
    await w.close();
  });

  async function cluster(): Promise<string> {
    const name = `pl-${hex(4)}`;
    await w.ecs.send(new CreateClusterCommand({ clusterName: name }));
    return name;
  }

  async function fleet(clusterName: string, o: Partial<SimulateOptions> & { count: number }): Promise<SimulatedFleet> {
    const f = await startSimulatedAgents({ endpoint: w.server.url, cluster: clusterName, credentials: w.server.credentials, pollWaitMs: 5_000, ...o });
    fleets.push(f);
    return f;
  }

  async function taskDef(family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}, container: object = {}): Promise<string> {
    const out = await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", cpu: 256, memory: 512, ...container }],
        ...extra,
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  }

  const runTask = (input: RunTaskCommandInput) => w.ecs.send(new RunTaskCommand(input));
  const clusterArn = (name: string) => `arn:aws:ecs:us-east-1:${w.server.accountId}:cluster/${name}`;
  const countBy = <T>(xs: T[], key: (x: T) => string) => {
    const m: Record<string, number> = {};
    for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  };
  async function indexAgrees(name: string): Promise<void> {
    assert.deepEqual(await w.server.deps.placement!.verify(clusterArn(name)), [], "the kept index equals a fresh build");
  }

  it("binpack(memory) fills the fullest instance first", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 3, cpu: 4096, memory: 2048, azCount: 1 });
    await taskDef("bp", {}, { cpu: 64, memory: 512 });
    const [a, b] = f.instances;
    // Make the second instance the fullest (1024 of 2048 MiB used), the first half as full.
    await w.ecs.send(new StartTaskCommand({ cluster: c, taskDefinition: "bp", containerInstances: [b!.containerInstanceArn, b!.containerInstanceArn] }));
    await w.ecs.send(new StartTaskCommand({ cluster: c, taskDefinition: "bp", containerInstances: [a!.containerInstanceArn] }));
    const out = await runTask({ cluster: c, taskDefinition: "bp", count: 5, placementStrategy: [{ type: "binpack", field: "memory" }] });
    const where = out.tasks!.map((t) => t.containerInstanceArn);
    assert.deepEqual(where, [b, b, a, a, a].map((i) => i!.containerInstanceArn), "fullest first, then the next fullest");
    assert.deepEqual(out.failures, []);
    // Now the first two are full: the next one can only go to the empty third instance.
    const next = await runTask({ cluster: c, taskDefinition: "bp", count: 1, placementStrategy: [{ type: "binpack", field: "memory" }] });
    assert.equal(next.tasks![0]!.containerInstanceArn, f.instances[2]!.containerInstanceArn);
    await indexAgrees(c);
  });

  it("spread over 3 AZs: 9 tasks give 3/3/3 (and spread(instanceId) inside each zone)", async () => {
    const c = await cluster();
    await fleet(c, { count: 6, azCount: 3 });
    await taskDef("spread");
    const out = await runTask({
      cluster: c,
      taskDefinition: "spread",
      count: 9,
      placementStrategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "spread", field: "instanceId" },
      ],
    });
    assert.deepEqual(out.failures, []);
    assert.deepEqual(countBy(out.tasks!, (t) => t.availabilityZone!), { "us-east-1a": 3, "us-east-1b": 3, "us-east-1c": 3 });
    assert.deepEqual(Object.values(countBy(out.tasks!, (t) => t.containerInstanceArn!)).sort(), [1, 1, 1, 2, 2, 2]);
    await indexAgrees(c);
  });

  it("distinctInstance with more tasks than instances places one per instance and reports the rest", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 3 });
    await taskDef("distinct");
    const out = await runTask({ cluster: c, taskDefinition: "distinct", count: 5, placementConstraints: [{ type: "distinctInstance" }] });
    assert.equal(out.tasks!.length, 3);
    assert.equal(new Set(out.tasks!.map((t) => t.containerInstanceArn)).size, 3);
    assert.deepEqual(
      out.failures!.map((x) => [x.arn, x.reason]).sort(),
      f.instances.map((i) => [i.containerInstanceArn, "DistinctInstance placement constraint unsatisfied"]).sort(),
    );
    assert.match(out.failures![0]!.detail!, /^instance already runs 1 task\(s\) of group family:distinct$/);
    // Another group is not held back by the first one's tasks.
    const other = await runTask({ cluster: c, taskDefinition: "distinct", group: "other", count: 3, placementConstraints: [{ type: "distinctInstance" }] });
    assert.equal(other.tasks!.length, 3);
    await indexAgrees(c);
  });

  it('memberOf "attribute:ecs.instance-type =~ g4dn.*" only lands on GPU instances; bad expressions are refused', async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 6, instanceTypes: ["m5.xlarge", "g4dn.xlarge"] });
    await taskDef("ml");
    const gpuHosts = new Set(f.instances.filter((i) => i.instanceType === "g4dn.xlarge").map((i) => i.containerInstanceArn));
    assert.equal(gpuHosts.size, 3);
    const out = await runTask({
      cluster: c,
      taskDefinition: "ml",
      count: 10,
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ g4dn.*" }],
    });
    assert.equal(out.tasks!.length, 10);
    for (const t of out.tasks!) assert.ok(gpuHosts.has(t.containerInstanceArn!), `${t.containerInstanceArn} is a g4dn instance`);
    // The constraint's own task group and other query fields, in one expression.
    const both = await runTask({
      cluster: c,
      taskDefinition: "ml",
      count: 2,
      placementConstraints: [
        { type: "memberOf", expression: "(attribute:ecs.instance-type in [m5.xlarge] and not task:group == family:ml) || agentVersion < 0.0.1" },
      ],
    });
    for (const t of both.tasks!) assert.ok(!gpuHosts.has(t.containerInstanceArn!));
    await assert.rejects(
      runTask({ cluster: c, taskDefinition: "ml", placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ (" }] }),
      (e: Error & { name: string }) =>
        e.name === "InvalidParameterException" && /Invalid cluster query expression "attribute:ecs\.instance-type =~ \("/.test(e.message),
    );
    await assert.rejects(
      runTask({ cluster: c, taskDefinition: "ml", placementStrategy: [{ type: "spread", field: "nope" }] }),
      (e: Error & { name: string }) => e.name === "InvalidParameterException" && /spread/.test(e.message),
    );
    const tooMany = Array.from({ length: 6 }, () => ({ type: "random" as const }));
    await assert.rejects(runTask({ cluster: c, taskDefinition: "ml", placementStrategy: tooMany }), { name: "InvalidParameterException" });
    await indexAgrees(c);
  });

  it("GPU ids are never handed to two tasks, go to the containers, and come back at STOPPED", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 2, instanceTypes: ["g4dn.12xlarge"] });
    assert.deepEqual(f.instances.map((i) => i.gpuIds.length), [4, 4]);
    await taskDef("gpu", {}, { cpu: 16, memory: 64, resourceRequirements: [{ type: "GPU", value: "1" }] });
    const tasks: Task[] = [];
    for (let i = 0; i < 4; i++) tasks.push(...(await runTask({ cluster: c, taskDefinition: "gpu", count: 2 })).tasks!);
    const full = await runTask({ cluster: c, taskDefinition: "gpu", count: 1 });
    assert.deepEqual(full.tasks, []);
    assert.deepEqual(full.failures!.map((x) => x.reason), ["RESOURCE:GPU", "RESOURCE:GPU"]);
    assert.equal(full.failures![0]!.detail, "needs 1 GPU(s), 0 unassigned");
    const held = (ts: Task[]) => ts.map((t) => `${t.containerInstanceArn}#${t.containers![0]!.gpuIds![0]}`);
    assert.equal(new Set(held(tasks)).size, 8, "8 tasks, 8 different GPUs");
    for (const t of tasks) {
      const inst = f.instances.find((i) => i.containerInstanceArn === t.containerInstanceArn)!;
      assert.ok(inst.gpuIds.includes(t.containers![0]!.gpuIds![0]!), "a GPU of its own instance");
    }
    // Stop one: once its agent reports STOPPED its GPU is free, and only that one.
    const victim = tasks[3]!;
    await w.ecs.send(new StopTaskCommand({ cluster: c, task: victim.taskArn! }));
    await until(async () => {
      const d = await w.ecs.send(new DescribeTasksCommand({ cluster: c, tasks: [victim.taskArn!] }));
      return d.tasks![0]!.lastStatus === "STOPPED" || undefined;
    });
    const again = await runTask({ cluster: c, taskDefinition: "gpu", count: 1 });
    assert.equal(again.tasks!.length, 1);
    assert.deepEqual(held(again.tasks!), held([victim]));
    const d = await w.ecs.send(new DescribeTasksCommand({ cluster: c, tasks: [again.tasks![0]!.taskArn!] }));
    assert.deepEqual(d.tasks![0]!.containers![0]!.gpuIds, victim.containers![0]!.gpuIds);
    await indexAgrees(c);
  });

  it("requiresAttributes must match (ATTRIBUTE), and StartTask applies the definition's constraints", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 2 });
    // pidMode makes ECS require ecs.capability.pid-ipc-namespace-sharing, which no (simulated) Wharf agent offers.
    await taskDef("pid", { pidMode: "task" });
    const refused = await runTask({ cluster: c, taskDefinition: "pid" });
    assert.deepEqual(refused.failures!.map((x) => x.reason), ["ATTRIBUTE", "ATTRIBUTE"]);
    assert.equal(refused.failures![0]!.detail, "missing attribute ecs.capability.pid-ipc-namespace-sharing");
    const target = f.instances[1]!.containerInstanceArn;
    await w.ecs.send(new PutAttributesCommand({ cluster: c, attributes: [{ name: "ecs.capability.pid-ipc-namespace-sharing", targetId: target }] }));
    const ok = await runTask({ cluster: c, taskDefinition: "pid", count: 2 });
    assert.deepEqual(ok.tasks!.map((t) => t.containerInstanceArn), [target, target]);

    await taskDef("pinned", { placementConstraints: [{ type: "memberOf", expression: `ec2InstanceId == ${f.instances[0]!.ec2InstanceId}` }] });
    const st = await w.ecs.send(
      new StartTaskCommand({ cluster: c, taskDefinition: "pinned", containerInstances: f.instances.map((i) => i.containerInstanceArn) }),
    );
    assert.deepEqual(st.tasks!.map((t) => t.containerInstanceArn), [f.instances[0]!.containerInstanceArn]);
    assert.deepEqual(st.failures!.map((x) => [x.arn, x.reason]), [[target, "MemberOf placement constraint unsatisfied"]]);
    await indexAgrees(c);
  });

  it("ListContainerInstances filters with the query language", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 6, azCount: 3, instanceTypes: ["m5.large", "c5.xlarge"] });
    await taskDef("lci");
    const list = async (filter: string) =>
      (await w.ecs.send(new ListContainerInstancesCommand({ cluster: c, filter }))).containerInstanceArns!.sort();
    const arnsWhere = (pred: (i: SimulatedFleet["instances"][number]) => boolean) =>
      f.instances.filter(pred).map((i) => i.containerInstanceArn).sort();
    assert.deepEqual(await list("attribute:ecs.availability-zone == us-east-1b"), arnsWhere((i) => i.availabilityZone === "us-east-1b"));
    assert.deepEqual(
      await list("attribute:ecs.instance-type =~ c5.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1c]"),
      arnsWhere((i) => i.instanceType === "c5.xlarge" && i.availabilityZone !== "us-east-1b"),
    );
    const placed = await runTask({ cluster: c, taskDefinition: "lci", count: 2, placementConstraints: [{ type: "distinctInstance" }] });
    await until(async () => (f.counts().RUNNING === 2 ? true : undefined));
    const busy = placed.tasks!.map((t) => t.containerInstanceArn!).sort();
    assert.deepEqual(await list("runningTasksCount > 0"), busy);
    assert.deepEqual(await list("task:group == family:lci"), busy);
    assert.deepEqual(await list("not task:group exists"), arnsWhere((i) => !busy.includes(i.containerInstanceArn)));
    assert.deepEqual(await list("agentConnected == true"), arnsWhere(() => true));
    await assert.rejects(w.ecs.send(new ListContainerInstancesCommand({ cluster: c, filter: "runningTasksCount > lots" })), {
      name: "InvalidParameterException",
    });
  });

  it("wharf explain prints each instance's verdict and starts nothing", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 3, memory: 1024, instanceTypes: ["m5.large", "g4dn.xlarge", "m5.large"], azCount: 1 });
    await taskDef("ex", {}, { cpu: 128, memory: 768 });
    // The first instance has 512 MiB left after this task.
    await w.ecs.send(new StartTaskCommand({ cluster: c, taskDefinition: "ex", group: "x", containerInstances: [f.instances[0]!.containerInstanceArn], overrides: { containerOverrides: [{ name: "app", memory: 512 }] } }));
    const before = (await w.ecs.send(new ListTasksCommand({ cluster: c }))).taskArns!.length;
    const cli = (...args: string[]) =>
      run(process.execPath, [join(process.cwd(), "bin", "wharf.js"), "explain", "--endpoint", w.server.url, ...args], {
        env: { ...w.awsEnv },
      });
    const { stdout } = await cli("--cluster", c, "--task-definition", "ex", "--count", "2", "--strategy", "binpack:memory", "--constraint", "memberOf:attribute:ecs.instance-type != g4dn.xlarge");
    const id = (i: number) => f.instances[i]!.containerInstanceArn.split("/").pop()!;
    assert.match(stdout, /each task needs 128 CPU units, 768 MiB/);
    assert.match(stdout, /Strategy: binpack\(memory\)/);
    assert.match(stdout, new RegExp(`${id(0)}\\s+i-\\w+\\s+rejected: RESOURCE:MEMORY\\s+needs 768 MiB, 512 MiB remaining`));
    assert.match(stdout, new RegExp(`${id(1)}\\s+i-\\w+\\s+rejected: MemberOf placement constraint unsatisfied`));
    assert.match(stdout, new RegExp(`${id(2)}\\s+i-\\w+\\s+rank 1\\s+binpack\\(memory\\)=1024`));
    assert.match(stdout, /Would place 1 of 2 tasks/);
    assert.match(stdout, /1 task could not be placed; RunTask would report 3 failures/);
    const json = JSON.parse((await cli("--cluster", c, "--task-definition", "ex", "--json")).stdout);
    assert.equal(json.instances.length, 3);
    assert.deepEqual(json.strategy, ["random"]);
    assert.equal((await w.ecs.send(new ListTasksCommand({ cluster: c }))).taskArns!.length, before, "explain started nothing");
    const bad = await cli("--cluster", c, "--task-definition", "ex", "--constraint", "memberOf:attribute:x ==").catch((e: { stderr: string; code: number }) => e);
    assert.equal((bad as { code: number }).code, 1);
    assert.match((bad as { stderr: string }).stderr, /InvalidParameterException: Invalid cluster query expression/);
    await indexAgrees(c);
  });

  it("a REPLICA service without strategy spreads over AZs, then instances; its placement failures explain themselves", async () => {
    const c = await cluster();
    // Zone a has four instances, b and c one each: random placement would crowd zone a.
    await fleet(c, { count: 4, attributes: { "ecs.availability-zone": "us-east-1a" } });
    await fleet(c, { count: 1, attributes: { "ecs.availability-zone": "us-east-1b" } });
    await fleet(c, { count: 1, attributes: { "ecs.availability-zone": "us-east-1c" } });
    await taskDef("svc");
    await w.ecs.send(new CreateServiceCommand({ cluster: c, serviceName: "web", taskDefinition: "svc", desiredCount: 6 }));
    const tasks = await until(async () => {
      const arns = (await w.ecs.send(new ListTasksCommand({ cluster: c, serviceName: "web" }))).taskArns!;
      if (arns.length < 6) return undefined;
      return (await w.ecs.send(new DescribeTasksCommand({ cluster: c, tasks: arns }))).tasks!;
    });
    assert.deepEqual(countBy(tasks, (t) => t.availabilityZone!), { "us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2 });
    const inZoneA = tasks.filter((t) => t.availabilityZone === "us-east-1a").map((t) => t.containerInstanceArn);
    assert.equal(new Set(inZoneA).size, 2, "spread(instanceId) inside the zone");
    const svc = (await w.ecs.send(new DescribeServicesCommand({ cluster: c, services: ["web"] }))).services![0]!;
    assert.deepEqual(svc.placementStrategy ?? [], [], "the default is applied, not written into the service");

    await w.ecs.send(
      new CreateServiceCommand({
        cluster: c,
        serviceName: "nowhere",
        taskDefinition: "svc",
        desiredCount: 1,
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type == p4d.24xlarge" }],
      }),
    );
    const event = await until(async () => {
      const s = (await w.ecs.send(new DescribeServicesCommand({ cluster: c, services: ["nowhere"] }))).services![0]!;
      return s.events?.find((e) => e.message?.includes("unable to place"))?.message;
    });
    assert.match(event, /^\(service nowhere\) was unable to place a task because no container instance met all of its requirements\. /);
    assert.match(event, /The closest matching \(container-instance \w+\) encountered error "MemberOf placement constraint unsatisfied" \(does not satisfy "attribute:ecs\.instance-type == p4d\.24xlarge"\)\./);
    assert.match(event, /6 instances were refused: 6 MemberOf placement constraint unsatisfied\./);
    await indexAgrees(c);
  });

  it("a DAEMON service runs only on instances that satisfy its constraints", async () => {
    const c = await cluster();
    const f = await fleet(c, { count: 4, instanceTypes: ["m5.xlarge", "g4dn.xlarge"], azCount: 2 });
    await taskDef("daemon", {}, { cpu: 32, memory: 32 });
    await w.ecs.send(
      new CreateServiceCommand({
        cluster: c,
        serviceName: "gpu-agent",
        taskDefinition: "daemon",
        schedulingStrategy: "DAEMON",
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ g4dn.*" }],
      }),
    );
    const gpuHosts = f.instances.filter((i) => i.instanceType.startsWith("g4dn")).map((i) => i.containerInstanceArn).sort();
    const on = await until(async () => {
      const arns = (await w.ecs.send(new ListTasksCommand({ cluster: c, serviceName: "gpu-agent" }))).taskArns!;
      if (arns.length < gpuHosts.length) return undefined;
      return (await w.ecs.send(new DescribeTasksCommand({ cluster: c, tasks: arns }))).tasks!.map((t) => t.containerInstanceArn!).sort();
    });
    assert.deepEqual(on, gpuHosts);
    const svc = (await w.ecs.send(new DescribeServicesCommand({ cluster: c, services: ["gpu-agent"] }))).services![0]!;
    assert.equal(svc.desiredCount, 2);
    await indexAgrees(c);
  });
});

function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return waitFor(fn, { what: "the placement condition", timeoutMs, intervalMs: 50 }) as Promise<T>;
}
