import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitEvent } from "./helpers/wait.js";

const resource = (rs: { name?: string; integerValue?: number; stringSetValue?: string[] }[] | undefined, name: string) =>
  rs?.find((r) => r.name === name);

describe("container instances through the SDK and the aws CLI", () => {
  let w: TestWharf;
  const agents: FakeAgent[] = [];
  const agent = (cluster: string, o: Partial<FakeAgent["opts"]> = {}) => {
    const a = new FakeAgent(w, { cluster, autoRun: true, ...o });
    agents.push(a);
    return a;
  };
  before(async () => {
    w = await startTestWharf({ server: { agentGraceMs: 400 } });
    for (const c of ["ci-main", "ci-list", "ci-attr", "ci-dereg"]) {
      await w.ecs.send(new CreateClusterCommand({ clusterName: c }));
    }
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "ci-web",
        networkMode: "bridge",
        containerDefinitions: [{ name: "web", image: "nginx:alpine", cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
      }),
    );
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await w.close();
  });

  it("registers with the identity document, and re-registers to the same ARN keeping its tasks", async () => {
    const a = agent("ci-main", { instanceId: "i-0abcdef0123456789", cpu: 2048, memory: 3000 });
    const arn = await a.register();
    assert.match(arn, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/ci-main\/[0-9a-f]{32}$/);
    let d = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-main", containerInstances: [arn] }));
    let ci = d.containerInstances![0]!;
    assert.equal(ci.ec2InstanceId, "i-0abcdef0123456789");
    assert.equal(ci.status, "ACTIVE");
    assert.equal(ci.agentConnected, false, "no poll yet");
    assert.equal(resource(ci.registeredResources, "CPU")?.integerValue, 2048);
    assert.deepEqual(ci.remainingResources, ci.registeredResources);
    assert.equal(ci.versionInfo?.agentVersion, "0.0.0-fake");
    // ECS derives ecs.availability-zone and ecs.instance-type from the identity document.
    assert.deepEqual(ci.attributes, [
      { name: "ecs.os-type", value: "linux" },
      { name: "ecs.availability-zone", value: "us-east-1a" },
      { name: "ecs.instance-type", value: "wharf.local" },
    ]);
    assert.ok(ci.registeredAt instanceof Date);

    a.start();
    await a.waitFor(() => true);
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "ci-main", taskDefinition: "ci-web" }));
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks![0]!.taskArn!;
    await a.waitFor((r) => r.tasks.some((t) => t.taskArn === taskArn));

    d = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-main", containerInstances: [arn] }));
    ci = d.containerInstances![0]!;
    assert.equal(ci.agentConnected, true);
    assert.equal(resource(ci.remainingResources, "CPU")?.integerValue, 2048 - 256);
    assert.equal(resource(ci.remainingResources, "MEMORY")?.integerValue, 3000 - 512);
    assert.ok(resource(ci.remainingResources, "PORTS")?.stringSetValue?.includes("8080"));
    assert.ok(resource(ci.remainingResources, "PORTS")?.stringSetValue?.includes("22"));

    // Agent restart: same ARN back, the task still there and still counted.
    const again = await a.register(arn);
    assert.equal(again, arn);
    await a.waitFor((r) => r.tasks.some((t) => t.taskArn === taskArn));
    d = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-main", containerInstances: [arn] }));
    ci = d.containerInstances![0]!;
    assert.equal(ci.runningTasksCount, 1);
    assert.equal(resource(ci.remainingResources, "CPU")?.integerValue, 2048 - 256);
    assert.ok((ci.version ?? 0) >= 2);

    // Stopping the task gives the resources back once the agent reports it STOPPED.
    await w.ecs.send(new StopTaskCommand({ cluster: "ci-main", task: taskArn }));
    await a.waitFor((r) => !r.tasks.some((t) => t.taskArn === taskArn));
    d = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-main", containerInstances: [arn, "0".repeat(32)] }));
    ci = d.containerInstances![0]!;
    assert.deepEqual(ci.remainingResources, ci.registeredResources);
    assert.equal(ci.runningTasksCount, 0);
    assert.deepEqual(d.failures, [
      { arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/ci-main/${"0".repeat(32)}`, reason: "MISSING" },
    ]);

    // The aws CLI sees the same instance.
    const cli = await w.aws("ecs", "describe-container-instances", "--cluster", "ci-main", "--container-instances", arn);
    assert.equal(cli.containerInstances[0].containerInstanceArn, arn);
  });

  it("lists by status with pagination, and drains", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push(await agent("ci-list", { instanceId: `i-0000000000000000${i}` }).register());
    const p1 = await w.ecs.send(new ListContainerInstancesCommand({ cluster: "ci-list", maxResults: 2 }));
    assert.equal(p1.containerInstanceArns?.length, 2);
    assert.ok(p1.nextToken);
    const p2 = await w.ecs.send(new ListContainerInstancesCommand({ cluster: "ci-list", maxResults: 2, nextToken: p1.nextToken }));
    assert.equal(p2.containerInstanceArns?.length, 1);
    assert.equal(p2.nextToken, undefined);
    assert.deepEqual([...p1.containerInstanceArns!, ...p2.containerInstanceArns!], arns);

    const upd = await w.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: "ci-list", containerInstances: [arns[0]!, "f".repeat(32)], status: "DRAINING" }),
    );
    assert.equal(upd.containerInstances?.[0]?.status, "DRAINING");
    assert.equal(upd.failures?.[0]?.reason, "MISSING");
    const draining = await w.aws("ecs", "list-container-instances", "--cluster", "ci-list", "--status", "DRAINING");
    assert.deepEqual(draining.containerInstanceArns, [arns[0]]);
    const all = await w.aws("ecs", "list-container-instances", "--cluster", "ci-list", "--page-size", "1");
    assert.deepEqual(all.containerInstanceArns, arns);
    // filter: the cluster query language (the same evaluator as memberOf constraints).
    const linux = await w.aws("ecs", "list-container-instances", "--cluster", "ci-list", "--filter", "attribute:ecs.os-type == linux");
    assert.deepEqual(linux.containerInstanceArns, arns);
    const notFirst = await w.ecs.send(
      new ListContainerInstancesCommand({ cluster: "ci-list", filter: "attribute:ecs.os-type == linux and not (ec2InstanceId in [i-00000000000000000])" }),
    );
    assert.deepEqual(notFirst.containerInstanceArns, arns.slice(1));
    const windows = await w.aws("ecs", "list-container-instances", "--cluster", "ci-list", "--filter", "attribute:ecs.os-type == windows");
    assert.deepEqual(windows.containerInstanceArns, []);
    const one = await w.aws("ecs", "list-container-instances", "--cluster", "ci-list", "--filter", "ec2InstanceId == i-00000000000000001");
    assert.deepEqual(one.containerInstanceArns, [arns[1]]);
    const bad = await w.awsError("ecs", "list-container-instances", "--cluster", "ci-list", "--filter", "attribute:ecs.os-type === linux");
    assert.equal(bad.code, "InvalidParameterException");
    assert.match(bad.stderr, /Invalid cluster query expression/);
  });

  it("puts, lists and deletes attributes with ECS's rules", async () => {
    const arn = await agent("ci-attr").register();
    const id = arn.split("/").pop()!;
    const put = await w.aws("ecs", "put-attributes", "--cluster", "ci-attr", "--attributes", `name=stack,value=prod,targetId=${id}`);
    assert.deepEqual(put.attributes, [{ name: "stack", value: "prod", targetType: "container-instance", targetId: arn }]);
    const listed = await w.aws("ecs", "list-attributes", "--cluster", "ci-attr", "--target-type", "container-instance", "--attribute-name", "stack");
    assert.deepEqual(listed.attributes, [{ name: "stack", value: "prod", targetType: "container-instance", targetId: arn }]);
    const d = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-attr", containerInstances: [id] }));
    assert.ok(d.containerInstances![0]!.attributes!.some((a) => a.name === "stack" && a.value === "prod"));

    const badName = await w.awsError("ecs", "put-attributes", "--cluster", "ci-attr", "--attributes", `name=bad*name,value=x,targetId=${id}`);
    assert.equal(badName.code, "InvalidParameterException");
    await assert.rejects(
      w.ecs.send(new PutAttributesCommand({ cluster: "ci-attr", attributes: [{ name: "x", targetId: "e".repeat(32) }] })),
      (e: Error) => e.name === "TargetNotFoundException",
    );
    const many = Array.from({ length: 10 }, (_, i) => `name=k${i},value=v,targetId=${id}`);
    const tooMany = await w.awsError("ecs", "put-attributes", "--cluster", "ci-attr", "--attributes", ...many);
    assert.equal(tooMany.code, "AttributeLimitExceededException");

    await w.aws("ecs", "delete-attributes", "--cluster", "ci-attr", "--attributes", `name=stack,targetId=${arn}`);
    const after = await w.aws("ecs", "list-attributes", "--cluster", "ci-attr", "--target-type", "container-instance", "--attribute-name", "stack");
    assert.deepEqual(after.attributes, []);
  });

  it("deregisters: refuses while tasks run, force stops them; DeleteCluster refuses meanwhile", async () => {
    const a = agent("ci-dereg");
    const arn = await a.register();
    a.start();
    await a.waitFor(() => true);
    const notEmpty = await w.awsError("ecs", "delete-cluster", "--cluster", "ci-dereg");
    assert.equal(notEmpty.code, "ClusterContainsContainerInstancesException");
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "ci-dereg", taskDefinition: "ci-web" }));
    const taskArn = run.tasks![0]!.taskArn!;
    await a.waitFor((r) => r.tasks.some((t) => t.taskArn === taskArn));

    await assert.rejects(
      w.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "ci-dereg", containerInstance: arn })),
      (e: Error) => e.name === "InvalidParameterException" && /running tasks/.test(e.message),
    );
    await a.stop(); // the agent is away: the task stays RUNNING in the record
    const forced = await w.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "ci-dereg", containerInstance: arn, force: true }));
    assert.equal(forced.containerInstance?.status, "INACTIVE");
    const tasksLeft = await w.awsError("ecs", "delete-cluster", "--cluster", "ci-dereg");
    assert.equal(tasksLeft.code, "ClusterContainsTasksException");

    const polled = await a.poll(0, 0);
    assert.equal(polled.body.registered, false);
    assert.equal(polled.body.tasks[0]?.desiredStatus, "STOPPED");
    await a.report(taskArn, "STOPPED", { reason: polled.body.tasks[0]?.stoppedReason });
    const listed = await w.ecs.send(new ListContainerInstancesCommand({ cluster: "ci-dereg" }));
    assert.deepEqual(listed.containerInstanceArns, []);
    await w.ecs.send(new DeleteClusterCommand({ cluster: "ci-dereg" }));
  });

  it("agentConnected turns false once polls stop for longer than the grace period", async (t) => {
    // Its own server on a clock that moves only when the test says: "within the grace period"
    // and "past it" are decided by the clock, not by how fast this machine runs.
    let now = Date.now();
    const own = await startTestWharf({ server: { agentGraceMs: 400, clock: { now: () => now } } });
    t.after(() => own.close());
    await own.ecs.send(new CreateClusterCommand({ clusterName: "ci-grace" }));
    await own.ecs.send(
      new RegisterTaskDefinitionCommand({ family: "ci-web", containerDefinitions: [{ name: "web", image: "nginx:alpine", memory: 64 }] }),
    );
    const a = new FakeAgent(own, { cluster: "ci-grace", autoRun: true, waitMs: 100 });
    t.after(() => a.stop());
    const arn = await a.register();
    const gone = new Promise<void>((resolve) =>
      own.server.deps.agents!.onPresenceChange((instance, connected) => instance === arn && !connected && resolve()),
    );
    a.start();
    await a.waitFor(() => true);
    const connected = async () =>
      (await own.ecs.send(new DescribeContainerInstancesCommand({ cluster: "ci-grace", containerInstances: [arn] }))).containerInstances![0]!
        .agentConnected;
    assert.equal(await connected(), true);
    await a.stop({ finishPoll: true });
    assert.equal(await connected(), true, "within the grace period");
    now += 399;
    assert.equal(await connected(), true, "1 ms before the grace period ends");
    now += 1;
    assert.equal(await connected(), false);
    // Placement hears of it from the hub's own check, and then refuses the instance.
    await waitEvent(gone, { what: "the hub to announce the agent disconnected" });
    const run = await own.ecs.send(new RunTaskCommand({ cluster: "ci-grace", taskDefinition: "ci-web" }));
    assert.deepEqual(run.failures, [{ arn, reason: "AGENT", detail: "container agent is disconnected" }]);
  });
});
