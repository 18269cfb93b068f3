import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { cloudMap, createRegistry } from "./helpers/cloud-map.js";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

/**
 * ECS serviceRegistries without Docker: a fake agent reports bridge tasks RUNNING with host
 * ports, the service controller registers them by SRV with the container instance's address and
 * the bound host port, answers them in DNS, refuses what ECS refuses, and deregisters on scale-in.
 */
describe("ECS serviceRegistries (control plane, fake agent)", () => {
  let w: TestWharf;
  let sd: ServiceDiscoveryClient;
  let agent: FakeAgent;
  before(async () => {
    w = await startTestWharf({ server: { lbDataPlane: false } });
    sd = cloudMap(w);
    await w.ecs.send(new CreateClusterCommand({ clusterName: "reg" }));
    agent = new FakeAgent(w, { cluster: "reg", autoRun: true, instanceId: "i-0aaaabbbbccccdddd" });
    await agent.register();
    agent.start();
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
      }),
    );
  });
  after(async () => {
    await agent?.stop();
    sd?.destroy();
    await w?.close();
  });

  const rejects = async (input: Record<string, unknown>, message: RegExp) => {
    const e = await w.ecs.send(new CreateServiceCommand({ cluster: "reg", serviceName: "bad", taskDefinition: "web", desiredCount: 1, ...input })).catch((x) => x);
    assert.equal(e.name, "InvalidParameterException", String(e));
    assert.match(e.message, message);
  };

  it("checks registries as ECS does", async () => {
    const srv = await createRegistry(w, "srv", ["SRV"]);
    const a = await createRegistry(w, "a", ["A"]);
    await rejects({ serviceRegistries: [{ registryArn: srv.arn.replace(/srv-[a-z0-9]+$/, "srv-aaaaaaaaaaaaaaaa") }] }, /does not exist/);
    await rejects({ serviceRegistries: [{ registryArn: srv.arn }] }, /When specifying 'host' or 'bridge' for networkMode, values for 'containerName' and 'containerPort' must be specified/);
    await rejects({ serviceRegistries: [{ registryArn: srv.arn, port: 80, containerName: "app", containerPort: 80 }] }, /either 'port' or the 'containerName' and 'containerPort' combination, but not both/);
    await rejects({ serviceRegistries: [{ registryArn: a.arn, containerName: "app", containerPort: 80 }] }, /do not require a value for 'containerPort'/);
    await rejects({ serviceRegistries: [{ registryArn: a.arn }] }, /can register only with SRV records/);
    await rejects({ serviceRegistries: [{ registryArn: srv.arn, containerName: "app", containerPort: 81 }] }, /did not have a container port 81/);
  });

  it("registers bridge tasks by SRV with the instance's address and host port, and deregisters them on scale-in", async () => {
    const reg = await createRegistry(w, "web", ["SRV"], { customHealth: true });
    await w.ecs.send(
      new CreateServiceCommand({
        cluster: "reg",
        serviceName: "web",
        taskDefinition: "web",
        desiredCount: 2,
        serviceRegistries: [{ registryArn: reg.arn, containerName: "app", containerPort: 80 }],
      }),
    );
    const discover = async () => (await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "web", HealthStatus: "ALL" }))).Instances ?? [];
    const found = await waitFor(async () => {
      const i = await discover();
      return i.length === 2 && i;
    }, { what: "2 registered tasks", timeoutMs: 20_000 });
    for (const i of found) {
      assert.match(i.InstanceId!, /^[0-9a-f]{32}$/);
      assert.equal(i.HealthStatus, "HEALTHY");
      assert.equal(i.Attributes!.AWS_INSTANCE_IPV4, "127.0.0.1");
      assert.equal(i.Attributes!.AWS_INSTANCE_PORT, "32768");
      assert.equal(i.Attributes!.AWS_INIT_HEALTH_STATUS, "HEALTHY");
      assert.equal(i.Attributes!.EC2_INSTANCE_ID, "i-0aaaabbbbccccdddd");
      assert.equal(i.Attributes!.AVAILABILITY_ZONE, "us-east-1a");
      assert.equal(i.Attributes!.ECS_CLUSTER_NAME, "reg");
    }
    const dns = await w.server.cloudMap.dns.lookup("web.internal.local", "SRV", {});
    assert.ok(dns.kind === "answer");
    assert.deepEqual(
      dns.records.map((r) => (r.value as { target: string }).target).sort(),
      found.map((i) => `${i.InstanceId}.web.internal.local`).sort(),
    );
    // Another registry: a new deployment; the old tasks leave the old registry as they stop, the new ones join the new.
    const reg2 = await createRegistry(w, "web2", ["SRV"]);
    await w.ecs.send(new UpdateServiceCommand({ cluster: "reg", service: "web", serviceRegistries: [{ registryArn: reg2.arn, containerName: "app", containerPort: 80 }] }));
    const discover2 = async () => (await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "web2" }))).Instances ?? [];
    await waitFor(async () => (await discover()).length === 0 && (await discover2()).length === 2, { what: "tasks moved to the new registry", timeoutMs: 30_000 });
    const moved = (await discover2()).map((i) => i.InstanceId);
    assert.ok(moved.every((id) => !found.some((f) => f.InstanceId === id)), "the new deployment's tasks");
    await w.ecs.send(new UpdateServiceCommand({ cluster: "reg", service: "web", desiredCount: 0 }));
    await waitFor(async () => (await discover2()).length === 0, { what: "instances deregistered", timeoutMs: 20_000 });
    const events = (await w.ecs.send(new DescribeServicesCommand({ cluster: "reg", services: ["web"] }))).services![0]!.events!.map((e) => e.message!);
    assert.ok(events.some((m) => m === `(service web) registered 2 instances in (service-registry ${reg.arn})` || /registered 1 instances/.test(m)), JSON.stringify(events));
    assert.ok(events.some((m) => /^\(service web\) deregistered \d instances in \(service-registry /.test(m)), JSON.stringify(events));
  });
});
