import {
  PutAccountSettingDefaultCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { ECS_LABELS } from "../src/agent/container-config.js";
import { PAUSE_CONTAINER_NAME } from "../src/agent/network/awsvpc.js";
import { inspectNetwork, subnetNetworkName } from "../src/agent/network/docker-networks.js";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { AgentWorld, unknownSubnet } from "./helpers/agent-tasks.js";
import { subnetNotFoundMessage } from "../src/api/ecs/task-network.js";
import { exampleFile } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

/** awsvpc through the SDK against a real control plane, a real agent and the real Docker Engine. */

const detail = (t: Task, name: string) =>
  (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")?.details?.find((d) => d.name === name)?.value;

/**
 * The seed's definition with a local image standing in for a registry image (and a short
 * stopTimeout: the stand-in's httpd ignores SIGTERM as PID 1, so ECS's default 30 s would pass).
 */
function seedWithImage(file: string, image: string, family: string) {
  const td = JSON.parse(readFileSync(exampleFile(file), "utf8"));
  td.family = family;
  for (const c of td.containerDefinitions) {
    c.image = image;
    c.stopTimeout ??= 2;
  }
  return new RegisterTaskDefinitionCommand(td);
}

function page(ip: string): Promise<string> {
  return waitFor(
    async () => {
      const res = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1000) });
      return `${res.status} ${await res.text()}`;
    },
    { what: `http://${ip}/ to answer`, timeoutMs: 10_000 },
  );
}

describe("awsvpc tasks (real Docker)", () => {
  const worlds: AgentWorld[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
  });
  /** Each test gets its own control plane, cluster and agent directory. */
  const world = async (prefix: string) => {
    const w = new AgentWorld();
    worlds.push(w);
    return w.start(prefix);
  };

  it("refuses bad network configurations with ECS's messages", async () => {
    const w = await world("vpc-refuse");
    await w.h.ecs.send(seedWithImage("nginx-awsvpc.json", "wharf-test/nginx:latest", "vpc-refuse"));
    await w.h.ecs.send(seedWithImage("nginx-bridge-static.json", "wharf-test/nginx:latest", "bridge-refuse"));
    const refuse = async (input: Record<string, unknown>, message: string | RegExp) => {
      const err = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, ...input } as never)).then(
        () => assert.fail("RunTask succeeded"),
        (e: Error) => e,
      );
      assert.equal(err.name, "InvalidParameterException");
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
    };
    await refuse({ taskDefinition: "vpc-refuse" }, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    await refuse(
      { taskDefinition: "bridge-refuse", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } },
      "Network Configuration is not valid for the given networkMode of this task definition.",
    );
    await refuse({ taskDefinition: "vpc-refuse", networkConfiguration: { awsvpcConfiguration: { subnets: [] } } }, "subnets can not be empty.");
    await refuse(
      { taskDefinition: "vpc-refuse", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "ENABLED" } } },
      "Assign public IP is not supported for this launch type.",
    );
    await refuse(
      { taskDefinition: "vpc-refuse", networkConfiguration: { awsvpcConfiguration: { subnets: ["not-a-subnet"] } } },
      /InvalidSubnetID\.Malformed/,
    );
    // A subnet the EC2 API does not know: ECS's text, from RunTask and StartTask alike.
    const ghost = unknownSubnet();
    await refuse({ taskDefinition: "vpc-refuse", networkConfiguration: { awsvpcConfiguration: { subnets: [ghost] } } }, subnetNotFoundMessage(ghost));
    assert.equal(
      subnetNotFoundMessage(ghost),
      `Error retrieving subnet information for [${ghost}]: The subnet ID '${ghost}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
    );
    // Through the aws CLI too: the error type and message reach it.
    const cli = await w.h.awsError("ecs", "run-task", "--cluster", w.cluster, "--task-definition", "vpc-refuse");
    assert.equal(cli.code, "InvalidParameterException");
    assert.match(cli.stderr, /Network Configuration must be provided/);
  });

  it("runs the seed's awsvpc definitions: own addresses, port 80 each, the ENI attachment, RESOURCE:ENI, trunking", async () => {
    const w = await world("vpc-seed");
    const agent = await w.agent();
    const [s1, s2] = await w.defaultSubnets(2);
    await w.h.ecs.send(seedWithImage("nginx-awsvpc.json", "wharf-test/nginx:latest", "vpc-nginx"));
    await w.h.ecs.send(seedWithImage("dogs-ec2-awsvpc.json", "wharf-test/nginx:latest", "vpc-dogs"));
    // No securityGroups: the VPC's default group (itself in, all out; the host always reaches tasks).
    const net = (subnets: string[]) => ({ awsvpcConfiguration: { subnets, assignPublicIp: "DISABLED" as const } });

    const run = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "vpc-nginx", count: 2, networkConfiguration: net([s1!]) }));
    assert.deepEqual(run.failures, []);
    const t0 = run.tasks![0]!;
    assert.equal(t0.attachments?.[0]?.status, "PRECREATED");
    const arns = run.tasks!.map((t) => t.taskArn!);
    const tasks = await w.waitTasks(arns, "RUNNING");

    const ips = tasks.map((t) => detail(t, "privateIPv4Address")!);
    assert.equal(new Set(ips).size, 2, "each task has its own address");
    for (const t of tasks) {
      const att = t.attachments!.find((a) => a.type === "ElasticNetworkInterface")!;
      assert.match(att.id!, /^[0-9a-f-]{36}$/);
      assert.equal(att.status, "ATTACHED");
      assert.equal(detail(t, "subnetId"), s1);
      assert.match(detail(t, "networkInterfaceId")!, /^eni-[0-9a-f]{17}$/);
      assert.match(detail(t, "macAddress")!, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      assert.equal(detail(t, "privateDnsName"), `ip-${detail(t, "privateIPv4Address")!.replaceAll(".", "-")}.ec2.internal`);
      const c = t.containers![0]!;
      assert.deepEqual(c.networkInterfaces, [{ attachmentId: att.id, privateIpv4Address: detail(t, "privateIPv4Address") }]);
      assert.deepEqual(c.networkBindings, [], "ECS reports no bindings for awsvpc");
    }
    const [a, b] = ips as [string, string];
    assert.equal(a.split(".").slice(0, 3).join("."), b.split(".").slice(0, 3).join("."), "same subnet");
    // Both listen on port 80 at their own address, reachable from the host.
    assert.match(await page(a), /^200 .*Welcome to Wharf/s);
    assert.match(await page(b), /^200 .*Welcome to Wharf/s);
    const network = await inspectNetwork(w.docker, subnetNetworkName(s1!));
    assert.equal(network?.Labels?.["com.wharf.managed"], "true");
    const [s1Doc] = (await w.h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s1!] }))).Subnets!;
    assert.equal(network?.IPAM.Config?.[0]?.Subnet, s1Doc!.CidrBlock, "the Docker network is the EC2 subnet's block");
    assert.equal(network?.IPAM.Config?.[0]?.Gateway, s1Doc!.CidrBlock!.replace(/\.0\/20$/, ".1"));
    assert.ok(s1Doc!.CidrBlock!.startsWith(w.h.defaultVpcCidr.split(".").slice(0, 2).join(".") + "."), "inside the default VPC");
    assert.equal(a, s1Doc!.CidrBlock!.replace(/\.0\/20$/, ".4"), "the first task address: .0-.3 are AWS's");
    // One pause container per task, on the subnet's network with the task's address and MAC.
    const pauses = await w.docker.listContainers({ [ECS_LABELS.containerName]: PAUSE_CONTAINER_NAME, [ECS_LABELS.taskArn]: arns[0]! });
    assert.equal(pauses.length, 1);
    assert.match(pauses[0]!.Names[0]!, /^\/ecs-vpc-nginx-1-internalecspause-[0-9a-f]{20}$/);
    const pause = (await w.docker.inspectContainer(pauses[0]!.Id)) as unknown as {
      NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> };
    };
    const ep = pause.NetworkSettings.Networks[subnetNetworkName(s1!)]!;
    assert.equal(ep.IPAddress, detail(tasks[0]!, "privateIPv4Address"));
    assert.equal(ep.MacAddress, detail(tasks[0]!, "macAddress"));
    const app = await w.docker.inspectContainer(tasks[0]!.containers![0]!.runtimeId!);
    assert.equal(app.HostConfig.NetworkMode, `container:${pauses[0]!.Id}`);

    // The instance holds 2 task ENIs (3 minus the primary): a third awsvpc task does not fit.
    const full = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "vpc-dogs", networkConfiguration: net([s2!]) }));
    assert.deepEqual(full.tasks, []);
    assert.deepEqual(full.failures, [{ arn: agent.containerInstanceArn, reason: "RESOURCE:ENI", detail: "no free ENI (awsvpc task address) slot" }]);
    // awsvpcTrunking raises the limit (10 for an instance of unknown type).
    await w.h.ecs.send(new PutAccountSettingDefaultCommand({ name: "awsvpcTrunking", value: "enabled" }));
    const dogs = await w.h.ecs.send(
      new StartTaskCommand({ cluster: w.cluster, taskDefinition: "vpc-dogs", containerInstances: [agent.containerInstanceArn], networkConfiguration: net([s2!]) }),
    );
    assert.deepEqual(dogs.failures, []);
    const [dogsTask] = await w.waitTasks([dogs.tasks![0]!.taskArn!], "RUNNING");
    assert.equal(detail(dogsTask!, "subnetId"), s2);
    assert.notEqual(detail(dogsTask!, "privateIPv4Address")!.split(".")[2], a.split(".")[2], "another subnet, another block");
    assert.match(await page(detail(dogsTask!, "privateIPv4Address")!), /^200 /);

    // Stopping frees the address: the next task in s1 gets the lowest free one again.
    await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arns[0]! }));
    const [stopped] = await w.waitTasks([arns[0]!], "STOPPED");
    assert.equal(stopped!.attachments![0]!.status, "DELETED");
    const again = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "vpc-nginx", networkConfiguration: net([s1!]) }));
    assert.equal(detail(again.tasks![0]!, "privateIPv4Address"), detail(stopped!, "privateIPv4Address"));

    // Stop everything: pause containers go with their tasks, the subnets' networks once unused.
    const all = [arns[1]!, dogsTask!.taskArn!, again.tasks![0]!.taskArn!];
    await w.waitTasks([again.tasks![0]!.taskArn!], "RUNNING");
    for (const task of all) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task }));
    await w.waitTasks(all, "STOPPED");
    const leftovers = async () =>
      (await w.docker.listContainers({ [ECS_LABELS.containerName]: PAUSE_CONTAINER_NAME })).filter((c) =>
        [...arns, ...all].includes(c.Labels[ECS_LABELS.taskArn]!),
      ).length +
      ((await inspectNetwork(w.docker, subnetNetworkName(s1!))) ? 1 : 0) +
      ((await inspectNetwork(w.docker, subnetNetworkName(s2!))) ? 1 : 0);
    await waitFor(async () => (await leftovers()) === 0, { what: "no pause container and no subnet network left", timeoutMs: 20_000 });
  });

  it("a two-container task reaches its sidecar on localhost, and survives an agent restart", async () => {
    const w = await world("vpc-pair");
    const agent = await w.agent();
    const [subnet] = await w.defaultSubnets(1);
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "vpc-pair",
        networkMode: "awsvpc",
        containerDefinitions: [
          { name: "web", image: "wharf-test/nginx:latest", memory: 32, portMappings: [{ containerPort: 80 }], stopTimeout: 1 },
          {
            name: "probe",
            image: "wharf-test/busybox:latest",
            memory: 16,
            essential: false,
            command: ["sh", "-c", "for i in $(seq 1 50); do wget -qO- http://localhost:80/ | grep -q Wharf && exit 0; sleep 0.1; done; exit 3"],
          },
        ],
      }),
    );
    // Through the aws CLI's shorthand syntax, as users write it.
    const run = await w.h.aws(
      "ecs", "run-task", "--cluster", w.cluster, "--task-definition", "vpc-pair",
      "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}],assignPublicIp=DISABLED}`,
    );
    assert.deepEqual(run.failures, []);
    const arn: string = run.tasks[0].taskArn;
    assert.equal(run.tasks[0].attachments[0].type, "ElasticNetworkInterface");
    await w.waitTasks([arn], "RUNNING");
    const probe = await waitFor(
      async () => (await w.describe([arn]))[0]!.containers!.find((c) => c.name === "probe" && c.lastStatus === "STOPPED"),
      { what: "the probe container STOPPED", timeoutMs: 20_000 },
    );
    assert.equal(probe.exitCode, 0, "the sidecar fetched the page from localhost:80");

    // Restart: the next agent adopts the task with its pause container; nothing is recreated.
    const ip = detail((await w.describe([arn]))[0]!, "privateIPv4Address")!;
    const before = await w.docker.listContainers({ [ECS_LABELS.taskArn]: arn });
    await agent.close();
    const next = await w.agent();
    assert.equal(next.containerInstanceArn, agent.containerInstanceArn);
    // The new agent has taken the listing and brought the task to RUNNING again (it would
    // have created any container it did not adopt before that).
    await waitFor(() => next.engine.task(arn)?.status === "RUNNING", { what: "the new agent to adopt the task" });
    const [still] = await w.waitTasks([arn], "RUNNING");
    assert.equal(still!.lastStatus, "RUNNING");
    const afterIds = (await w.docker.listContainers({ [ECS_LABELS.taskArn]: arn })).map((c) => c.Id).sort();
    assert.deepEqual(afterIds, before.map((c) => c.Id).sort(), "same containers, pause included");
    assert.match(await page(ip), /^200 /);
    await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arn }));
    await w.waitTasks([arn], "STOPPED");
    await waitFor(async () => (await w.docker.listContainers({ [ECS_LABELS.taskArn]: arn })).length === 0, {
      what: "the task's containers, the adopted pause container too, removed",
      timeoutMs: 20_000,
    });
  });
});
