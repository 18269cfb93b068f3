import { DescribeClustersCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-ec2 with the real `terraform` binary and the hashicorp/aws provider from the
 * machine's local mirror: a cluster with settings and tags, a log group with retention, an
 * awslogs task definition and an EC2-launch-type service (wait_for_steady_state) on a real agent
 * whose container serves HTTP — applied, planned with no changes, destroyed.
 */
describe("Terraform: an EC2 service with a log group applies, plans clean and destroys", { skip: terraformSkip }, () => {
  const w = new AgentWorld();
  let t: TerraformStack | undefined;

  before(async () => {
    await w.start("tf-ec2");
    await w.agent();
    t = terraformStack("terraform-ec2", w.h.server.credentials, { wharf_endpoint: w.h.server.url, ec2_cluster: w.cluster, name: w.cluster }, w.agentDir);
      });
  after(async () => {
    await t?.cleanup();
    await w.close();
  });

  it("apply (waits for steady state), the task serves its page, plan -detailed-exitcode = 0, destroy", async (tc) => {
    // Where the time goes (mostly the provider's start-up per command): reported, not asserted.
    const t0 = Date.now();
    const lap = (step: string) => tc.diagnostic(`${step} done after ${Date.now() - t0} ms`);
    await t!.init();
    lap("init");
    await t!.apply();
    lap("apply");

    const svc = (await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [`${w.cluster}-web`] }))).services![0]!;
    assert.equal(svc.launchType, "EC2");
    assert.equal(svc.runningCount, 1, "wait_for_steady_state returned with the task running");
    const [arn] = (await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, serviceName: svc.serviceName }))).taskArns!;
    const task = (await w.h.ecs.send(new DescribeTasksCommand({ cluster: w.cluster, tasks: [arn!] }))).tasks![0]!;
    const binding = task.containers![0]!.networkBindings![0]!;
    const host = !binding.bindIP || binding.bindIP === "0.0.0.0" ? "127.0.0.1" : binding.bindIP;
    const page = await fetch(`http://${host}:${binding.hostPort}/`).then((r) => r.text());
    assert.match(page, /Welcome to Wharf/);
    const logs = new CloudWatchLogsClient({ endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials });
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${w.cluster}-web` }));
    assert.equal(groups.logGroups?.[0]?.retentionInDays, 7);
    const demo = await w.h.ecs.send(new DescribeClustersCommand({ clusters: [`${w.cluster}-cluster`], include: ["TAGS", "SETTINGS"] }));
    assert.deepEqual(demo.clusters![0]!.tags, [{ key: "Project", value: w.cluster }]);

    const plan = await t!.plan();
    lap("plan");
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    lap("destroy");
    const gone = await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [`${w.cluster}-web`] }));
    assert.equal(gone.services?.[0]?.status ?? "INACTIVE", "INACTIVE", "the service was deleted");
    const demo2 = await w.h.ecs.send(new DescribeClustersCommand({ clusters: [`${w.cluster}-cluster`] }));
    assert.equal(demo2.clusters?.[0]?.status ?? "INACTIVE", "INACTIVE", "the cluster was deleted");
  });
});
