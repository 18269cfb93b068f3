import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSServiceException,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * Issue 18.1: an ARN whose partition, Region or account is not the caller's never resolves to
 * a local resource — not even in destructive calls — and a non-ECS ARN is refused.
 * The caller here is account 000000000000 in us-east-1 (partition aws).
 */
const own = "arn:aws:ecs:us-east-1:000000000000";
const foreignPrefixes = [
  "arn:aws:ecs:us-east-1:111111111111", // another account
  "arn:aws:ecs:eu-west-1:000000000000", // another Region
  "arn:aws:ecs:us-west-2:000000000000",
  "arn:aws-cn:ecs:us-east-1:000000000000", // another partition
];

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ECSServiceException, `expected an ECS error, got ${String(e)}`);
    return { name: e.name, message: e.message };
  }
  assert.fail("the call was expected to fail");
}

describe("ARNs are scoped to the caller's partition, Region and account", () => {
  let w: TestWharf;
  let agent: FakeAgent;
  let taskArn = "";
  before(async () => {
    w = await startTestWharf();
    await w.ecs.send(new CreateClusterCommand({ clusterName: "pc2" }));
    await w.ecs.send(new CreateClusterCommand({ clusterName: "other" }));
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "scope-app",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32 }],
      }),
    );
    await w.ecs.send(new CreateServiceCommand({ cluster: "pc2", serviceName: "web", taskDefinition: "scope-app", desiredCount: 0 }));
    agent = new FakeAgent(w, { cluster: "pc2", autoRun: true });
    await agent.register();
    agent.start();
    await agent.waitFor(() => true);
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "pc2", taskDefinition: "scope-app" }));
    assert.deepEqual(run.failures, []);
    taskArn = run.tasks![0]!.taskArn!;
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
  });

  const clusterActive = async () =>
    (await w.ecs.send(new DescribeClustersCommand({ clusters: ["pc2"] }))).clusters?.[0]?.status;
  const serviceActive = async () =>
    (await w.ecs.send(new DescribeServicesCommand({ cluster: "pc2", services: ["web"] }))).services?.[0];

  it("DeleteCluster with a foreign cluster ARN is ClusterNotFoundException and leaves the caller's cluster", async () => {
    for (const prefix of foreignPrefixes) {
      const err = await failure(w.ecs.send(new DeleteClusterCommand({ cluster: `${prefix}:cluster/pc2` })));
      assert.equal(err.name, "ClusterNotFoundException", prefix);
    }
    assert.equal(await clusterActive(), "ACTIVE");
  });

  it("DescribeClusters answers MISSING for foreign ARNs, with the ARN as given", async () => {
    const refs = foreignPrefixes.map((p) => `${p}:cluster/pc2`);
    const out = await w.ecs.send(new DescribeClustersCommand({ clusters: [...refs, `${own}:cluster/pc2`] }));
    assert.deepEqual(out.clusters!.map((c) => c.clusterArn), [`${own}:cluster/pc2`]);
    assert.deepEqual(out.failures, refs.map((arn) => ({ arn, reason: "MISSING" })));
  });

  it("a non-ECS ARN or a malformed ECS ARN is InvalidParameterException, never cluster/<the ARN>", async () => {
    for (const cluster of [
      "arn:aws:lambda:us-east-1:000000000000:function:pc2",
      `${own}:cluster/pc2/extra`,
      `${own}:service/pc2`,
      "arn:aws:ecs:us-east-1:0000:cluster/pc2",
    ]) {
      const err = await failure(w.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })));
      assert.equal(err.name, "InvalidParameterException", cluster);
      const del = await failure(w.ecs.send(new DeleteClusterCommand({ cluster })));
      assert.equal(del.name, "InvalidParameterException", cluster);
    }
    assert.equal(await clusterActive(), "ACTIVE");
  });

  it("UpdateService and DeleteService with a foreign service ARN are ServiceNotFoundException", async () => {
    for (const prefix of foreignPrefixes) {
      const service = `${prefix}:service/pc2/web`;
      const upd = await failure(w.ecs.send(new UpdateServiceCommand({ cluster: "pc2", service, desiredCount: 3 })));
      assert.equal(upd.name, "ServiceNotFoundException", prefix);
      const del = await failure(w.ecs.send(new DeleteServiceCommand({ cluster: "pc2", service, force: true })));
      assert.equal(del.name, "ServiceNotFoundException", prefix);
    }
    const svc = await serviceActive();
    assert.equal(svc?.status, "ACTIVE");
    assert.equal(svc?.desiredCount, 0);
  });

  it("DescribeServices answers MISSING for foreign service ARNs", async () => {
    const refs = foreignPrefixes.map((p) => `${p}:service/pc2/web`);
    const out = await w.ecs.send(new DescribeServicesCommand({ cluster: "pc2", services: refs.slice(0, 10) }));
    assert.equal(out.services!.length, 0);
    assert.deepEqual(out.failures, refs.map((arn) => ({ arn, reason: "MISSING" })));
  });

  it("a long service ARN of another cluster is refused with ECS's text", async () => {
    const err = await failure(
      w.ecs.send(new DescribeServicesCommand({ cluster: "other", services: [`${own}:service/pc2/web`] })),
    );
    assert.equal(err.name, "InvalidParameterException");
    assert.equal(err.message, "Invalid identifier: Identifier is for cluster pc2. Your cluster is other");
  });

  it("task ARNs of another partition, Region or account are MISSING and cannot be stopped", async () => {
    const id = taskArn.slice(taskArn.lastIndexOf("/") + 1);
    const refs = foreignPrefixes.map((p) => `${p}:task/pc2/${id}`);
    const out = await w.ecs.send(new DescribeTasksCommand({ cluster: "pc2", tasks: refs }));
    assert.equal(out.tasks!.length, 0);
    assert.deepEqual(out.failures!.map((f) => [f.arn, f.reason]), refs.map((arn) => [arn, "MISSING"]));
    for (const task of refs) {
      const err = await failure(w.ecs.send(new StopTaskCommand({ cluster: "pc2", task })));
      assert.equal(err.name, "InvalidParameterException");
    }
    const mine = await w.ecs.send(new DescribeTasksCommand({ cluster: "pc2", tasks: [taskArn] }));
    assert.equal(mine.tasks![0]!.desiredStatus, "RUNNING");
  });

  it("task-definition ARNs of another partition, Region or account do not resolve", async () => {
    for (const prefix of foreignPrefixes) {
      const err = await failure(
        w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${prefix}:task-definition/scope-app:1` })),
      );
      assert.equal(err.name, "ClientException", prefix);
    }
    const mine = await w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${own}:task-definition/scope-app:1` }));
    assert.equal(mine.taskDefinition!.family, "scope-app");
  });

  it("tagging calls refuse foreign ARNs", async () => {
    for (const prefix of foreignPrefixes) {
      const err = await failure(w.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${prefix}:cluster/pc2` })));
      assert.equal(err.name, "InvalidParameterException", prefix);
    }
  });
});
