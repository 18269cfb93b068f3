import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, terraformStack, type TerraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-cloudwatch with the real `terraform` binary and the hashicorp/aws provider
 * (CloudWatch's Query protocol): two aws_cloudwatch_metric_alarm (one metric, one metric math)
 * apply, plan with no changes, and destroy.
 */
describe("Terraform: aws_cloudwatch_metric_alarm (a metric and metric math) apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let cw: CloudWatchClient;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, registry: false } });
    cw = new CloudWatchClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-cloudwatch", h.server.credentials, { endpoint: h.server.url, name: "tfcw" });
  });
  after(async () => {
    await t?.cleanup();
    cw?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs<string>();
    assert.equal(out.cpu_alarm_arn!.value, `arn:aws:cloudwatch:us-east-1:${h.server.accountId}:alarm:tfcw-cpu-high`);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tfcw-" }))).MetricAlarms!;
    assert.deepEqual(alarms.map((a) => a.AlarmName), ["tfcw-cpu-high", "tfcw-error-rate"]);
    const cpu = alarms[0]!;
    assert.equal(cpu.DatapointsToAlarm, 2);
    assert.equal(cpu.TreatMissingData, "notBreaching");
    assert.deepEqual(cpu.Dimensions, [{ Name: "ClusterName", Value: "tfcw-cluster" }, { Name: "ServiceName", Value: "web" }]);
    assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: cpu.AlarmArn! }))).Tags, [{ Key: "team", Value: "web" }]);
    const rate = alarms[1]!;
    assert.deepEqual(rate.Metrics!.map((m) => m.Id).sort(), ["errors", "rate", "requests"]);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, plan.out);

    await t!.destroy();
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tfcw-" }))).MetricAlarms, []);
  });
});
