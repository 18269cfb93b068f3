import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const images = (r: { prefetch?: { image: string }[] } | undefined) => (r?.prefetch ?? []).map((p) => p.image);

describe("warm starts: poll answers list the services' images (fake agents)", () => {
  let w: TestWharf;
  const agents: FakeAgent[] = [];
  const cluster = "warm";

  before(async () => {
    w = await startTestWharf();
    await w.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const [id, color] of [["i-0aaaaaaaaaaaaaaa1", "blue"], ["i-0aaaaaaaaaaaaaaa2", "red"]] as const) {
      const a = new FakeAgent(w, { cluster, instanceId: id, attributes: [{ name: "ecs.os-type", value: "linux" }, { name: "color", value: color }] });
      agents.push(a);
      await a.register();
      a.start();
      await a.waitFor(() => true);
    }
    const reg = async (family: string, image: string, fargate = false) =>
      w.ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          ...(fargate ? { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512" } : {}),
          containerDefinitions: [{ name: "app", image, memory: fargate ? undefined : 64, essential: true }],
        }),
      );
    await reg("warm-web", "wharf-test/warm-web:1");
    await reg("warm-web", "wharf-test/warm-web:2");
    await reg("warm-blue", "wharf-test/warm-blue:1");
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await w.close();
  });

  it("CreateService (no tasks yet) tells every eligible instance its image; memberOf keeps others out", async () => {
    await w.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "warm-web:1", desiredCount: 0 }));
    await w.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "blue",
        taskDefinition: "warm-blue:1",
        desiredCount: 0,
        placementConstraints: [{ type: "memberOf", expression: "attribute:color == blue" }],
      }),
    );
    const [blue, red] = agents;
    const b = await blue!.waitFor((r) => images(r).length === 2);
    assert.deepEqual(images(b), ["wharf-test/warm-blue:1", "wharf-test/warm-web:1"]);
    const r = await red!.waitFor((x) => images(x).includes("wharf-test/warm-web:1"));
    assert.deepEqual(images(r), ["wharf-test/warm-web:1"]);
    assert.equal(b.tasks.length, 0, "nothing is placed: the images come before any task");
  });

  it("UpdateService to a new task definition wakes the held polls with the new image; DeleteService takes it away", async () => {
    await w.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: "warm-web:2" }));
    for (const a of agents) {
      const r = await a.waitFor((x) => images(x).includes("wharf-test/warm-web:2"));
      assert.ok(!images(r).includes("wharf-test/warm-web:1"), "the old revision's image is no longer listed");
    }
    await w.ecs.send(new DeleteServiceCommand({ cluster, service: "blue", force: true }));
    const r = await agents[0]!.waitFor((x) => !images(x).includes("wharf-test/warm-blue:1"));
    assert.deepEqual(images(r), ["wharf-test/warm-web:2"]);
  });
});

describe("warm starts turned off on the control plane (warmStarts: false)", () => {
  it("poll answers carry no prefetch", async () => {
    const w = await startTestWharf({ server: { warmStarts: false } });
    const a = new FakeAgent(w, { cluster: "default" });
    try {
      await w.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
      await a.register();
      await w.ecs.send(new RegisterTaskDefinitionCommand({ family: "warm-off", containerDefinitions: [{ name: "app", image: "wharf-test/warm-off:1", memory: 64 }] }));
      await w.ecs.send(new CreateServiceCommand({ cluster: "default", serviceName: "off", taskDefinition: "warm-off:1", desiredCount: 0 }));
      const r = await a.poll(0, 0);
      assert.equal(r.status, 200);
      assert.equal(r.body.prefetch, undefined);
    } finally {
      await w.close();
    }
  });
});
