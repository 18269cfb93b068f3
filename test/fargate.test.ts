import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { RunningAgent } from "../src/agent/agent.js";
import { taskCgroupParent } from "../src/agent/limits.js";
import { AgentWorld, waitLogs } from "./helpers/agent-tasks.js";

/**
 * Fargate as a user meets it: the `aws` CLI and the SDK against a control plane whose managed
 * capacity is one real agent (`wharf agent --fargate` in-process) on the real Docker Engine.
 */

const run = promisify(execFile);
const BUSYBOX = "wharf-test/busybox:latest";
const CG = "/sys/fs/cgroup";
const eni = (t: Task, name: string) =>
  (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")?.details?.find((d) => d.name === name)?.value;

async function page(ip: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1000) });
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe("Fargate: tasks on Wharf's managed capacity (real Docker)", () => {
  const w = new AgentWorld();
  let pool: RunningAgent;
  let subnetA = "";
  let subnetB = "";
  const fargateDef = (family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: BUSYBOX, command: ["sleep", "3600"], stopTimeout: 1 }],
    ...extra,
  });
  const vpc = () => ({ awsvpcConfiguration: { subnets: [subnetA, subnetB] } });

  before(async () => {
    await w.start("fargate");
    // Two default subnets: us-east-1a and us-east-1b.
    [subnetA, subnetB] = (await w.defaultSubnets(2)) as [string, string];
    pool = await w.agent({ fargate: true });
  });
  after(() => w.close());

  it("refuses what Fargate cannot run, with ECS's exception types and messages", async () => {
    const register = (input: RegisterTaskDefinitionCommandInput) =>
      w.h.ecs.send(new RegisterTaskDefinitionCommand(input)).then(
        () => assert.fail(`registered ${input.family}`),
        (e: Error) => e,
      );
    const refusedTd = async (extra: Partial<RegisterTaskDefinitionCommandInput>, message: string | RegExp) => {
      const err = await register(fargateDef(`refuse-${Math.random().toString(16).slice(2, 8)}`, extra));
      assert.equal(err.name, "ClientException", String(extra));
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
    };
    await refusedTd({ networkMode: "bridge" }, "Fargate only supports network mode ‘awsvpc’.");
    await refusedTd({ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level.");
    await refusedTd({ cpu: "256", memory: "4096" }, /No Fargate configuration exists for given values/);
    await refusedTd(
      { containerDefinitions: [{ name: "p", image: BUSYBOX, privileged: true }] },
      /privileged/i,
    );
    await refusedTd(
      { volumes: [{ name: "h", host: { sourcePath: "/tmp" } }], containerDefinitions: [{ name: "a", image: BUSYBOX }] },
      /sourcePath|host/i,
    );
    await refusedTd(
      { containerDefinitions: [{ name: "a", image: BUSYBOX, links: ["b"] }, { name: "b", image: BUSYBOX }] },
      /links/i,
    );
    await refusedTd(
      { containerDefinitions: [{ name: "a", image: BUSYBOX, resourceRequirements: [{ type: "GPU", value: "1" }] }] },
      /GPU/i,
    );
    await refusedTd(
      { containerDefinitions: [{ name: "a", image: BUSYBOX, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] },
      /hostPort|host port/i,
    );
    const storage = "The ephemeral storage size specified is invalid. Specify a value between 21 and 200 GiB.";
    await refusedTd({ ephemeralStorage: { sizeInGiB: 20 } }, storage);
    await refusedTd({ ephemeralStorage: { sizeInGiB: 201 } }, storage);

    await w.h.ecs.send(new RegisterTaskDefinitionCommand(fargateDef("fg-ok")));
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "fg-ec2-only",
        networkMode: "bridge",
        containerDefinitions: [{ name: "a", image: BUSYBOX, memory: 32 }],
      }),
    );
    await w.h.ecs.send(new RegisterTaskDefinitionCommand(fargateDef("fg-arm", { runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" } })));
    const refusedRun = async (input: Partial<RunTaskCommandInput>, message: string | RegExp) => {
      const err = await w.h.ecs
        .send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "fg-ok", launchType: "FARGATE", networkConfiguration: vpc(), ...input }))
        .then(
          () => assert.fail(`RunTask ran ${JSON.stringify(input)}`),
          (e: Error) => e,
        );
      assert.equal(err.name, "InvalidParameterException", JSON.stringify(input));
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
    };
    await refusedRun({ networkConfiguration: undefined }, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    await refusedRun({ networkConfiguration: { awsvpcConfiguration: { subnets: [] } } }, "subnets can not be empty.");
    await refusedRun({ taskDefinition: "fg-ec2-only", networkConfiguration: undefined }, "Task definition does not support launch_type FARGATE.");
    await refusedRun({ platformVersion: "1.2.0" }, "The specified platform version does not exist.");
    await refusedRun({ placementConstraints: [{ type: "distinctInstance" }] }, /Placement constraints are not supported/);
    await refusedRun({ placementStrategy: [{ type: "spread", field: "instanceId" }] }, /Placement strategies are not supported/);
    await refusedRun(
      { launchType: "FARGATE", capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] },
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    );
    await refusedRun(
      { launchType: undefined, taskDefinition: "fg-arm", capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] },
      /FARGATE_SPOT capacity provider does not support the ARM64/,
    );
    await refusedRun(
      { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: "my-asg-provider", weight: 1 }] },
      /not associated with the cluster/,
    );
  });

  it("the seed's sample-fargate.json, unchanged but for its image, serves its page at the task's private address (aws CLI)", async () => {
    const td = JSON.parse(readFileSync(join(process.cwd(), "examples", "sample-fargate.json"), "utf8"));
    // The stand-in image carries httpd-foreground and /usr/local/apache2/htdocs, as httpd:2.4 does.
    td.containerDefinitions[0].image = BUSYBOX;
    const file = join(w.agentDir, "sample-fargate.json");
    writeFileSync(file, JSON.stringify(td));
    await w.h.aws("ecs", "register-task-definition", "--cli-input-json", `file://${file}`);
    const out = await w.h.aws(
      "ecs", "run-task", "--cluster", w.cluster, "--task-definition", "sample-fargate", "--launch-type", "FARGATE",
      "--network-configuration", `awsvpcConfiguration={subnets=[${subnetA}],assignPublicIp=ENABLED}`,
    );
    assert.deepEqual(out.failures, []);
    const arn: string = out.tasks[0].taskArn;
    await w.h.aws("ecs", "wait", "tasks-running", "--cluster", w.cluster, "--tasks", arn);
    const [t] = await w.describe([arn]);
    assert.equal(t!.launchType, "FARGATE");
    assert.equal(t!.platformVersion, "1.4.0");
    assert.equal(t!.platformFamily, "Linux");
    assert.equal(t!.containerInstanceArn, undefined, "Fargate tasks name no container instance");
    assert.equal(t!.cpu, "256");
    assert.equal(t!.memory, "512");
    assert.deepEqual(t!.ephemeralStorage, { sizeInGiB: 20 });
    assert.equal(t!.availabilityZone, "us-east-1a", "the subnet's zone");
    assert.equal(eni(t!, "subnetId"), subnetA);
    const ip = eni(t!, "privateIPv4Address")!;
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.match(await page(ip), /Amazon ECS Sample App/);

    // The pool host runs it, yet no cluster lists it.
    const listed = await w.h.ecs.send(new ListContainerInstancesCommand({ cluster: w.cluster }));
    assert.deepEqual(listed.containerInstanceArns, []);
    const cluster = await w.h.aws("ecs", "describe-clusters", "--clusters", w.cluster);
    assert.equal(cluster.clusters[0].registeredContainerInstancesCount, 0);
    assert.equal(cluster.clusters[0].runningTasksCount, 1);
    await w.h.aws("ecs", "stop-task", "--cluster", w.cluster, "--task", arn);
  });

  it("the task size is a hard limit (task cgroup) and the metadata endpoint answers in Fargate's shape", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand(
        fargateDef("fg-meta", {
          ephemeralStorage: { sizeInGiB: 30 },
          containerDefinitions: [
            {
              name: "app",
              image: BUSYBOX,
              stopTimeout: 1,
              command: ["sh", "-c", 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task"; echo; echo END-META; while :; do :; done'],
            },
          ],
        }),
      ),
    );
    const res = await w.h.ecs.send(
      new RunTaskCommand({ cluster: w.cluster, taskDefinition: "fg-meta", launchType: "FARGATE", networkConfiguration: vpc() }),
    );
    const arn = res.tasks![0]!.taskArn!;
    const [t] = await w.waitTasks([arn], "RUNNING");
    assert.deepEqual(t!.ephemeralStorage, { sizeInGiB: 30 });
    const logs = await waitLogs(t!.containers![0]!.runtimeId!, "END-META");
    const meta = JSON.parse(logs.slice(0, logs.indexOf("END-META")).trim());
    assert.equal(meta.LaunchType, "FARGATE");
    assert.equal(meta.Cluster, t!.clusterArn);
    assert.equal(meta.TaskARN, arn);
    assert.deepEqual(meta.Limits, { CPU: 0.25, Memory: 512 });
    assert.equal(meta.AvailabilityZone, t!.availabilityZone);
    assert.equal(meta.EphemeralStorageMetrics.Reserved, 30 * 1024);
    assert.equal(typeof meta.EphemeralStorageMetrics.Utilized, "number");

    const parent = taskCgroupParent(arn);
    if (existsSync(join(CG, "cpu", parent))) {
      assert.equal(readFileSync(join(CG, "cpu", parent, "cpu.cfs_quota_us"), "utf8").trim(), "25000", "256 units = a quarter of a CPU");
      assert.equal(readFileSync(join(CG, "memory", parent, "memory.limit_in_bytes"), "utf8").trim(), String(512 * 1024 * 1024));
    }
    await w.h.aws("ecs", "stop-task", "--cluster", w.cluster, "--task", arn);
  });

  it("a task allocating past its task memory stops with ECS's OutOfMemoryError reason", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand(
        fargateDef("fg-hog", { containerDefinitions: [{ name: "hog", image: BUSYBOX, command: ["sh", "-c", "x=a; while true; do x=$x$x; done"] }] }),
      ),
    );
    const res = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "fg-hog", launchType: "FARGATE", networkConfiguration: vpc() }));
    const [t] = await w.waitTasks([res.tasks![0]!.taskArn!], "STOPPED", 60_000);
    assert.equal(t!.stopCode, "EssentialContainerExited");
    assert.equal(t!.containers![0]!.reason, "OutOfMemoryError: Container killed due to memory usage");
    assert.equal(t!.containers![0]!.exitCode, 137);
  });

  it("a service of 4 with FARGATE base=1 weight=1 and FARGATE_SPOT weight=3 runs 1 + 3, keeps the split when it heals", async () => {
    await w.h.ecs.send(new RegisterTaskDefinitionCommand(fargateDef("fg-svc")));
    const serviceName = "split";
    const created = await w.h.ecs.send(
      new CreateServiceCommand({
        cluster: w.cluster,
        serviceName,
        taskDefinition: "fg-svc",
        desiredCount: 4,
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
        networkConfiguration: vpc(),
      }),
    );
    assert.equal(created.service!.launchType, undefined, "a strategy, not a launch type");
    assert.deepEqual(
      created.service!.capacityProviderStrategy?.map((s) => [s.capacityProvider, s.base, s.weight]),
      [["FARGATE", 1, 1], ["FARGATE_SPOT", 0, 3]],
    );
    assert.equal(created.service!.platformVersion, "LATEST");
    const running = async (n: number) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const arns = (await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, serviceName, desiredStatus: "RUNNING" }))).taskArns ?? [];
        const tasks = arns.length ? await w.describe(arns) : [];
        if (tasks.length === n && tasks.every((t) => t.lastStatus === "RUNNING")) return tasks;
        if (Date.now() > deadline) throw new Error(`service has ${JSON.stringify(tasks.map((t) => t.lastStatus))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const split = (tasks: Task[]) => {
      const by: Record<string, number> = {};
      for (const t of tasks) by[t.capacityProviderName ?? "none"] = (by[t.capacityProviderName ?? "none"] ?? 0) + 1;
      return by;
    };
    const first = await running(4);
    assert.deepEqual(split(first), { FARGATE: 1, FARGATE_SPOT: 3 });
    assert.ok(first.every((t) => t.launchType === "FARGATE"));
    const zones = new Set(first.map((t) => eni(t, "subnetId")));
    assert.equal(zones.size, 2, "tasks spread over both subnets");

    // Kill the on-demand task's container: the service replaces it with another FARGATE task.
    const onDemand = first.find((t) => t.capacityProviderName === "FARGATE")!;
    await run("docker", ["kill", onDemand.containers![0]!.runtimeId!]);
    const deadline = Date.now() + 60_000;
    let healed: Task[];
    for (;;) {
      healed = await running(4);
      if (!healed.some((t) => t.taskArn === onDemand.taskArn)) break;
      if (Date.now() > deadline) throw new Error("the killed task was not replaced");
    }
    assert.deepEqual(split(healed), { FARGATE: 1, FARGATE_SPOT: 3 });

    // AWS reclaims a Spot task (`wharf spot-interrupt`): SpotInterruption, and a Spot task replaces it.
    const spot = healed.find((t) => t.capacityProviderName === "FARGATE_SPOT")!;
    const cli = await run(process.execPath, [join(process.cwd(), "bin", "wharf.js"), "spot-interrupt", "--cluster", w.cluster, "--task", spot.taskArn!], {
      env: { ...w.h.awsEnv, AWS_ENDPOINT_URL: w.h.server.url },
    });
    assert.match(cli.stdout, new RegExp(`interrupted ${spot.taskArn!.split("/").pop()}`));
    const [stopped] = await w.waitTasks([spot.taskArn!], "STOPPED");
    assert.equal(stopped!.stopCode, "SpotInterruption");
    assert.equal(stopped!.stoppedReason, "Your Spot Task was interrupted.");
    for (;;) {
      const now = await running(4);
      if (!now.some((t) => t.taskArn === spot.taskArn)) {
        assert.deepEqual(split(now), { FARGATE: 1, FARGATE_SPOT: 3 });
        break;
      }
    }
    // Only Spot tasks can be interrupted: an on-demand task is refused by name.
    const refused = await run(process.execPath, [join(process.cwd(), "bin", "wharf.js"), "spot-interrupt", "--cluster", w.cluster, "--task", onDemand.taskArn!], {
      env: { ...w.h.awsEnv, AWS_ENDPOINT_URL: w.h.server.url },
    }).then(
      () => assert.fail("interrupting an on-demand task succeeded"),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /NOT_A_RUNNING_FARGATE_SPOT_TASK|MISSING/);

    await w.h.ecs.send(new UpdateServiceCommand({ cluster: w.cluster, service: serviceName, desiredCount: 0 }));
    const svc = await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [serviceName] }));
    assert.equal(svc.services![0]!.desiredCount, 0);
    await running(0);
    assert.ok(pool.containerInstanceArn.includes("/.fargate/"), pool.containerInstanceArn);
  });
});
