import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RunningAgent } from "../src/agent/agent.js";
import { after, before, describe, it } from "node:test";
import { AgentWorld, between, waitLogs } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The task metadata endpoint v4, read from inside real containers (their output read back with
 * `docker logs`), in bridge, host and awsvpc modes, and refused to everyone else.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A shell script printing each metadata path between BEGIN-/END- markers, then idling. */
const dump = (paths: Record<string, string>): string[] => [
  "sh",
  "-c",
  Object.entries(paths)
    .map(([name, url]) => `echo BEGIN-${name}; wget -qO- "${url}"; echo; echo END-${name};`)
    .join(" ") + " echo ALL-DONE; sleep 3600",
];

describe("task metadata endpoint v4 (real Docker)", () => {
  const w = new AgentWorld();
  const arns: string[] = [];
  let agent: RunningAgent;
  before(async () => {
    await w.start("tmds");
    agent = await w.agent();
  });
  after(async () => {
    for (const task of arns) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task })).catch(() => undefined);
    await w.close();
  });

  async function runOne(input: Omit<ConstructorParameters<typeof RunTaskCommand>[0], "cluster">): Promise<Task> {
    const out = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, ...input }));
    assert.deepEqual(out.failures, []);
    arns.push(out.tasks![0]!.taskArn!);
    return out.tasks![0]!;
  }

  /** The runtime id of a task's container once Docker has it. */
  function dockerIdOf(taskArn: string, name: string): Promise<string> {
    return waitFor(
      async () => {
        const t = (await w.describe([taskArn]))[0];
        const id = t?.containers?.find((c) => c.name === name)?.runtimeId;
        if (!id && t?.lastStatus === "STOPPED") throw new Error(`task stopped: ${t.stoppedReason}`);
        return id;
      },
      { what: `a runtime id for ${name}`, timeoutMs: 20_000 },
    );
  }

  it("bridge: ${URI}, /task, /taskWithTags, /stats, /task/stats and v3, with the real endpoint's field names", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-bridge",
        cpu: "256",
        memory: "256",
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            cpu: 32,
            memory: 64,
            stopTimeout: 1,
            command: dump({
              TASK: "$ECS_CONTAINER_METADATA_URI_V4/task",
              SELF: "$ECS_CONTAINER_METADATA_URI_V4",
              STATS: "$ECS_CONTAINER_METADATA_URI_V4/stats",
              TAGS: "$ECS_CONTAINER_METADATA_URI_V4/taskWithTags",
              TSTATS: "$ECS_CONTAINER_METADATA_URI_V4/task/stats",
              V3: "$ECS_CONTAINER_METADATA_URI/task",
            }),
          },
          { name: "side", image: "wharf-test/busybox:latest", memory: 16, essential: false, stopTimeout: 1, command: ["sleep", "3600"] },
        ],
      }),
    );
    const t = await runOne({ taskDefinition: "tmds-bridge", tags: [{ key: "team", value: "core" }] });
    const id = await dockerIdOf(t.taskArn!, "app");
    const logs = await waitLogs(id, "ALL-DONE", 30_000);
    const task = JSON.parse(between(logs, "TASK"));
    assert.equal(task.TaskARN, t.taskArn);
    assert.equal(task.Cluster, w.cluster);
    assert.equal(task.Family, "tmds-bridge");
    assert.equal(task.Revision, "1");
    assert.equal(task.DesiredStatus, "RUNNING");
    assert.ok(["PENDING", "RUNNING"].includes(task.KnownStatus), task.KnownStatus);
    assert.deepEqual(task.Limits, { CPU: 0.25, Memory: 256 });
    assert.equal(task.LaunchType, "EC2");
    assert.match(task.PullStartedAt, RFC3339);
    assert.match(task.PullStoppedAt, RFC3339);
    assert.deepEqual(task.Containers.map((c: { Name: string }) => c.Name).sort(), ["app", "side"]);
    const app = task.Containers.find((c: { Name: string }) => c.Name === "app");
    assert.equal(app.DockerId, id);
    assert.match(app.DockerName, /^ecs-tmds-bridge-1-app-[0-9a-f]{20}$/);
    assert.equal(app.Image, "wharf-test/busybox:latest");
    assert.match(app.ImageID, /^sha256:[0-9a-f]{64}$/);
    assert.equal(app.Labels["com.amazonaws.ecs.task-arn"], t.taskArn);
    assert.equal(app.Labels["com.amazonaws.ecs.container-name"], "app");
    assert.equal(app.DesiredStatus, "RUNNING");
    assert.equal(app.KnownStatus, "RUNNING");
    assert.deepEqual(app.Limits, { CPU: 32, Memory: 64 });
    assert.match(app.CreatedAt, RFC3339);
    assert.match(app.StartedAt, RFC3339);
    assert.equal(app.Type, "NORMAL");
    assert.equal(app.ContainerARN, t.containers!.find((c) => c.name === "app")!.containerArn);
    assert.equal(app.Networks[0].NetworkMode, "bridge");
    assert.match(app.Networks[0].IPv4Addresses[0], /^\d+\.\d+\.\d+\.\d+$/);

    const self = JSON.parse(between(logs, "SELF"));
    assert.equal(self.Name, "app");
    assert.equal(self.DockerId, id);
    assert.deepEqual(self.Networks, app.Networks);
    const stats = JSON.parse(between(logs, "STATS"));
    assert.ok(stats.memory_stats && stats.cpu_stats, "Docker's stats JSON");
    const tagged = JSON.parse(between(logs, "TAGS"));
    assert.deepEqual(tagged.TaskTags, { team: "core" });
    assert.deepEqual(tagged.ContainerInstanceTags, {});
    const taskStats = JSON.parse(between(logs, "TSTATS"));
    assert.ok(taskStats[id]?.memory_stats, "keyed by Docker id");
    assert.equal(Object.keys(taskStats).length, 2);
    assert.equal(JSON.parse(between(logs, "V3")).TaskARN, t.taskArn);
  });

  it("refuses another task's token, the host, and unknown tokens (404)", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-victim",
        containerDefinitions: [{ name: "v", image: "wharf-test/busybox:latest", memory: 16, stopTimeout: 1, command: ["sleep", "3600"] }],
      }),
    );
    const victim = await runOne({ taskDefinition: "tmds-victim" });
    const victimId = await dockerIdOf(victim.taskArn!, "v");
    const env = (await w.docker.inspectContainer(victimId)) as unknown as { Config: { Env: string[] } };
    const uri = env.Config.Env.find((e) => e.startsWith("ECS_CONTAINER_METADATA_URI_V4="))!.split("=")[1]!;
    assert.match(uri, /^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/v4\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // Another task on the same bridge network knows the URI and still gets nothing.
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-snoop",
        containerDefinitions: [{ name: "s", image: "wharf-test/busybox:latest", memory: 16, stopTimeout: 1, command: ["sleep", "1"] }],
      }),
    );
    const script = `echo BEGIN-THEIRS; wget -O- "${uri}/task" 2>&1; echo "RC=$?"; echo END-THEIRS; echo BEGIN-MINE; wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task"; echo; echo END-MINE; echo ALL-DONE; sleep 3600`;
    const snoop = await runOne({
      taskDefinition: "tmds-snoop",
      overrides: { containerOverrides: [{ name: "s", command: ["sh", "-c", script] }] },
    });
    const logs = await waitLogs(await dockerIdOf(snoop.taskArn!, "s"), "ALL-DONE");
    const theirs = between(logs, "THEIRS");
    assert.doesNotMatch(theirs, /TaskARN/);
    assert.match(theirs, /404/);
    assert.match(theirs, /RC=1/);
    assert.equal(JSON.parse(between(logs, "MINE")).TaskARN, snoop.taskArn, "its own token works");

    // The host is not the task either, and unknown tokens are unknown.
    const fromHost = await fetch(`${uri}/task`);
    assert.equal(fromHost.status, 404);
    const port = new URL(uri).port;
    const unknown = await fetch(`http://127.0.0.1:${port}/v4/00000000-0000-0000-0000-000000000000/task`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /unable to get task arn/);
  });

  it("host mode reaches the endpoint on 127.0.0.1", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-host",
        networkMode: "host",
        containerDefinitions: [
          { name: "h", image: "wharf-test/busybox:latest", memory: 16, stopTimeout: 1, command: dump({ TASK: "$ECS_CONTAINER_METADATA_URI_V4/task" }) },
        ],
      }),
    );
    const t = await runOne({ taskDefinition: "tmds-host" });
    const id = await dockerIdOf(t.taskArn!, "h");
    const logs = await waitLogs(id, "ALL-DONE");
    const task = JSON.parse(between(logs, "TASK"));
    assert.equal(task.TaskARN, t.taskArn);
    assert.equal(task.Containers[0].Networks[0].NetworkMode, "host");
    const env = (await w.docker.inspectContainer(id)) as unknown as { Config: { Env: string[] } };
    assert.ok(env.Config.Env.some((e) => /^ECS_CONTAINER_METADATA_URI_V4=http:\/\/127\.0\.0\.1:\d+\/v4\//.test(e)));
  });

  it("awsvpc reaches the endpoint on its subnet's gateway and sees its ENI", async () => {
    const [subnet] = await w.defaultSubnets(1);
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-vpc",
        networkMode: "awsvpc",
        containerDefinitions: [
          { name: "n", image: "wharf-test/busybox:latest", memory: 16, stopTimeout: 1, command: dump({ TASK: "$ECS_CONTAINER_METADATA_URI_V4/task" }) },
        ],
      }),
    );
    const t = await runOne({ taskDefinition: "tmds-vpc", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } } });
    const logs = await waitLogs(await dockerIdOf(t.taskArn!, "n"), "ALL-DONE");
    const task = JSON.parse(between(logs, "TASK"));
    assert.equal(task.TaskARN, t.taskArn);
    const details = Object.fromEntries(t.attachments![0]!.details!.map((d) => [d.name, d.value]));
    const net = task.Containers[0].Networks[0];
    const { Subnets } = await w.h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet!] }));
    const block = Subnets![0]!.CidrBlock!;
    const [base, bits] = block.split("/") as [string, string];
    const gateway = base.replace(/\.0$/, ".1");
    assert.deepEqual(net, {
      NetworkMode: "awsvpc",
      IPv4Addresses: [details.privateIPv4Address],
      AttachmentIndex: 0,
      MACAddress: details.macAddress,
      IPv4SubnetCIDRBlock: block,
      PrivateDNSName: details.privateDnsName,
      SubnetGatewayIpv4Address: `${gateway}/${bits}`,
    });
  });

  it("keeps answering a container's URI after the agent restarts (same port, same token)", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tmds-restart",
        containerDefinitions: [{ name: "r", image: "wharf-test/busybox:latest", memory: 16, stopTimeout: 1, command: ["sleep", "3600"] }],
      }),
    );
    const t = await runOne({ taskDefinition: "tmds-restart" });
    const id = await dockerIdOf(t.taskArn!, "r");
    await w.waitTasks([t.taskArn!], "RUNNING");
    const read = async () => {
      const { stdout } = await promisify(execFile)("docker", ["exec", id, "sh", "-c", 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task"']);
      return JSON.parse(stdout) as { TaskARN: string };
    };
    assert.equal((await read()).TaskARN, t.taskArn);
    await agent.close();
    agent = await w.agent();
    await w.waitTasks([t.taskArn!], "RUNNING");
    const got = await waitFor(read, { what: "the adopted container's metadata URI to answer", timeoutMs: 10_000 });
    assert.equal(got.TaskARN, t.taskArn, "the adopted container's URI still works");
  });
});
