import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  GetPredictiveScalingForecastCommand,
  ListTagsForResourceCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { MemoryAlarms } from "./helpers/memory-alarms.js";

const fail = async (p: Promise<unknown>): Promise<{ name: string; message: string }> => {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error("expected the call to fail");
};

const ECS = { ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount" } as const;

describe("Application Auto Scaling API (SDK and aws CLI)", () => {
  let w: TestWharf;
  let aas: ApplicationAutoScalingClient;
  const alarms = new MemoryAlarms();
  // The server's clock: real time plus what the test moves it by (kept well inside SigV4's 15 minutes).
  let offset = 0;
  const clock = { now: () => Date.now() + offset };

  const desired = async (service: string): Promise<number> =>
    (await w.ecs.send(new DescribeServicesCommand({ cluster: "aas", services: [service] }))).services![0]!.desiredCount!;

  before(async () => {
    w = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, clock, autoscaling: { alarms } } });
    aas = new ApplicationAutoScalingClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    await w.ecs.send(new CreateClusterCommand({ clusterName: "aas" }));
    await w.ecs.send(new RegisterTaskDefinitionCommand({ family: "aas-web", containerDefinitions: [{ name: "web", image: "wharf-test/sleeper", memory: 32 }] }));
    for (const name of ["web", "api", "cli"]) {
      await w.ecs.send(new CreateServiceCommand({ cluster: "aas", serviceName: name, taskDefinition: "aas-web", desiredCount: 1 }));
    }
  });
  after(async () => {
    await w?.close();
  });

  it("registers an ECS service's desired count, refusing other namespaces and missing services", async () => {
    const other = await fail(aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: "dynamodb", ResourceId: "table/t", ScalableDimension: "dynamodb:table:ReadCapacityUnits", MinCapacity: 1, MaxCapacity: 2 })));
    assert.deepEqual(other, { name: "ValidationException", message: "Unsupported service namespace, resource type or scalable dimension" });
    const missing = await fail(aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/nope", MinCapacity: 1, MaxCapacity: 2 })));
    assert.deepEqual(missing, { name: "ValidationException", message: "ECS service doesn't exist: service/aas/nope" });
    const inverted = await fail(aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/web", MinCapacity: 3, MaxCapacity: 2 })));
    assert.equal(inverted.name, "ValidationException");
    const fresh = await fail(aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/web" })));
    assert.equal(fresh.name, "ValidationException");
    const model = await fail(aas.send(new PutScalingPolicyCommand({ ...ECS, ResourceId: "service/aas/web", PolicyName: "x".repeat(300) })));
    assert.equal(model.name, "ValidationException");
    assert.match(model.message, /^1 validation error detected: Value '.*' at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 256$/);

    const reg = await aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/web", MinCapacity: 2, MaxCapacity: 5, Tags: { team: "a" } }));
    assert.match(reg.ScalableTargetARN!, new RegExp(`^arn:aws:application-autoscaling:us-east-1:${w.server.accountId}:scalable-target/[0-9a-f]{36}$`));
    // Below the new minimum, the service is brought up to it, and the activity says why.
    assert.equal(await desired("web"), 2);
    const acts = (await aas.send(new DescribeScalingActivitiesCommand({ ...ECS, ResourceId: "service/aas/web" }))).ScalingActivities!;
    assert.equal(acts.length, 1);
    assert.equal(acts[0]!.Description, "Setting desired count to 2.");
    assert.equal(acts[0]!.Cause, "minimum capacity was set to 2");
    assert.equal(acts[0]!.StatusCode, "Successful");
    assert.equal(acts[0]!.StatusMessage, "Successfully set desired count to 2. Change successfully fulfilled by ecs.");

    const t = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/aas/web"] }))).ScalableTargets!;
    assert.equal(t.length, 1);
    assert.equal(t[0]!.MinCapacity, 2);
    assert.equal(t[0]!.MaxCapacity, 5);
    assert.equal(t[0]!.RoleARN, `arn:aws:iam::${w.server.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`);
    assert.deepEqual(t[0]!.SuspendedState, { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
    assert.ok(t[0]!.CreationTime instanceof Date);

    // An update changes only what it names.
    await aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/web", SuspendedState: { ScheduledScalingSuspended: true } }));
    const t2 = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/aas/web"] }))).ScalableTargets![0]!;
    assert.equal(t2.MinCapacity, 2);
    assert.equal(t2.SuspendedState!.ScheduledScalingSuspended, true);
    assert.equal(t2.ScalableTargetARN, reg.ScalableTargetARN);
    await aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/web", SuspendedState: { ScheduledScalingSuspended: false } }));

    // Tags live on the scalable target.
    await aas.send(new TagResourceCommand({ ResourceARN: reg.ScalableTargetARN, Tags: { env: "dev" } }));
    await aas.send(new UntagResourceCommand({ ResourceARN: reg.ScalableTargetARN, TagKeys: ["team"] }));
    assert.deepEqual((await aas.send(new ListTagsForResourceCommand({ ResourceARN: reg.ScalableTargetARN }))).Tags, { env: "dev" });
    const noTarget = await fail(aas.send(new ListTagsForResourceCommand({ ResourceARN: reg.ScalableTargetARN!.replace(/.{4}$/, "0000") })));
    assert.equal(noTarget.name, "ResourceNotFoundException");

    const forecast = await fail(aas.send(new GetPredictiveScalingForecastCommand({ ...ECS, ResourceId: "service/aas/web", PolicyName: "p", StartTime: new Date(), EndTime: new Date() })));
    assert.equal(forecast.name, "UnsupportedFeatureException");
  });

  it("target tracking creates its alarms as AWS names them and moves desiredCount when they fire", async () => {
    const rid = "service/aas/web";
    const noTarget = await fail(aas.send(new PutScalingPolicyCommand({ ...ECS, ResourceId: "service/aas/api", PolicyName: "cpu", PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } } })));
    assert.deepEqual(noTarget, { name: "ObjectNotFoundException", message: "No scalable target registered for service namespace: ecs, resource ID: service/aas/api, scalable dimension: ecs:service:DesiredCount" });
    const alb = await fail(aas.send(new PutScalingPolicyCommand({ ...ECS, ResourceId: rid, PolicyName: "alb", PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget" } } })));
    assert.equal(alb.name, "ValidationException");

    const put = await aas.send(
      new PutScalingPolicyCommand({
        ...ECS,
        ResourceId: rid,
        PolicyName: "cpu50",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, ScaleOutCooldown: 60, ScaleInCooldown: 60 },
      }),
    );
    assert.match(put.PolicyARN!, new RegExp(`^arn:aws:autoscaling:us-east-1:${w.server.accountId}:scalingPolicy:[0-9a-f-]{36}:resource/ecs/service/aas/web:policyName/cpu50$`));
    const uuid = put.PolicyARN!.split(":")[6]!;
    const names = put.Alarms!.map((a) => a.AlarmName).sort();
    assert.deepEqual(names, [`TargetTracking-service/aas/web-AlarmHigh-${uuid}`, `TargetTracking-service/aas/web-AlarmLow-${uuid}`]);
    const high = alarms.alarms.get(names[0]!)!;
    const low = alarms.alarms.get(names[1]!)!;
    assert.deepEqual(
      { ns: high.Namespace, m: high.MetricName, dims: high.Dimensions, stat: high.Statistic, p: high.Period, e: high.EvaluationPeriods, d: high.DatapointsToAlarm, t: high.Threshold, c: high.ComparisonOperator, a: high.AlarmActions },
      { ns: "AWS/ECS", m: "CPUUtilization", dims: [{ Name: "ClusterName", Value: "aas" }, { Name: "ServiceName", Value: "web" }], stat: "Average", p: 60, e: 3, d: 3, t: 50, c: "GreaterThanThreshold", a: [put.PolicyARN] },
    );
    assert.deepEqual({ e: low.EvaluationPeriods, d: low.DatapointsToAlarm, t: low.Threshold, c: low.ComparisonOperator }, { e: 15, d: 15, t: 45, c: "LessThanThreshold" });
    assert.equal(high.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${put.PolicyARN}.`);

    const described = (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: rid }))).ScalingPolicies!;
    assert.equal(described.length, 1);
    assert.equal(described[0]!.PolicyType, "TargetTrackingScaling");
    assert.equal(described[0]!.TargetTrackingScalingPolicyConfiguration!.TargetValue, 50);
    assert.equal(described[0]!.Alarms!.length, 2);

    // The high alarm fires at 100 % CPU with 2 tasks: 2 × 100 / 50 = 4.
    const now = clock.now();
    const [ev] = alarms.events(names[0]!, 100, now);
    assert.deepEqual(await w.server.autoscaling.invoker.run(ev!), { outcome: "scaled", from: 2, to: 4 });
    assert.equal(await desired("web"), 4);
    // Within the scale-out cooldown a larger scale-out still happens (4 × 100 / 50 = 8, clamped to 5)…
    assert.deepEqual(await w.server.autoscaling.invoker.run(alarms.events(names[0]!, 100, now + 1000)[0]!), { outcome: "scaled", from: 4, to: 5 });
    // …then the maximum holds it, recorded as a not-scaled activity.
    assert.deepEqual(await w.server.autoscaling.invoker.run(alarms.events(names[0]!, 100, now + 2000)[0]!), { outcome: "not-scaled", code: "AlreadyAtMaxCapacity" });
    // The low alarm during the scale-out cooldown does nothing; after it, scales in (5 × 20 / 50 = 2).
    assert.deepEqual(await w.server.autoscaling.invoker.run(alarms.events(names[1]!, 20, now + 3000)[0]!), { outcome: "held", why: "cooldown" });
    assert.deepEqual(await w.server.autoscaling.invoker.run(alarms.events(names[1]!, 20, now + 70_000)[0]!), { outcome: "scaled", from: 5, to: 2 });
    // OK and INSUFFICIENT_DATA never run a policy.
    assert.equal((await w.server.autoscaling.invoker.run(alarms.events(names[0]!, 100, now + 80_000, "OK")[0]!)).outcome, "ignored");

    const acts = (await aas.send(new DescribeScalingActivitiesCommand({ ...ECS, ResourceId: rid }))).ScalingActivities!;
    assert.deepEqual(acts.slice(0, 3).map((a) => a.Description), ["Setting desired count to 2.", "Setting desired count to 5.", "Setting desired count to 4."]);
    assert.equal(acts[2]!.Cause, `monitor alarm ${names[0]} in state ALARM triggered policy cpu50`);
    assert.equal(acts[0]!.Cause, `monitor alarm ${names[1]} in state ALARM triggered policy cpu50`);
    const withNot = (await aas.send(new DescribeScalingActivitiesCommand({ ...ECS, ResourceId: rid, IncludeNotScaledActivities: true }))).ScalingActivities!;
    const notScaled = withNot.find((a) => a.NotScaledReasons?.length);
    assert.deepEqual(notScaled!.NotScaledReasons, [{ Code: "AlreadyAtMaxCapacity", CurrentCapacity: 5, MaxCapacity: 5 }]);

    // DisableScaleIn drops the low alarm; deleting the policy deletes the rest.
    await aas.send(
      new PutScalingPolicyCommand({
        ...ECS,
        ResourceId: rid,
        PolicyName: "cpu50",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, DisableScaleIn: true },
      }),
    );
    assert.ok(alarms.alarms.has(names[0]!));
    assert.ok(!alarms.alarms.has(names[1]!));
    await aas.send(new DeleteScalingPolicyCommand({ ...ECS, ResourceId: rid, PolicyName: "cpu50" }));
    assert.ok(!alarms.alarms.has(names[0]!));
    const gone = await fail(aas.send(new DeleteScalingPolicyCommand({ ...ECS, ResourceId: rid, PolicyName: "cpu50" })));
    assert.deepEqual(gone, { name: "ObjectNotFoundException", message: "No scaling policy found for service namespace: ecs, resource ID: service/aas/web, scalable dimension: ecs:service:DesiredCount, policy name: cpu50" });

    // ALBRequestCountPerTarget tracks the target group of its ResourceLabel; customized metrics as given.
    const albPut = await aas.send(
      new PutScalingPolicyCommand({
        ...ECS,
        ResourceId: rid,
        PolicyName: "alb",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget", ResourceLabel: "app/lb/0123456789abcdef/targetgroup/tg/fedcba9876543210" } },
      }),
    );
    const albHigh = alarms.alarms.get(albPut.Alarms!.find((a) => a.AlarmName!.includes("AlarmHigh"))!.AlarmName!)!;
    assert.deepEqual([albHigh.Namespace, albHigh.MetricName, albHigh.Statistic, albHigh.Dimensions], ["AWS/ApplicationELB", "RequestCountPerTarget", "Sum", [{ Name: "TargetGroup", Value: "targetgroup/tg/fedcba9876543210" }]]);
    const custom = await aas.send(
      new PutScalingPolicyCommand({
        ...ECS,
        ResourceId: rid,
        PolicyName: "queue",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, CustomizedMetricSpecification: { Namespace: "App", MetricName: "Backlog", Statistic: "Maximum", Dimensions: [{ Name: "Queue", Value: "q" }] } },
      }),
    );
    const cHigh = alarms.alarms.get(custom.Alarms![0]!.AlarmName!)!;
    assert.deepEqual([cHigh.Namespace, cHigh.MetricName, cHigh.Statistic], ["App", "Backlog", "Maximum"]);
  });

  it("step scaling picks the step of the breach, with AWS's rounding and bounds", async () => {
    const rid = "service/aas/api";
    await aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: rid, MinCapacity: 1, MaxCapacity: 10 }));
    const overlap = await fail(
      aas.send(new PutScalingPolicyCommand({ ...ECS, ResourceId: rid, PolicyName: "s", StepScalingPolicyConfiguration: { AdjustmentType: "ChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 }] } })),
    );
    assert.equal(overlap.name, "ValidationException");
    const put = await aas.send(
      new PutScalingPolicyCommand({
        ...ECS,
        ResourceId: rid,
        PolicyName: "out",
        PolicyType: "StepScaling",
        StepScalingPolicyConfiguration: {
          AdjustmentType: "ChangeInCapacity",
          Cooldown: 0,
          MetricAggregationType: "Average",
          StepAdjustments: [
            { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
            { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
          ],
        },
      }),
    );
    assert.equal(put.Alarms, undefined);
    const event = (value: number, at: number) => ({
      accountId: w.server.accountId,
      region: "us-east-1",
      actionArn: put.PolicyARN!,
      alarmName: "api-cpu-high",
      alarmArn: `arn:aws:cloudwatch:us-east-1:${w.server.accountId}:alarm:api-cpu-high`,
      state: "ALARM" as const,
      reason: `Threshold Crossed: 1 datapoint [${value}] was greater than the threshold (60.0).`,
      value,
      at,
    });
    const now = clock.now();
    // 70 − 60 = 10: the first step, +1.
    assert.deepEqual(await w.server.autoscaling.invoker.run(event(70, now)), { outcome: "scaled", from: 1, to: 2 });
    // 95 − 60 = 35: the second step, +3.
    assert.deepEqual(await w.server.autoscaling.invoker.run(event(95, now + 1)), { outcome: "scaled", from: 2, to: 5 });
    const acts = (await aas.send(new DescribeScalingActivitiesCommand({ ...ECS, ResourceId: rid }))).ScalingActivities!;
    assert.equal(acts[0]!.Cause, "monitor alarm api-cpu-high in state ALARM triggered policy out");
    // Suspending dynamic scale-out holds it.
    await aas.send(new RegisterScalableTargetCommand({ ...ECS, ResourceId: rid, SuspendedState: { DynamicScalingOutSuspended: true } }));
    assert.deepEqual(await w.server.autoscaling.invoker.run(event(95, now + 2)), { outcome: "held", why: "suspended" });
    assert.equal(await desired("api"), 5);
  });

  it("scheduled actions run at(...) in their time zone and set min/max", async () => {
    const rid = "service/aas/api";
    const bad = await fail(aas.send(new PutScheduledActionCommand({ ...ECS, ResourceId: rid, ScheduledActionName: "x", Schedule: "cron(0 9 * * * *)" })));
    assert.equal(bad.name, "ValidationException");
    const badTz = await fail(aas.send(new PutScheduledActionCommand({ ...ECS, ResourceId: rid, ScheduledActionName: "x", Schedule: "rate(5 minutes)", Timezone: "Mars/Olympus" })));
    assert.equal(badTz.name, "ValidationException");
    // One minute from now, written as Seoul's wall-clock time.
    const at = new Date(clock.now() + 60_000);
    const seoul = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(at).replace(" ", "T");
    await aas.send(new PutScheduledActionCommand({ ...ECS, ResourceId: rid, ScheduledActionName: "night", Schedule: `at(${seoul})`, Timezone: "Asia/Seoul", ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 } }));
    const listed = (await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs", ResourceId: rid }))).ScheduledActions!;
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.Schedule, `at(${seoul})`);
    assert.equal(listed[0]!.Timezone, "Asia/Seoul");
    assert.match(listed[0]!.ScheduledActionARN!, /^arn:aws:autoscaling:us-east-1:\d{12}:scheduledAction:[0-9a-f-]{36}:resource\/ecs\/service\/aas\/api:scheduledActionName\/night$/);
    assert.equal(await w.server.autoscaling.tick(), 0);
    offset += 120_000;
    assert.equal(await w.server.autoscaling.tick(), 1);
    assert.equal(await desired("api"), 2);
    const t = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [rid] }))).ScalableTargets![0]!;
    assert.deepEqual([t.MinCapacity, t.MaxCapacity], [1, 2]);
    const act = (await aas.send(new DescribeScalingActivitiesCommand({ ...ECS, ResourceId: rid }))).ScalingActivities![0]!;
    assert.equal(act.Cause, "scheduled action name night was triggered");
    assert.equal(act.Description, "Setting desired count to 2.");
    // It ran once.
    offset += 60_000;
    assert.equal(await w.server.autoscaling.tick(), 0);
    await aas.send(new DeleteScheduledActionCommand({ ...ECS, ResourceId: rid, ScheduledActionName: "night" }));
    const gone = await fail(aas.send(new DeleteScheduledActionCommand({ ...ECS, ResourceId: rid, ScheduledActionName: "night" })));
    assert.equal(gone.name, "ObjectNotFoundException");
  });

  it("the aws CLI: targets, policies, scheduled actions, activities; deregistering removes them", async () => {
    const rid = "service/aas/cli";
    await w.aws("application-autoscaling", "register-scalable-target", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", rid, "--min-capacity", "1", "--max-capacity", "4");
    const targets = await w.aws("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", rid);
    assert.equal(targets.ScalableTargets[0].MaxCapacity, 4);
    const pol = await w.aws(
      "application-autoscaling", "put-scaling-policy", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", rid,
      "--policy-name", "cpu", "--policy-type", "TargetTrackingScaling",
      "--target-tracking-scaling-policy-configuration", JSON.stringify({ TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" } }),
    );
    assert.equal(pol.Alarms.length, 2);
    assert.equal(alarms.alarms.get(pol.Alarms[0].AlarmName)!.MetricName, "MemoryUtilization");
    await w.aws("application-autoscaling", "put-scheduled-action", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", rid,
      "--scheduled-action-name", "mornings", "--schedule", "cron(0 9 ? * MON-FRI *)", "--timezone", "Europe/Paris", "--scalable-target-action", "MinCapacity=2,MaxCapacity=4");
    const sched = await w.aws("application-autoscaling", "describe-scheduled-actions", "--service-namespace", "ecs", "--resource-id", rid);
    assert.equal(sched.ScheduledActions[0].Schedule, "cron(0 9 ? * MON-FRI *)");
    const policies = await w.aws("application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs", "--resource-id", rid);
    assert.equal(policies.ScalingPolicies[0].PolicyName, "cpu");
    await w.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", rid);
    await w.aws("application-autoscaling", "deregister-scalable-target", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", rid);
    assert.ok(!alarms.alarms.has(pol.Alarms[0].AlarmName));
    assert.deepEqual((await w.aws("application-autoscaling", "describe-scheduled-actions", "--service-namespace", "ecs", "--resource-id", rid)).ScheduledActions, []);
    const err = await w.awsError("application-autoscaling", "deregister-scalable-target", "--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", rid);
    assert.equal(err.code, "ObjectNotFoundException");
    await aas.send(new DeregisterScalableTargetCommand({ ...ECS, ResourceId: "service/aas/api" }));
    assert.deepEqual((await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/aas/api" }))).ScalingPolicies, []);
  });
});
