import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateCapacityProviderCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const asg = (name: string) =>
  `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:5e9c2a8f-1b2c-4d5e-8f90-123456789abc:autoScalingGroupName/${name}`;

describe("capacity providers through the SDK (fake agents)", () => {
  let w: TestWharf;
  const agents: FakeAgent[] = [];
  const join = async (cluster: string, provider: string, instanceId: string) => {
    const a = new FakeAgent(w, {
      cluster,
      autoRun: true,
      instanceId,
      attributes: [{ name: "ecs.os-type", value: "linux" }, { name: "wharf.capacity-provider", value: provider }],
    });
    agents.push(a);
    await a.register();
    a.start();
    await a.waitFor(() => true);
    return a;
  };
  const fail = async (p: Promise<unknown>) =>
    p.then(
      () => assert.fail("the call succeeded"),
      (e: Error) => e,
    );

  before(async () => {
    w = await startTestWharf();
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await w.close();
  });

  it("FARGATE and FARGATE_SPOT are built in; EC2 providers are created, described, updated and deleted as ECS does", async () => {
    const all = await w.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.deepEqual(all.capacityProviders!.map((c) => [c.name, c.status]), [["FARGATE", "ACTIVE"], ["FARGATE_SPOT", "ACTIVE"]]);
    assert.equal(all.capacityProviders![0]!.capacityProviderArn, "arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE");

    const created = await w.ecs.send(
      new CreateCapacityProviderCommand({
        name: "cp-on-demand",
        autoScalingGroupProvider: { autoScalingGroupArn: asg("on-demand"), managedScaling: { status: "ENABLED", targetCapacity: 90 } },
        tags: [{ key: "team", value: "a" }],
      }),
    );
    const cp = created.capacityProvider!;
    assert.equal(cp.capacityProviderArn, "arn:aws:ecs:us-east-1:000000000000:capacity-provider/cp-on-demand");
    assert.equal(cp.status, "ACTIVE");
    assert.equal(cp.updateStatus, "CREATE_COMPLETE");
    assert.equal(cp.autoScalingGroupProvider!.managedScaling!.targetCapacity, 90);
    assert.equal(cp.autoScalingGroupProvider!.managedTerminationProtection, "DISABLED");
    assert.match(cp.updateStatusReason ?? "", /not acted on/, "the absence of managed scaling is said plainly");

    const dup = await fail(
      w.ecs.send(new CreateCapacityProviderCommand({ name: "cp-on-demand", autoScalingGroupProvider: { autoScalingGroupArn: asg("x") } })),
    );
    assert.equal(dup.name, "ClientException");
    assert.equal(
      dup.message,
      "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
    );
    const reserved = await fail(
      w.ecs.send(new CreateCapacityProviderCommand({ name: "fargate-mine", autoScalingGroupProvider: { autoScalingGroupArn: asg("y") } })),
    );
    assert.equal(reserved.name, "ClientException");
    const badArn = await fail(
      w.ecs.send(new CreateCapacityProviderCommand({ name: "cp-bad", autoScalingGroupProvider: { autoScalingGroupArn: "my-asg" } })),
    );
    assert.equal(badArn.name, "ClientException");

    const updated = await w.ecs.send(
      new UpdateCapacityProviderCommand({ name: "cp-on-demand", autoScalingGroupProvider: { managedTerminationProtection: "ENABLED" } }),
    );
    assert.equal(updated.capacityProvider!.autoScalingGroupProvider!.managedTerminationProtection, "ENABLED");
    assert.equal(updated.capacityProvider!.autoScalingGroupProvider!.managedScaling!.targetCapacity, 90);

    const described = await w.ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ["cp-on-demand", "nope", "FARGATE"], include: ["TAGS"] }),
    );
    assert.deepEqual(described.capacityProviders!.map((c) => c.name), ["cp-on-demand", "FARGATE"]);
    assert.deepEqual(described.capacityProviders![0]!.tags, [{ key: "team", value: "a" }]);
    assert.deepEqual(described.failures, [{ arn: "arn:aws:ecs:us-east-1:000000000000:capacity-provider/nope", reason: "MISSING" }]);

    await w.ecs.send(new CreateCapacityProviderCommand({ name: "cp-gone", autoScalingGroupProvider: { autoScalingGroupArn: asg("gone") } }));
    const deleted = await w.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "cp-gone" }));
    assert.equal(deleted.capacityProvider!.status, "INACTIVE");
    const after = await w.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.ok(!after.capacityProviders!.some((c) => c.name === "cp-gone"));
    const builtIn = await fail(w.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "FARGATE" })));
    assert.equal(builtIn.name, "ClientException");
  });

  it("strategies over EC2 providers place each provider's share on its own instances, in RunTask and in services", async () => {
    await w.ecs.send(new CreateCapacityProviderCommand({ name: "cp-spot-like", autoScalingGroupProvider: { autoScalingGroupArn: asg("spot") } }));
    await w.ecs.send(new CreateClusterCommand({ clusterName: "cp-main" }));
    // Not associated yet: refused as ECS does.
    await w.ecs.send(new RegisterTaskDefinitionCommand({ family: "cp-app", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const strategy = [
      { capacityProvider: "cp-on-demand", base: 1, weight: 1 },
      { capacityProvider: "cp-spot-like", weight: 3 },
    ];
    const unassociated = await fail(w.ecs.send(new RunTaskCommand({ cluster: "cp-main", taskDefinition: "cp-app", capacityProviderStrategy: strategy })));
    assert.equal(unassociated.name, "InvalidParameterException");
    assert.match(unassociated.message, /not associated with the cluster/);

    const inUse = await w.ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: "cp-main",
        capacityProviders: ["cp-on-demand", "cp-spot-like"],
        defaultCapacityProviderStrategy: strategy,
      }),
    );
    assert.deepEqual(inUse.cluster!.capacityProviders, ["cp-on-demand", "cp-spot-like"]);
    const mixed = await fail(
      w.ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: "cp-main",
          capacityProviders: ["cp-on-demand", "FARGATE"],
          defaultCapacityProviderStrategy: [{ capacityProvider: "cp-on-demand", weight: 1 }, { capacityProvider: "FARGATE", weight: 1 }],
        }),
      ),
    );
    assert.match(mixed.message, /cannot contain a mix of capacity providers/);
    const busy = await fail(w.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "cp-on-demand" })));
    assert.equal(busy.name, "ResourceInUseException");

    const od = await join("cp-main", "cp-on-demand", "i-0000000000000od01");
    const sp1 = await join("cp-main", "cp-spot-like", "i-0000000000000sp01");
    const sp2 = await join("cp-main", "cp-spot-like", "i-0000000000000sp02");
    const ci = await w.ecs.send(new DescribeContainerInstancesCommand({ cluster: "cp-main", containerInstances: [od.arn, sp1.arn] }));
    assert.deepEqual(ci.containerInstances!.map((c) => c.capacityProviderName), ["cp-on-demand", "cp-spot-like"]);

    // The cluster's default strategy applies when RunTask names neither.
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "cp-main", taskDefinition: "cp-app", count: 4 }));
    assert.deepEqual(run.failures, []);
    const by = (tasks: { capacityProviderName?: string; containerInstanceArn?: string }[]) => {
      const out: Record<string, number> = {};
      for (const t of tasks) out[t.capacityProviderName ?? "none"] = (out[t.capacityProviderName ?? "none"] ?? 0) + 1;
      return out;
    };
    assert.deepEqual(by(run.tasks!), { "cp-on-demand": 1, "cp-spot-like": 3 });
    for (const t of run.tasks!) {
      assert.equal(t.launchType, "EC2");
      const home = t.capacityProviderName === "cp-on-demand" ? [od.arn] : [sp1.arn, sp2.arn];
      assert.ok(home.includes(t.containerInstanceArn!), "each task runs on its provider's instances");
    }

    // A service with the strategy keeps the split as it scales.
    await w.ecs.send(new CreateServiceCommand({ cluster: "cp-main", serviceName: "cp-svc", taskDefinition: "cp-app", desiredCount: 4, capacityProviderStrategy: strategy }));
    const serviceTasks = (n: number) => {
      let count = 0;
      return waitFor(
        async () => {
          const arns = (await w.ecs.send(new ListTasksCommand({ cluster: "cp-main", serviceName: "cp-svc" }))).taskArns ?? [];
          count = arns.length;
          return arns.length === n ? (await w.ecs.send(new DescribeTasksCommand({ cluster: "cp-main", tasks: arns }))).tasks! : undefined;
        },
        { what: `the service at ${n} tasks`, detail: () => `${count} tasks` },
      );
    };
    assert.deepEqual(by(await serviceTasks(4)), { "cp-on-demand": 1, "cp-spot-like": 3 });
    await w.ecs.send(new UpdateServiceCommand({ cluster: "cp-main", service: "cp-svc", desiredCount: 8 }));
    assert.deepEqual(by(await serviceTasks(8)), { "cp-on-demand": 2, "cp-spot-like": 6 });
    const cluster = await w.ecs.send(new DescribeClustersCommand({ clusters: ["cp-main"] }));
    assert.deepEqual(cluster.clusters![0]!.defaultCapacityProviderStrategy, [
      { capacityProvider: "cp-on-demand", base: 1, weight: 1 },
      { capacityProvider: "cp-spot-like", base: 0, weight: 3 },
    ]);
  });
});
