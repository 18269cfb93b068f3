import { DescribeClustersCommand, DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-fargate with the real `terraform` binary and the hashicorp/aws provider from
 * the machine's local mirror: an aws_ecs_service with launch_type FARGATE and
 * wait_for_steady_state applies, plans with no changes, and destroys, against a control plane
 * whose Fargate capacity is a real agent on the real Docker Engine.
 */

describe("Terraform: a FARGATE service applies, plans clean and destroys", { skip: terraformSkip }, () => {
  const w = new AgentWorld();
  let t: TerraformStack | undefined;

  before(async () => {
    await w.start("tf-fargate");
    await w.agent({ fargate: true });
    t = terraformStack("terraform-fargate", w.h.server.credentials, { endpoint: w.h.server.url, image: "wharf-test/busybox:latest", name: w.cluster, stop_timeout: "2" }, w.agentDir);
    const [a, b] = await w.defaultSubnets(2);
    // The example finds the default subnets of us-east-1a and b itself (data.aws_subnets): the
    // test Wharf's own; their Docker networks are removed after.
    assert.ok(a && b);
  });
  after(async () => {
    await t?.cleanup();
    await w.close();
  });

  it("apply (waits for steady state), plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const svc = await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [`${w.cluster}-svc`] }));
    assert.equal(svc.services![0]!.launchType, "FARGATE");
    assert.equal(svc.services![0]!.runningCount, 2, "wait_for_steady_state returned with both tasks running");
    const tasks = await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, desiredStatus: "RUNNING" }));
    assert.equal(tasks.taskArns!.length, 2);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    const gone = await w.h.ecs.send(new DescribeClustersCommand({ clusters: [w.cluster] }));
    assert.equal(gone.clusters?.[0]?.status ?? "INACTIVE", "INACTIVE", "the cluster was deleted");
    const left = await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, desiredStatus: "RUNNING" })).catch(() => ({ taskArns: [] }));
    assert.deepEqual(left.taskArns ?? [], []);
  });
});
