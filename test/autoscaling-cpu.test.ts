import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type BurnWorld, burnWorld } from "./helpers/cpu-burn.js";
import { waitFor } from "./helpers/wait.js";

interface CliTask {
  taskArn: string;
  lastStatus: string;
  startedAt?: string;
  containers: { runtimeId?: string }[];
}

/**
 * Issue 16's Done-means with the real AWS CLI, a real agent and real Docker: a container that
 * burns CPU makes AWS/ECS CPUUtilization rise, the target-tracking alarm fires and the service
 * scales out; the burn stops, the Low alarm fires and it scales back in, sparing a protected task.
 */
describe("CPU target tracking from real container usage (aws CLI, real Docker)", () => {
  let w: BurnWorld | undefined;
  after(async () => w?.close());

  it("burning CPU scales the service out; stopping scales it in; a protected task survives; the CPU series is in CloudWatch", async () => {
    w = await burnWorld();
    const { h, cluster, resourceId } = w;
    const tasks = async (): Promise<CliTask[]> => {
      const arns = (await h.aws("ecs", "list-tasks", "--cluster", cluster, "--service-name", "web")).taskArns as string[];
      if (!arns.length) return [];
      return (await h.aws("ecs", "describe-tasks", "--cluster", cluster, "--tasks", ...arns)).tasks as CliTask[];
    };
    const running = async () => (await tasks()).filter((t) => t.lastStatus === "RUNNING" && t.containers[0]?.runtimeId);
    const [first] = await waitFor(async () => ((await running()).length === 1 ? running() : undefined), { what: "the service's task RUNNING", timeoutMs: 120_000 });

    await h.aws("application-autoscaling", "register-scalable-target", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount",
      "--resource-id", resourceId, "--min-capacity", "1", "--max-capacity", "4");
    await h.aws("application-autoscaling", "put-scaling-policy", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount",
      "--resource-id", resourceId, "--policy-name", "cpu50", "--policy-type", "TargetTrackingScaling",
      "--target-tracking-scaling-policy-configuration", JSON.stringify({
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        ScaleOutCooldown: 5,
        ScaleInCooldown: 5,
      }));
    const dims = ["Name=ClusterName,Value=" + cluster, "Name=ServiceName,Value=web"];
    const cpuStats = async (stat: string) => {
      const end = new Date(Date.now() + 10_000).toISOString();
      const start = new Date(Date.now() - 30 * 60_000).toISOString();
      const out = await h.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization", "--dimensions", ...dims,
        "--start-time", start, "--end-time", end, "--period", "10", "--statistics", stat, "SampleCount");
      // aws CLI v1 prints the wire's epoch seconds, v2 ISO 8601: either sorts by time.
      const at = (t: string | number) => (typeof t === "number" ? t * 1000 : Date.parse(t));
      return (out.Datapoints as { Timestamp: string | number; Average?: number; Maximum?: number; SampleCount: number; Unit: string }[]).sort((a, b) => at(a.Timestamp) - at(b.Timestamp));
    };
    // Idle first: the series exists, low.
    const idle = await waitFor(async () => {
      const d = await cpuStats("Average");
      return d.length >= 2 ? d : undefined;
    }, { what: "idle CPUUtilization datapoints", timeoutMs: 60_000 });
    assert.ok(idle.every((p) => p.Unit === "Percent" && p.Average! < 50 && p.SampleCount >= 1), JSON.stringify(idle));

    // Burn: one core against a 256-unit reservation (quota-capped at the reservation) is far above 50 %.
    await w.burn(first!.containers[0]!.runtimeId!, true);
    const hot = await waitFor(async () => {
      const d = await cpuStats("Maximum");
      return d.some((p) => p.Maximum! > 80) ? d : undefined;
    }, { what: "CPUUtilization above 80 %", timeoutMs: 60_000 });
    const activities = async () =>
      (await h.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", resourceId)).ScalingActivities as {
        Cause: string;
        Description: string;
        StatusCode: string;
      }[];
    const out = await waitFor(async () => (await activities()).find((a) => /AlarmHigh/.test(a.Cause)), { what: "a scale-out activity", timeoutMs: 180_000 });
    assert.match(out.Cause, new RegExp(`^monitor alarm TargetTracking-${resourceId}-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy cpu50$`));
    assert.match(out.Description, /^Setting desired count to [2-4]\.$/);
    assert.equal(out.StatusCode, "Successful");
    const alarm = (await h.aws("cloudwatch", "describe-alarms", "--alarm-name-prefix", `TargetTracking-${resourceId}-AlarmHigh`)).MetricAlarms[0];
    assert.equal(alarm.Namespace, "AWS/ECS");
    assert.equal(alarm.MetricName, "CPUUtilization");
    const history = (await h.aws("cloudwatch", "describe-alarm-history", "--alarm-name", alarm.AlarmName, "--history-item-type", "StateUpdate")).AlarmHistoryItems as { HistorySummary: string; HistoryData: string }[];
    const toAlarm = history.find((i) => /to ALARM/.test(i.HistorySummary));
    assert.ok(toAlarm, JSON.stringify(history));
    assert.match(JSON.parse(toAlarm.HistoryData).newState.stateReason, /^Threshold Crossed: .*greater than the threshold \(50\.0\)/);
    const scaled = await waitFor(async () => {
      const r = await running();
      return r.length >= 2 ? r : undefined;
    }, { what: "more tasks RUNNING", timeoutMs: 120_000 });

    // Protect a task the scale-in would otherwise stop (the newest is stopped first).
    const newest = [...scaled].sort((a, b) => String(b.startedAt ?? "").localeCompare(String(a.startedAt ?? "")))[0]!;
    assert.notEqual(newest.taskArn, first!.taskArn);
    const prot = await h.aws("ecs", "update-task-protection", "--cluster", cluster, "--tasks", newest.taskArn, "--protection-enabled", "--expires-in-minutes", "60");
    assert.equal(prot.protectedTasks[0].protectionEnabled, true);

    // Stop the burn: the Low alarm (15 of 15 low datapoints) fires and the service scales in to 1.
    await w.burn(first!.containers[0]!.runtimeId!, false);
    const inAct = await waitFor(async () => (await activities()).find((a) => /AlarmLow/.test(a.Cause) && /desired count to 1\./.test(a.Description)), {
      what: "a scale-in activity to 1",
      timeoutMs: 360_000,
    });
    assert.equal(inAct.StatusCode, "Successful");
    const left = await waitFor(async () => {
      const ts = await tasks();
      const live = ts.filter((t) => t.lastStatus !== "STOPPED");
      return live.length === 1 ? live : undefined;
    }, { what: "one task left", timeoutMs: 120_000 });
    assert.equal(left[0]!.taskArn, newest.taskArn, "the protected task is the one kept");
    assert.equal(left[0]!.lastStatus, "RUNNING");
    const svc = (await h.aws("ecs", "describe-services", "--cluster", cluster, "--services", "web")).services[0];
    assert.equal(svc.desiredCount, 1);

    // The whole CPU series: idle, hot, idle again; the cluster-wide series exists too.
    const all = await cpuStats("Maximum");
    assert.ok(all.some((p) => p.Maximum! > 80) && all[all.length - 1]!.Maximum! < 50, JSON.stringify(all.slice(-5)));
    const listed = await h.aws("cloudwatch", "list-metrics", "--namespace", "AWS/ECS");
    const names = (listed.Metrics as { MetricName: string; Dimensions: { Name: string }[] }[]).map((m) => `${m.MetricName}:${m.Dimensions.map((d) => d.Name).join(",")}`).sort();
    assert.deepEqual(names, ["CPUUtilization:ClusterName", "CPUUtilization:ClusterName,ServiceName", "MemoryUtilization:ClusterName", "MemoryUtilization:ClusterName,ServiceName"]);
  });
});
