import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { cidrHas, parseCidr, parseIpv4 } from "../src/core/ec2/cidr.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { leaseCidr16 } from "./helpers/cidr-lease.js";
import type { TestWharf } from "./helpers/harness.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-vpc with the real `terraform` binary and the hashicorp/aws provider from the
 * machine's local mirror: aws_vpc, two aws_subnet, aws_security_group with inline rules,
 * aws_security_group_rule, aws_vpc_security_group_ingress_rule, aws_internet_gateway,
 * aws_route_table + aws_route_table_association and data.aws_availability_zones apply, plan with
 * no changes (any drift is a Wharf bug), and destroy — with an aws_ecs_service (FARGATE, on a
 * real agent's Fargate capacity) whose tasks run in those subnets and that group.
 */

describe("Terraform: a VPC with subnets, security groups, gateway and routes applies, plans clean and destroys", { skip: terraformSkip }, () => {
  const world = new AgentWorld();
  // The VPC's own block: its subnets become Docker networks, which must not overlap another test's.
  const lease = leaseCidr16();
  let h: TestWharf;
  let ec2: EC2Client;
  let t: TerraformStack | undefined;

  before(async () => {
    await world.start("tf-vpc");
    h = world.h;
    await world.agent({ fargate: true });
    ec2 = new EC2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-vpc", h.server.credentials, { endpoint: h.server.url, name: world.cluster, vpc_cidr: lease.cidr, image: "wharf-test/busybox:latest", stop_timeout: "2" });
      });
  after(async () => {
    await t?.cleanup();
    ec2?.destroy();
    await world.close();
    lease.release();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs<unknown>();
    const vpcId = out.vpc_id!.value as string;
    const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!;
    const p = lease.prefix;
    assert.equal(vpc.CidrBlock, lease.cidr);
    assert.deepEqual(vpc.Tags, [{ Key: "Name", Value: world.cluster }]);
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).Subnets!;
    world.subnets(...subnets.map((s) => s.SubnetId!));
    assert.deepEqual(subnets.map((s) => s.CidrBlock).sort(), [`${p}.1.0/24`, `${p}.2.0/24`]);
    assert.deepEqual(subnets.map((s) => s.AvailabilityZone).sort(), ["us-east-1a", "us-east-1b"]);
    const db = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [out.db_sg!.value as string] }))).SecurityGroups![0]!;
    const web = out.web_sg!.value as string;
    assert.deepEqual(
      db.IpPermissions!.map((p) => `${p.IpProtocol}:${p.FromPort}:${p.UserIdGroupPairs!.map((g) => g.GroupId).join(",")}${p.IpRanges!.map((r) => r.CidrIp).join(",")}`).sort(),
      ["tcp:22:" + lease.cidr, `tcp:5432:${web}`],
    );
    const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [db.GroupId!] }] }))).SecurityGroupRules!;
    assert.equal(rules.find((r) => r.FromPort === 22)!.Description, "admin from inside the VPC");

    // The service's two tasks run in those subnets, in the web group, addressed from the blocks.
    const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: world.cluster, services: [`${world.cluster}-web`] }))).services![0]!;
    assert.equal(svc.runningCount, 2, "wait_for_steady_state returned with both tasks running");
    assert.deepEqual(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups, [web]);
    const arns = (await h.ecs.send(new ListTasksCommand({ cluster: world.cluster, desiredStatus: "RUNNING" }))).taskArns!;
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: arns }))).tasks!;
    assert.equal(tasks.length, 2);
    const blocks = new Map(subnets.map((s) => [s.SubnetId!, s.CidrBlock!]));
    for (const t of tasks) {
      const d = Object.fromEntries(t.attachments![0]!.details!.map((x) => [x.name, x.value]));
      const block = blocks.get(d.subnetId!);
      assert.ok(block, `task in one of the VPC's subnets (${d.subnetId})`);
      assert.ok(cidrHas(parseCidr(block)!, parseIpv4(d.privateIPv4Address!)!), `${d.privateIPv4Address} inside ${block}`);
      assert.equal(t.availabilityZone, subnets.find((s) => s.SubnetId === d.subnetId)!.AvailabilityZone);
    }
    assert.equal(new Set(tasks.map((t) => t.availabilityZone)).size, 2, "spread over the two subnets' zones");

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    const left = await ec2.send(new DescribeVpcsCommand({}));
    assert.deepEqual(left.Vpcs!.map((v) => v.IsDefault), [true], "only the default VPC is left");
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
    assert.deepEqual(groups.SecurityGroups, []);
  });
});
