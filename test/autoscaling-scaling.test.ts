import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startAgent } from "../src/agent/agent.js";
import { hex, ownLoopbackIp, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf } from "./helpers/harness.js";
import { MemoryAlarms } from "./helpers/memory-alarms.js";
import { until } from "./helpers/service-world.js";

/**
 * A target-tracking policy moving the desiredCount of a real service (real agent, real Docker).
 * CloudWatch's alarm evaluation is not wired on this branch: the test fires the policy's own alarms
 * through the invoker as the evaluator would (an in-memory AlarmRegistry holds them).
 */
describe("Application Auto Scaling scales a real service (real Docker)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it("the high alarm scales 1 → 3 tasks RUNNING, the low alarm back to 1, with activities saying why", async () => {
    const alarms = new MemoryAlarms();
    const h = await startTestWharf({ server: { serviceParams: { healthyAfterMs: 1_000 }, autoscaling: { alarms, alarmPeriodS: 10 } } });
    cleanups.push(() => h.close());
    const cluster = `aas-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const dir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    const agent = await startAgent({ endpoint: h.server.url, cluster, dataDir: dir, hostIp: ownLoopbackIp(), credentials: h.server.credentials, pollWaitMs: 5_000 });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    cleanups.push(() => agent.close());
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "aas-app",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["sleep", "3600"], memory: 32, cpu: 16, stopTimeout: 2, essential: true }],
      }),
    );
    await h.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "aas-app", desiredCount: 1 }));
    const runningTasks = async (): Promise<number> => {
      const arns = (await h.ecs.send(new ListTasksCommand({ cluster, serviceName: "web", desiredStatus: "RUNNING" }))).taskArns ?? [];
      if (!arns.length) return 0;
      return ((await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter((t) => t.lastStatus === "RUNNING").length;
    };
    const service = async () => (await h.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0]!;
    await until("one running task", async () => ((await runningTasks()) === 1 ? true : undefined), 120_000);

    const aas = new ApplicationAutoScalingClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    cleanups.push(async () => aas.destroy());
    const rid = `service/${cluster}/web`;
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", ResourceId: rid, MinCapacity: 1, MaxCapacity: 4 }));
    const put = await aas.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: "ecs",
        ScalableDimension: "ecs:service:DesiredCount",
        ResourceId: rid,
        PolicyName: "cpu50",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, ScaleOutCooldown: 0, ScaleInCooldown: 0 },
      }),
    );
    const high = put.Alarms!.find((a) => a.AlarmName!.includes("-AlarmHigh-"))!.AlarmName!;
    const low = put.Alarms!.find((a) => a.AlarmName!.includes("-AlarmLow-"))!.AlarmName!;
    assert.equal(alarms.alarms.get(high)!.Period, 10);

    // 1 task at 140 % of its reservation with a 50 % target: ceil(1 × 140 / 50) = 3.
    assert.deepEqual(await h.server.autoscaling.invoker.run(alarms.events(high, 140)[0]!), { outcome: "scaled", from: 1, to: 3 });
    await until("three running tasks", async () => ((await runningTasks()) === 3 && (await service()).runningCount === 3 ? true : undefined), 120_000);

    // Load gone: 3 tasks at 10 % → ceil(3 × 10 / 50) = 1.
    assert.deepEqual(await h.server.autoscaling.invoker.run(alarms.events(low, 10)[0]!), { outcome: "scaled", from: 3, to: 1 });
    await until("back to one running task", async () => ((await runningTasks()) === 1 && (await service()).runningCount === 1 ? true : undefined), 120_000);

    const acts = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: rid }))).ScalingActivities!;
    assert.deepEqual(
      acts.map((a) => [a.Description, a.Cause, a.StatusCode]),
      [
        ["Setting desired count to 1.", `monitor alarm ${low} in state ALARM triggered policy cpu50`, "Successful"],
        ["Setting desired count to 3.", `monitor alarm ${high} in state ALARM triggered policy cpu50`, "Successful"],
      ],
    );
  });
});
