import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type CreateServiceCommandInput } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { createLoadBalancer, createTargetGroup, defaultSubnets, type LbSetup } from "./helpers/lb-setup.js";

/**
 * CreateService/UpdateService check `loadBalancers` against the ELBv2 API as ECS does:
 * the target group exists, a load balancer uses it, its target type fits the network mode,
 * the container and port exist; healthCheckGracePeriodSeconds needs a load balancer.
 */
describe("services with load balancers: ECS's validation (SDK, aws CLI)", { timeout: 120_000 }, () => {
  let w: TestWharf;
  let ipLb: LbSetup;
  let instanceLb: LbSetup;
  let subnet = "";
  const create = (input: Partial<CreateServiceCommandInput>) =>
    w.ecs.send(new CreateServiceCommand({ cluster: "lbv", taskDefinition: "web", desiredCount: 0, serviceName: "x", ...input }));
  const rejects = (p: Promise<unknown>, message: string | RegExp) =>
    assert.rejects(p, (e: Error) => {
      assert.equal(e.name, "InvalidParameterException", e.message);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });

  before(async () => {
    w = await startTestWharf({ server: { serviceController: false } });
    await w.ecs.send(new CreateClusterCommand({ clusterName: "lbv" }));
    await w.ecs.send(new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "web", image: "nginx", memory: 64, portMappings: [{ containerPort: 80 }] }] }));
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "vpc",
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "web", image: "nginx", memory: 64, portMappings: [{ containerPort: 80 }] }],
      }),
    );
    ipLb = await createLoadBalancer(w, "val-ip", { targetType: "ip", port: 80 });
    instanceLb = await createLoadBalancer(w, "val-inst", { targetType: "instance", port: 80 });
    [subnet] = await defaultSubnets(w, 1);
  });
  after(async () => w?.close());

  const net = () => ({ awsvpcConfiguration: { subnets: [subnet] } });

  it("refuses a target group that does not exist or that no load balancer uses", async () => {
    const missing = instanceLb.targetGroupArn.replace(/\/[0-9a-f]{16}$/, "/0123456789abcdef");
    await rejects(
      create({ serviceName: "a", loadBalancers: [{ targetGroupArn: missing, containerName: "web", containerPort: 80 }] }),
      `The target group with targetGroupArn ${missing} does not exist.`,
    );
    const lonely = await createTargetGroup(w, instanceLb.vpcId, "lonely", "instance", 80);
    await rejects(
      create({ serviceName: "b", loadBalancers: [{ targetGroupArn: lonely, containerName: "web", containerPort: 80 }] }),
      `The target group with targetGroupArn ${lonely} does not have an associated load balancer.`,
    );
  });

  it("requires target type ip for awsvpc and instance for bridge", async () => {
    await rejects(
      create({ serviceName: "c", taskDefinition: "vpc", networkConfiguration: net(), loadBalancers: [{ targetGroupArn: instanceLb.targetGroupArn, containerName: "web", containerPort: 80 }] }),
      `The provided target group ${instanceLb.targetGroupArn} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`,
    );
    await rejects(
      create({ serviceName: "d", loadBalancers: [{ targetGroupArn: ipLb.targetGroupArn, containerName: "web", containerPort: 80 }] }),
      `The provided target group ${ipLb.targetGroupArn} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`,
    );
    // The same through the aws CLI: the error code and message reach the user.
    const cli = await w.awsError(
      "ecs", "create-service", "--cluster", "lbv", "--service-name", "e", "--task-definition", "web", "--desired-count", "0",
      "--load-balancers", `targetGroupArn=${ipLb.targetGroupArn},containerName=web,containerPort=80`,
    );
    assert.equal(cli.code, "InvalidParameterException");
    assert.match(cli.stderr, /has target type ip, which is incompatible with the bridge network mode/);
  });

  it("checks the container, its port and the number of load balancers", async () => {
    await rejects(create({ serviceName: "f", loadBalancers: [{ targetGroupArn: instanceLb.targetGroupArn, containerName: "nope", containerPort: 80 }] }), "The container nope does not exist in the task definition.");
    await rejects(create({ serviceName: "g", loadBalancers: [{ targetGroupArn: instanceLb.targetGroupArn, containerName: "web", containerPort: 81 }] }), "The container web did not have a container port 81 defined.");
    const six = Array.from({ length: 6 }, () => ({ targetGroupArn: instanceLb.targetGroupArn, containerName: "web", containerPort: 80 }));
    await rejects(create({ serviceName: "h", loadBalancers: six }), /at most 5/);
  });

  it("takes healthCheckGracePeriodSeconds only with load balancers, stores and shows it", async () => {
    await rejects(create({ serviceName: "i", healthCheckGracePeriodSeconds: 30 }), "Health check grace period is only valid for services configured to use load balancers");
    const lb = { targetGroupArn: instanceLb.targetGroupArn, containerName: "web", containerPort: 80 };
    const { service } = await create({ serviceName: "ok", loadBalancers: [lb], healthCheckGracePeriodSeconds: 30 });
    assert.deepEqual(service?.loadBalancers, [lb]);
    assert.equal(service?.healthCheckGracePeriodSeconds, 30);
    const plain = await create({ serviceName: "ok2", loadBalancers: [lb] });
    assert.equal(plain.service?.healthCheckGracePeriodSeconds, 0, "a service with a load balancer shows 0 when none was given");
    const none = await create({ serviceName: "ok3" });
    assert.equal(none.service?.healthCheckGracePeriodSeconds, undefined);
    const upd = await w.ecs.send(new UpdateServiceCommand({ cluster: "lbv", service: "ok", healthCheckGracePeriodSeconds: 5 }));
    assert.equal(upd.service?.healthCheckGracePeriodSeconds, 5);
    const described = await w.aws("ecs", "describe-services", "--cluster", "lbv", "--services", "ok");
    assert.equal(described.services[0].healthCheckGracePeriodSeconds, 5);
    await rejects(w.ecs.send(new UpdateServiceCommand({ cluster: "lbv", service: "ok3", healthCheckGracePeriodSeconds: 5 })), "Health check grace period is only valid for services configured to use load balancers");
    const ip = await create({ serviceName: "vpcok", taskDefinition: "vpc", networkConfiguration: net(), loadBalancers: [{ targetGroupArn: ipLb.targetGroupArn, containerName: "web", containerPort: 80 }] });
    assert.equal(ip.service?.loadBalancers?.[0]?.targetGroupArn, ipLb.targetGroupArn);
  });
});
