import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  ModifyVpcAttributeCommand,
} from "@aws-sdk/client-ec2";
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cidrHas, parseCidr, parseIpv4 } from "../src/core/ec2/cidr.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { leaseCidr16 } from "./helpers/cidr-lease.js";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { connect, eniChains, removeChains, waitKernel } from "./helpers/security-groups.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Tasks in the EC2 API's networks (issue 12): addresses from the subnets' CIDRs, ENIs listed by
 * DescribeNetworkInterfaces, security groups enforced from the EC2 API's own rules.
 */

const detail = (t: Task, name: string) =>
  (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")?.details?.find((d) => d.name === name)?.value;

/** The address is in the block and is none of AWS's 5 reserved ones. */
function assertTaskAddress(ip: string, cidr: string): void {
  const c = parseCidr(cidr)!;
  const n = parseIpv4(ip)!;
  assert.ok(cidrHas(c, n), `${ip} inside ${cidr}`);
  const offset = n - c.base;
  assert.ok(offset >= 4 && offset < 2 ** (32 - c.prefix) - 1, `${ip} is not one of ${cidr}'s reserved addresses`);
}

/**
 * A test Wharf (no service controller) with one fake awsvpc-capable agent in CLUSTER and an awsvpc
 * task definition FAMILY, for the describe block it is called in; `use` receives both once started.
 */
function withEniAgent(
  o: { cluster: string; family: string; eniLimit: number; instanceId?: string },
  use: (x: { w: TestWharf; agent: FakeAgent }) => void,
): void {
  let w: TestWharf | undefined;
  let agent: FakeAgent | undefined;
  before(async () => {
    w = await startTestWharf({ server: { serviceController: false } });
    await w.aws("ecs", "create-cluster", "--cluster-name", o.cluster);
    agent = new FakeAgent(w, {
      cluster: o.cluster,
      autoRun: true,
      cpu: 100_000,
      memory: 100_000,
      ...(o.instanceId ? { instanceId: o.instanceId } : {}),
      attributes: [
        { name: "ecs.capability.task-eni" },
        { name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" },
        { name: "wharf.eni-limit", value: String(o.eniLimit) },
      ],
    });
    await agent.register();
    agent.start();
    await agent.waitFor(() => true);
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: o.family,
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 16 }],
      }),
    );
    use({ w, agent });
  });
  after(async () => {
    await agent?.stop();
    w?.ec2.destroy();
    await w?.close();
  });
}

describe("task ENIs in EC2 subnets (API, fake agent)", () => {
  let w: TestWharf;
  let agent: FakeAgent;
  withEniAgent({ cluster: "enis", family: "eni-app", eniLimit: 40 }, (x) => ({ w, agent } = x));

  it("addresses from the subnet's block, ENI records, AvailableIpAddressCount, a full subnet, the VPC's default group, the policy", async () => {
    const vpc = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }))).Vpc!.VpcId!;
    await w.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    // A /28: 16 addresses, 11 for tasks (.0-.3 and the last are AWS's).
    const subnet = (await w.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.7.1.16/28", AvailabilityZone: "us-east-1b" }))).Subnet!;
    assert.equal(subnet.AvailableIpAddressCount, 11);
    const web = (await w.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "web", Description: "web" }))).GroupId!;
    const net = (securityGroups?: string[]) => ({ awsvpcConfiguration: { subnets: [subnet.SubnetId!], ...(securityGroups ? { securityGroups } : {}) } });

    const first = await w.ecs.send(new RunTaskCommand({ cluster: "enis", taskDefinition: "eni-app", count: 10, networkConfiguration: net([web]) }));
    assert.deepEqual(first.failures, []);
    const ips = first.tasks!.map((t) => detail(t, "privateIPv4Address")!);
    assert.deepEqual(ips, Array.from({ length: 10 }, (_, i) => `10.7.1.${20 + i}`), "the lowest free addresses, from .4 of the block");
    for (const t of first.tasks!) {
      assertTaskAddress(detail(t, "privateIPv4Address")!, "10.7.1.16/28");
      assert.equal(t.availabilityZone, "us-east-1b", "the subnet's zone");
      assert.equal(detail(t, "subnetId"), subnet.SubnetId);
      assert.equal(detail(t, "privateDnsName"), `ip-${detail(t, "privateIPv4Address")!.replaceAll(".", "-")}.ec2.internal`);
    }

    // Each task's ENI is an EC2 network interface in the subnet, with its groups.
    const { NetworkInterfaces } = await w.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [subnet.SubnetId!] }] }));
    assert.equal(NetworkInterfaces!.length, 10);
    const t0 = first.tasks![0]!;
    const e0 = NetworkInterfaces!.find((e) => e.NetworkInterfaceId === detail(t0, "networkInterfaceId"))!;
    assert.equal(e0.PrivateIpAddress, detail(t0, "privateIPv4Address"));
    assert.equal(e0.MacAddress, detail(t0, "macAddress"));
    assert.equal(e0.PrivateDnsName, detail(t0, "privateDnsName"));
    assert.equal(e0.VpcId, vpc);
    assert.equal(e0.AvailabilityZone, "us-east-1b");
    assert.equal(e0.InterfaceType, "interface");
    assert.equal(e0.RequesterManaged, true);
    assert.equal(e0.Status, "in-use");
    const attachmentId = t0.attachments!.find((a) => a.type === "ElasticNetworkInterface")!.id!;
    assert.equal(e0.Description, `arn:aws:ecs:us-east-1:${w.server.accountId}:attachment/${attachmentId}`);
    assert.deepEqual(e0.Groups, [{ GroupId: web, GroupName: "web" }]);
    const count = async () => (await w.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }))).Subnets![0]!.AvailableIpAddressCount;
    assert.equal(await count(), 1);

    // One address left: of two tasks one is placed, the other fails with ECS's reason.
    const more = await w.ecs.send(new RunTaskCommand({ cluster: "enis", taskDefinition: "eni-app", count: 2, networkConfiguration: net() }));
    assert.equal(more.tasks!.length, 1);
    assert.equal(detail(more.tasks![0]!, "privateIPv4Address"), "10.7.1.30");
    assert.equal(more.failures!.length, 1);
    assert.equal(more.failures![0]!.arn, `arn:aws:ec2:us-east-1:${w.server.accountId}:subnet/${subnet.SubnetId}`);
    assert.equal(more.failures![0]!.reason, `Unexpected EC2 error while attempting to Create Network Interface in subnet '${subnet.SubnetId}': InsufficientFreeAddressesInSubnet`);
    assert.equal(await count(), 0);
    // No securityGroups: the VPC's default group.
    const { NetworkInterfaces: last } = await w.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "addresses.private-ip-address", Values: ["10.7.1.30"] }] }),
    );
    assert.deepEqual(last![0]!.Groups!.map((g) => g.GroupName), ["default"]);

    // The agent's policy lists the ENIs with the EC2 groups' rules; a new rule reaches it at once.
    const polled = await agent.waitFor((r) => (r.networkPolicy?.enis.length ?? 0) === 11);
    const webRules = polled.networkPolicy!.groups.find((g) => g.GroupId === web)!;
    assert.deepEqual(webRules.IpPermissions, []);
    await w.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }),
    );
    const changed = await agent.waitFor((r) => (r.networkPolicy?.groups.find((g) => g.GroupId === web)?.IpPermissions.length ?? 0) === 1);
    assert.deepEqual(changed.networkPolicy!.groups.find((g) => g.GroupId === web)!.IpPermissions[0]!.IpRanges, [{ CidrIp: "0.0.0.0/0" }]);

    // Stopping frees the address and removes the ENI record.
    await w.ecs.send(new StopTaskCommand({ cluster: "enis", task: t0.taskArn! }));
    await waitFor(async () => (await count()) === 1, { what: "the stopped task's address back in the subnet" });
    const gone = await w.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "network-interface-id", Values: [e0.NetworkInterfaceId!] }] }));
    assert.deepEqual(gone.NetworkInterfaces, []);
    const again = await w.ecs.send(new RunTaskCommand({ cluster: "enis", taskDefinition: "eni-app", networkConfiguration: net([web]) }));
    assert.equal(detail(again.tasks![0]!, "privateIPv4Address"), "10.7.1.20", "the freed address is given again");
  });
});

describe("ECS's network checks and the ENI's details (API, fake agent)", () => {
  let w: TestWharf;
  let agent: FakeAgent;
  withEniAgent({ cluster: "checks", family: "checks-app", eniLimit: 10, instanceId: "i-0fedcba9876543210" }, (x) => ({ w, agent } = x));

  it("subnets of two VPCs and a group of another VPC are refused with InvalidParameterException, through the SDK and the CLI", async () => {
    const vpc1 = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.21.0.0/16" }))).Vpc!.VpcId!;
    const vpc2 = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.22.0.0/16" }))).Vpc!.VpcId!;
    const s1 = (await w.ec2.send(new CreateSubnetCommand({ VpcId: vpc1, CidrBlock: "10.21.1.0/24" }))).Subnet!.SubnetId!;
    const s2 = (await w.ec2.send(new CreateSubnetCommand({ VpcId: vpc2, CidrBlock: "10.22.1.0/24" }))).Subnet!.SubnetId!;
    const g2 = (await w.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc2, GroupName: "elsewhere", Description: "x" }))).GroupId!;
    const refused = async (awsvpcConfiguration: { subnets: string[]; securityGroups?: string[] }) =>
      w.ecs.send(new RunTaskCommand({ cluster: "checks", taskDefinition: "checks-app", networkConfiguration: { awsvpcConfiguration } })).then(
        () => assert.fail("RunTask succeeded"),
        (e: Error) => e,
      );
    const mixed = await refused({ subnets: [s1, s2] });
    assert.equal(mixed.name, "InvalidParameterException");
    assert.equal(mixed.message, `Subnets ${s1} and ${s2} belong to different VPCs. All subnets must be in the same VPC.`);
    const group = await refused({ subnets: [s1], securityGroups: [g2] });
    assert.equal(group.name, "InvalidParameterException");
    assert.equal(group.message, `Security group ${g2} does not appear to belong to the same VPC as the input subnets.`);
    const cli = await w.awsError(
      "ecs", "run-task", "--cluster", "checks", "--task-definition", "checks-app",
      "--network-configuration", `awsvpcConfiguration={subnets=[${s1}],securityGroups=[${g2}]}`,
    );
    assert.equal(cli.code, "InvalidParameterException");
    assert.ok(cli.stderr.includes(`Security group ${g2} does not appear to belong to the same VPC as the input subnets.`), cli.stderr);
    // Nothing was placed or addressed.
    const { NetworkInterfaces } = await w.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc1, vpc2] }] }));
    assert.deepEqual(NetworkInterfaces, []);
  });

  it("task ENIs as ECS makes them: requester, description, attachment to the instance; DescribeTasks' details follow DNS hostnames", async () => {
    const vpc = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.23.0.0/16" }))).Vpc!.VpcId!;
    const subnet = (await w.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.23.1.0/24" }))).Subnet!.SubnetId!;
    const runOne = async () => {
      const out = await w.ecs.send(new RunTaskCommand({ cluster: "checks", taskDefinition: "checks-app", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }));
      assert.deepEqual(out.failures, []);
      return out.tasks![0]!;
    };
    // DNS hostnames off (a new VPC's default): no private DNS name anywhere.
    const plain = await runOne();
    const names = (t: Task) => (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")!.details!.map((d) => d.name).sort();
    assert.deepEqual(names(plain), ["macAddress", "networkInterfaceId", "privateIPv4Address", "subnetId"]);
    const eniOf = async (t: Task) =>
      (await w.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [detail(t, "networkInterfaceId")!] }))).NetworkInterfaces![0]!;
    const e1 = await eniOf(plain);
    assert.equal(e1.PrivateDnsName, undefined);
    assert.equal(e1.RequesterId, "578734482556");
    assert.equal(e1.RequesterManaged, true);
    assert.equal(e1.InterfaceType, "interface");
    assert.equal(e1.OwnerId, w.server.accountId);
    assert.equal(e1.Description, `arn:aws:ecs:us-east-1:${w.server.accountId}:attachment/${plain.attachments!.find((a) => a.type === "ElasticNetworkInterface")!.id}`);
    assert.equal(e1.Attachment!.DeviceIndex, 1);
    assert.equal(e1.Attachment!.DeleteOnTermination, false);
    assert.equal(e1.Attachment!.Status, "attached");
    assert.equal(e1.Attachment!.InstanceId, "i-0fedcba9876543210");
    assert.equal(e1.Attachment!.InstanceOwnerId, w.server.accountId);
    assert.match(e1.Attachment!.AttachmentId!, /^eni-attach-[0-9a-f]{17}$/);
    const byInstance = await w.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "attachment.instance-id", Values: ["i-0fedcba9876543210"] }, { Name: "vpc-id", Values: [vpc] }] }));
    assert.deepEqual(byInstance.NetworkInterfaces!.map((e) => e.NetworkInterfaceId), [e1.NetworkInterfaceId]);

    // DNS hostnames on: the name in both places, us-east-1's form.
    await w.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    const named = await runOne();
    assert.deepEqual(names(named), ["macAddress", "networkInterfaceId", "privateDnsName", "privateIPv4Address", "subnetId"]);
    const ip = detail(named, "privateIPv4Address")!;
    assert.equal(detail(named, "privateDnsName"), `ip-${ip.replaceAll(".", "-")}.ec2.internal`);
    const e2 = await eniOf(named);
    assert.equal(e2.PrivateDnsName, detail(named, "privateDnsName"));
    assert.equal(e2.MacAddress, detail(named, "macAddress"));
    assert.equal(e2.SubnetId, detail(named, "subnetId"));
    assert.equal(e2.PrivateIpAddress, ip);
  });
});

describe("the issue's user flow: a VPC, two subnets, web and db groups (real Docker, AWS CLI)", () => {
  const world = new AgentWorld();
  const lease = leaseCidr16();
  let prefix = "";
  after(async () => {
    await world.close();
    if (prefix) await removeChains(prefix);
    lease.release();
  });

  it("tasks get addresses from the CIDRs; web reaches db:5432, a task in neither does not; revoking cuts the next connection", async () => {
    const w = await world.start("ec2flow");
    const agent = await w.agent({ pollWaitMs: 20_000, eniLimit: 10 });
    prefix = agent.firewall!.prefix;
    const aws = (...args: string[]) => w.h.aws("ec2", ...args);
    const id = hex(3);
    const vpc = (await aws("create-vpc", "--cidr-block", lease.cidr)).Vpc.VpcId as string;
    await aws("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", '{"Value":true}');
    const cidrA = `${lease.prefix}.1.0/24`;
    const cidrB = `${lease.prefix}.2.0/24`;
    const subnetA = (await aws("create-subnet", "--vpc-id", vpc, "--cidr-block", cidrA, "--availability-zone", "us-east-1a")).Subnet.SubnetId as string;
    const subnetB = (await aws("create-subnet", "--vpc-id", vpc, "--cidr-block", cidrB, "--availability-zone", "us-east-1b")).Subnet.SubnetId as string;
    world.subnets(subnetA, subnetB);
    const web = (await aws("create-security-group", "--group-name", `web-${id}`, "--description", "web", "--vpc-id", vpc)).GroupId as string;
    const db = (await aws("create-security-group", "--group-name", `db-${id}`, "--description", "db", "--vpc-id", vpc)).GroupId as string;
    await aws("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
    await aws("authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);

    const container = { image: "wharf-test/busybox:latest", memory: 32, essential: true, stopTimeout: 1 };
    await w.h.ecs.send(new RegisterTaskDefinitionCommand({
      family: `flow-db-${id}`,
      networkMode: "awsvpc",
      containerDefinitions: [{ ...container, name: "db", command: ["nc", "-ll", "-p", "5432", "-e", "echo", "pong"] }],
    }));
    await w.h.ecs.send(new RegisterTaskDefinitionCommand({
      family: `flow-client-${id}`,
      networkMode: "awsvpc",
      containerDefinitions: [{ ...container, name: "client", command: ["sleep", "3600"] }],
    }));
    const runIn = async (family: string, subnet: string, groups: string[]) => {
      const out = await w.h.aws(
        "ecs", "run-task", "--cluster", w.cluster, "--task-definition", family,
        "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]${groups.length ? `,securityGroups=[${groups.join(",")}]` : ""}}`,
      );
      assert.deepEqual(out.failures, []);
      return out.tasks[0].taskArn as string;
    };
    // Same subnet: db, web and a task in neither group (no groups named: the VPC's default group).
    const arns = {
      db: await runIn(`flow-db-${id}`, subnetA, [db]),
      web: await runIn(`flow-client-${id}`, subnetA, [web]),
      neither: await runIn(`flow-client-${id}`, subnetA, []),
      inB: await runIn(`flow-client-${id}`, subnetB, [web]),
    };
    const tasks = await w.waitTasks(Object.values(arns), "RUNNING");
    const byArn = new Map(tasks.map((t) => [t.taskArn!, t]));
    const ip = (k: keyof typeof arns) => detail(byArn.get(arns[k])!, "privateIPv4Address")!;
    const cid = (k: keyof typeof arns) => byArn.get(arns[k])!.containers![0]!.runtimeId!;
    for (const k of ["db", "web", "neither"] as const) assertTaskAddress(ip(k), cidrA);
    assertTaskAddress(ip("inB"), cidrB);
    assert.equal(byArn.get(arns.inB)!.availabilityZone, "us-east-1b");
    assert.equal(detail(byArn.get(arns.db)!, "privateDnsName"), `ip-${ip("db").replaceAll(".", "-")}.ec2.internal`);

    // The CLI user sees the ENIs.
    const enis = (await aws("describe-network-interfaces", "--filters", `Name=vpc-id,Values=${vpc}`)).NetworkInterfaces as Array<{
      PrivateIpAddress: string;
      SubnetId: string;
      Groups: Array<{ GroupId: string }>;
    }>;
    assert.equal(enis.length, 4);
    assert.deepEqual(enis.find((e) => e.PrivateIpAddress === ip("db"))!.Groups.map((g) => g.GroupId), [db]);
    assert.equal(enis.find((e) => e.PrivateIpAddress === ip("inB"))!.SubnetId, subnetB);

    // The agent enforces the EC2 API's rules: web → db:5432 passes, the task in neither is dropped.
    const dbChains = eniChains(prefix, detail(byArn.get(arns.db)!, "networkInterfaceId")!);
    await waitKernel("db admits web on 5432", (d) => d.includes(`-A ${dbChains.ingress} -s ${ip("web")}/32 -p tcp -m tcp --dport 5432 -j RETURN`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "ok", "web → db:5432");
    assert.equal(await connect(cid("neither"), ip("db"), 5432), "timeout", "a task in neither group is refused");

    // Revoking the rule through the CLI cuts the next connection.
    await aws("revoke-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);
    await waitKernel("db's rule gone", (d) => !d.includes(`-A ${dbChains.ingress} -s ${ip("web")}/32`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "timeout", "revoked");

    // A subnet the EC2 API does not know: ECS's exact message.
    const ghost = "subnet-0123456789abcdef0";
    const refused = await w.h.awsError(
      "ecs", "run-task", "--cluster", w.cluster, "--task-definition", `flow-client-${id}`,
      "--network-configuration", `awsvpcConfiguration={subnets=[${ghost}]}`,
    );
    assert.equal(refused.code, "InvalidParameterException");
    assert.ok(
      refused.stderr.includes(`Error retrieving subnet information for [${ghost}]: The subnet ID '${ghost}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`),
      refused.stderr,
    );

    // Stopped tasks give their addresses back: the subnets' counts return to 251.
    for (const task of Object.values(arns)) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task }));
    await w.waitTasks(Object.values(arns), "STOPPED");
    await waitFor(
      async () => {
        const { Subnets } = await aws("describe-subnets", "--subnet-ids", subnetA, subnetB);
        return (Subnets as Array<{ AvailableIpAddressCount: number }>).every((s) => s.AvailableIpAddressCount === 251);
      },
      { what: "both subnets' addresses free again" },
    );
  });
});
