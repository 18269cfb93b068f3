import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { RecordingLbPlane } from "./helpers/recording-lb-plane.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-lb with the real `terraform` binary and the hashicorp/aws provider from the
 * local mirror: aws_lb, two aws_lb_target_group (health checks, stickiness, deregistration
 * delay), aws_lb_listener and two aws_lb_listener_rule (path-pattern forward, host-header
 * fixed-response) and an aws_ecs_service with a `load_balancer` block in a VPC from the EC2 API apply, plan with no changes (any drift is a Wharf
 * bug), and destroy; the data plane is handed the load balancer with its listener and rules.
 */
describe("Terraform: a load balancer with target groups, a listener and rules applies, plans clean and destroys", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let elb: ElasticLoadBalancingV2Client;
  let t: TerraformStack | undefined;
  const plane = new RecordingLbPlane();

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: plane } });
    elb = new ElasticLoadBalancingV2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-lb", h.server.credentials, { endpoint: h.server.url, name: "tf-lb" });
      });
  after(async () => {
    await t?.cleanup();
    elb?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs();
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [out.lb_arn!.value] }))).LoadBalancers![0]!;
    assert.equal(lb.State!.Code, "active");
    assert.equal(lb.DNSName, out.lb_dns_name!.value);
    const attrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Attributes!;
    assert.equal(attrs.find((a) => a.Key === "idle_timeout.timeout_seconds")!.Value, "30");
    const web = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [out.web_tg_arn!.value] }))).TargetGroups![0]!;
    assert.deepEqual([web.HealthCheckIntervalSeconds, web.HealthyThresholdCount, web.LoadBalancerArns], [10, 2, [lb.LoadBalancerArn]]);
    const api = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: out.api_tg_arn!.value }))).Attributes!;
    assert.equal(api.find((a) => a.Key === "stickiness.enabled")!.Value, "true");
    assert.equal(api.find((a) => a.Key === "stickiness.lb_cookie.duration_seconds")!.Value, "3600");
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    assert.deepEqual(listeners.map((l) => [l.Port, l.Protocol]), [[80, "HTTP"]]);
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: out.listener_arn!.value }))).Rules!;
    assert.deepEqual(rules.map((r) => r.Priority), ["10", "20", "default"]);

    await h.server.lb.idle();
    const served = plane.last!.loadBalancers.find((l) => l.arn === lb.LoadBalancerArn)!;
    assert.deepEqual(served.listeners[0]!.rules.map((r) => [r.priority, r.action.type]), [[10, "forward"], [20, "fixed-response"]]);
    assert.equal(plane.last!.targetGroups.find((g) => g.arn === out.api_tg_arn!.value)!.stickiness?.durationSeconds, 3600);

    // The ECS service behind the web group, as ECS stores it.
    const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "tf-lb", services: [out.service_arn!.value] }))).services![0]!;
    assert.deepEqual(svc.loadBalancers, [{ targetGroupArn: out.web_tg_arn!.value, containerName: "web", containerPort: 8080 }]);
    assert.equal(svc.healthCheckGracePeriodSeconds, 10);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    assert.deepEqual((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups, []);
    await h.server.lb.idle();
    assert.deepEqual(plane.last!.loadBalancers, []);
  });
});
