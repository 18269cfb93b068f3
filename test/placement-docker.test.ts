import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { ECS_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { hex, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Placement with real agents on the real Docker Engine: two hosts (two agents with their own
 * --host-ip, one offering two GPUs), distinctInstance and spread across them, memberOf on an
 * agent's attribute, and a GPU task whose container gets NVIDIA_VISIBLE_DEVICES with the GPU
 * placement assigned (no NVIDIA runtime needed to see the variable).
 */
describe("placement on real Docker agents", { timeout: 120_000 }, () => {
  let h: TestWharf;
  let tmp: string;
  const cluster = `pl-docker-${hex(4)}`;
  const agents: RunningAgent[] = [];
  const docker = new DockerClient();
  const net = 1 + Math.floor(Math.random() * 250);
  const gpus = [`GPU-${hex(4)}-0`, `GPU-${hex(4)}-1`];

  before(async () => {
    h = await startTestWharf();
    tmp = mkdtempSync(join(tmpdir(), "wharf-pl-docker-"));
    await h.aws("ecs", "create-cluster", "--cluster-name", cluster);
    for (const i of [0, 1]) {
      agents.push(
        await startAgent({
          endpoint: h.server.url,
          cluster,
          dataDir: join(tmp, `agent-${i}`),
          hostIp: `127.0.${net}.${2 + i}`,
          credentials: h.server.credentials,
          pollWaitMs: 5_000,
          metadataEndpoint: false,
          instanceType: i === 1 ? "g4dn.xlarge" : "m5.large",
          availabilityZone: i === 1 ? "us-east-1b" : "us-east-1a",
          ...(i === 1 ? { gpus } : {}),
        }),
      );
    }
  });

  after(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    for (const a of agents) await removeInstanceContainers(a.containerInstanceArn).catch(() => undefined);
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function family(name: string, container: object = {}): Promise<string> {
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${name}-${hex(3)}`,
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            command: ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'],
            memory: 32,
            cpu: 16,
            stopTimeout: 2,
            ...container,
          },
        ],
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  }

  function running(arns: string[]): Promise<Task[]> {
    let tasks: Task[] = [];
    return waitFor(
      async () => {
        tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
        return tasks.length === arns.length && tasks.every((t) => t.lastStatus === "RUNNING") ? tasks : undefined;
      },
      { what: "tasks RUNNING", timeoutMs: 60_000, detail: () => tasks.map((t) => [t.lastStatus, t.stoppedReason]) },
    );
  }

  it("distinctInstance puts one task per host and reports the third; spread(instanceId) alternates", async () => {
    const td = await family("distinct");
    const out = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: td, count: 3, placementConstraints: [{ type: "distinctInstance" }] }));
    assert.equal(out.tasks!.length, 2);
    assert.deepEqual(out.tasks!.map((t) => t.containerInstanceArn).sort(), agents.map((a) => a.containerInstanceArn).sort());
    assert.deepEqual(out.failures!.map((f) => f.reason), [
      "DistinctInstance placement constraint unsatisfied",
      "DistinctInstance placement constraint unsatisfied",
    ]);
    const tasks = await running(out.tasks!.map((t) => t.taskArn!));
    // Each host's agent really runs its task: the container carries its instance's label.
    for (const t of tasks) {
      const [c] = await docker.listContainers({ [ECS_LABELS.taskArn]: t.taskArn! });
      assert.ok(c, `a container for ${t.taskArn}`);
    }
    const spread = await h.ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: td, group: "spread", count: 2, placementStrategy: [{ type: "spread", field: "instanceId" }] }),
    );
    assert.equal(new Set(spread.tasks!.map((t) => t.containerInstanceArn)).size, 2);
  });

  it("memberOf on the agent's attributes, and a GPU task's container gets NVIDIA_VISIBLE_DEVICES", async () => {
    const td = await family("gpu", { resourceRequirements: [{ type: "GPU", value: "1" }] });
    const out = await h.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: td,
        count: 3,
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == us-east-1b" }],
      }),
    );
    assert.equal(out.tasks!.length, 2, "two GPUs, two tasks");
    // Resources are checked before constraints: the host without GPUs reports RESOURCE:GPU too.
    assert.deepEqual(
      out.failures!.map((f) => [f.arn, f.reason, f.detail]).sort(),
      agents.map((a) => [a.containerInstanceArn, "RESOURCE:GPU", "needs 1 GPU(s), 0 unassigned"]).sort(),
    );
    const plain = await family("zone-a");
    const inA = await h.ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: plain, count: 2, placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == us-east-1a" }] }),
    );
    assert.deepEqual(inA.tasks!.map((t) => t.containerInstanceArn), [agents[0]!.containerInstanceArn, agents[0]!.containerInstanceArn]);
    const tasks = await running(out.tasks!.map((t) => t.taskArn!));
    const seen: string[] = [];
    for (const t of tasks) {
      assert.equal(t.containerInstanceArn, agents[1]!.containerInstanceArn);
      const ids = t.containers![0]!.gpuIds!;
      assert.equal(ids.length, 1);
      const [c] = await docker.listContainers({ [ECS_LABELS.taskArn]: t.taskArn! });
      const env = ((await docker.inspectContainer(c!.Id)).Config as { Env?: string[] }).Env ?? [];
      assert.ok(env.includes(`NVIDIA_VISIBLE_DEVICES=${ids[0]}`), `env ${JSON.stringify(env)}`);
      seen.push(ids[0]!);
    }
    assert.deepEqual(seen.sort(), [...gpus].sort(), "each GPU to one task");
    assert.deepEqual(await h.server.deps.placement!.verify(`arn:aws:ecs:us-east-1:${h.server.accountId}:cluster/${cluster}`), []);
  });
});
