import {
  CreateClusterCommand,
  CreateServiceCommand,
  DiscoverPollEndpointCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { newDeploymentId } from "../src/core/ids.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/** Issue 18.5: smaller differences from ECS. */
describe("ECS fidelity: deployment ids, DiscoverPollEndpoint, identity documents", () => {
  let w: TestWharf;
  before(async () => {
    w = await startTestWharf();
    await w.ecs.send(new CreateClusterCommand({ clusterName: "fid" }));
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "fid-app",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32 }],
      }),
    );
  });
  after(async () => w?.close());

  it("deployment ids are ecs-svc/ and 19 random digits", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await w.ecs.send(
        new CreateServiceCommand({ cluster: "fid", serviceName: `s${i}`, taskDefinition: "fid-app", desiredCount: 0 }),
      );
      ids.push(out.service!.deployments![0]!.id!);
    }
    for (let i = 0; i < 2000; i++) ids.push(newDeploymentId());
    for (const id of ids) assert.match(id, /^ecs-svc\/\d{19}$/);
    assert.equal(new Set(ids).size, ids.length);
    // Every one of the 19 positions varies (a fixed suffix such as 123456789 would not).
    for (let pos = 0; pos < 19; pos++) {
      const seen = new Set(ids.map((id) => id.slice(8)[pos]));
      assert.equal(seen.size, 10, `position ${pos} takes only ${[...seen].join("")}`);
    }
  });

  it("DiscoverPollEndpoint answers with this control plane's endpoint", async () => {
    const out = await w.ecs.send(new DiscoverPollEndpointCommand({ cluster: "fid" }));
    assert.equal(out.endpoint, `${w.server.url}/`);
    assert.equal(out.telemetryEndpoint, `${w.server.url}/`);
    assert.equal(out.serviceConnectEndpoint, `${w.server.url}/`);
  });

  it("RegisterContainerInstance derives ecs.availability-zone, ecs.instance-type and ecs.ami-id from the identity document", async () => {
    const out = await w.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "fid",
        instanceIdentityDocument: JSON.stringify({
          instanceId: "i-0abc1234def567890",
          availabilityZone: "us-east-1c",
          region: "us-east-1",
          instanceType: "m5.large",
          imageId: "ami-0123456789abcdef0",
          privateIp: "10.0.0.7",
        }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 7680 },
        ],
        // What the agent claims loses to the signed document.
        attributes: [{ name: "ecs.instance-type", value: "t2.micro" }, { name: "team", value: "a" }],
      }),
    );
    const attrs = Object.fromEntries(out.containerInstance!.attributes!.map((a) => [a.name, a.value]));
    assert.equal(attrs["ecs.availability-zone"], "us-east-1c");
    assert.equal(attrs["ecs.instance-type"], "m5.large");
    assert.equal(attrs["ecs.ami-id"], "ami-0123456789abcdef0");
    assert.equal(attrs.team, "a");
    assert.equal(out.containerInstance!.ec2InstanceId, "i-0abc1234def567890");
  });
});
