import { CreateTaskSetCommand, DescribeServicesCommand, DescribeTaskSetsCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { type TerraformDir, terraformExample, terraformSkip } from "./helpers/terraform.js";

/**
 * examples/terraform-external with the real `terraform` binary and the hashicorp/aws provider
 * from the local mirror: an aws_ecs_service with `deployment_controller { type = "EXTERNAL" }`
 * (no task definition, no load balancer) applies, a task set made beside it (as a deploy tool
 * would) shows in DescribeServices, plan shows no changes (any drift is a Wharf bug), destroy
 * deletes the service.
 */
describe("Terraform: an ECS service with the EXTERNAL deployment controller applies, plans clean and destroys", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let work = "";
  let t: TerraformDir | undefined;
  const vars: string[] = [];

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false } });
    work = mkdtempSync(join(tmpdir(), "wharf-tf-ext-"));
    t = terraformExample("terraform-external", work, h.server.credentials);
    vars.push("-var", `endpoint=${h.server.url}`, "-var", "name=tf-ext");
  });
  after(async () => {
    if (t) await t.tf("destroy", "-auto-approve", "-input=false", "-no-color", ...vars).catch(() => undefined);
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("apply, a task set beside it, plan -detailed-exitcode = 0, destroy", async () => {
    const tf = t!;
    await tf.tf("init", "-input=false", "-no-color");
    await tf.tf("apply", "-auto-approve", "-input=false", "-no-color", ...vars);
    const out = JSON.parse((await tf.tf("output", "-json", "-no-color")).stdout) as Record<string, { value: string }>;
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

    const plan = await tf.planExitCode(...vars);
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await tf.tf("destroy", "-auto-approve", "-input=false", "-no-color", ...vars);
    // The cluster is gone too, which ECS allows only once its services are deleted.
    await assert.rejects(h.ecs.send(new DescribeServicesCommand({ cluster: "tf-ext", services: ["web"] })), { name: "ClusterNotFoundException" });
  });
});
