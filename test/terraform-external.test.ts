import { CreateTaskSetCommand, DescribeServicesCommand, DescribeTaskSetsCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, terraformStack, type TerraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-external with the real `terraform` binary and the hashicorp/aws provider
 * from the local mirror: an aws_ecs_service with `deployment_controller { type = "EXTERNAL" }`
 * (no task definition, no load balancer) applies, a task set made beside it (as a deploy tool
 * would) shows in DescribeServices, plan shows no changes (any drift is a Wharf bug), destroy
 * deletes the service.
 */
describe("Terraform: an ECS service with the EXTERNAL deployment controller applies, plans clean and destroys", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false } });
    t = terraformStack("terraform-external", h.server.credentials, { endpoint: h.server.url, name: "tf-ext" });
  });
  after(async () => {
    await t?.cleanup();
    await h?.close();
  });

  it("apply, a task set beside it, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs<string>();
    const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "tf-ext", services: ["web"] }))).services![0]!;
    assert.equal(svc.serviceArn, out.service_arn!.value);
    assert.equal(svc.deploymentController?.type, "EXTERNAL");
    assert.equal(svc.desiredCount, 2);
    assert.deepEqual(svc.taskSets, []);
    assert.equal(svc.taskDefinition, undefined);

    // A deploy tool's task set: PRIMARY or not, Terraform's service does not drift.
    const ts = (await h.ecs.send(new CreateTaskSetCommand({ cluster: "tf-ext", service: "web", taskDefinition: out.task_definition_arn!.value, launchType: "EC2", scale: { unit: "PERCENT", value: 50 } }))).taskSet!;
    assert.equal(ts.computedDesiredCount, 1, "2 × 50 %");
    const sets = (await h.ecs.send(new DescribeTaskSetsCommand({ cluster: "tf-ext", service: "web" }))).taskSets!;
    assert.deepEqual(sets.map((s) => s.id), [ts.id]);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    // The cluster is gone too, which ECS allows only once its services are deleted.
    await assert.rejects(h.ecs.send(new DescribeServicesCommand({ cluster: "tf-ext", services: ["web"] })), { name: "ClusterNotFoundException" });
  });
});
