import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, DescribeScheduledActionsCommand } from "@aws-sdk/client-application-auto-scaling";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { MemoryAlarms } from "./helpers/memory-alarms.js";
import { terraformSkip, terraformStack, type TerraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-autoscaling with the real `terraform` binary and the hashicorp/aws provider from
 * the local mirror: aws_appautoscaling_target, a target-tracking aws_appautoscaling_policy and
 * aws_appautoscaling_scheduled_action apply, plan with no changes, and destroy. The policy's alarms go
 * to an in-memory AlarmRegistry until CloudWatch is wired (the step policy, which needs an
 * aws_cloudwatch_metric_alarm, waits for it too).
 */
describe("Terraform: Application Auto Scaling target, target-tracking policy and scheduled action apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let aas: ApplicationAutoScalingClient;
  const alarms = new MemoryAlarms();
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, autoscaling: { alarms } } });
    aas = new ApplicationAutoScalingClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-autoscaling", h.server.credentials, { endpoint: h.server.url, name: "tfaas" });
  });
  after(async () => {
    await t?.cleanup();
    aas?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs<unknown>();
    assert.match(String(out.target_arn!.value), /^arn:aws:application-autoscaling:us-east-1:\d{12}:scalable-target\/[0-9a-f]{36}$/);
    assert.match(String(out.policy_arn!.value), /:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/tfaas\/web:policyName\/cpu60$/);
    assert.equal((out.alarms!.value as string[]).length, 2);
    const target = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/tfaas/web"] }))).ScalableTargets![0]!;
    assert.deepEqual([target.MinCapacity, target.MaxCapacity], [1, 4]);
    const policy = (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/tfaas/web" }))).ScalingPolicies![0]!;
    assert.equal(policy.TargetTrackingScalingPolicyConfiguration!.TargetValue, 60);
    assert.equal(alarms.alarms.size, 2);
    const action = (await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs", ResourceId: "service/tfaas/web" }))).ScheduledActions![0]!;
    assert.deepEqual([action.Schedule, action.Timezone, action.ScalableTargetAction], ["cron(0 9 ? * MON-FRI *)", "Asia/Seoul", { MinCapacity: 2, MaxCapacity: 4 }]);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, plan.out);

    await t!.destroy();
    assert.deepEqual((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets, []);
    assert.equal(alarms.alarms.size, 0);
  });
});
