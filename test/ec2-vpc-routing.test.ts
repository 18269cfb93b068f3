import { RegisterTaskDefinitionCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { cidrHas, parseCidr, parseIpv4 } from "../src/core/ec2/cidr.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { leaseCidr16 } from "./helpers/cidr-lease.js";
import { connect, eniChains, filterTable, removeChains, waitKernel } from "./helpers/security-groups.js";

/**
 * Issue 12's Done, across subnets: a VPC with two subnets (each its own Docker bridge on the
 * host, which Docker isolates from each other), `web` open on 80 to all, `db` open on 5432 only
 * from `web`; web in subnet A reaches db in subnet B, a task in neither group does not, revoking
 * cuts the next connection; a task in a subnet of ANOTHER VPC reaches neither, though its groups
 * and theirs would allow it. AWS CLI for every EC2 and ECS call a user makes; real Docker and iptables.
 */

const run = promisify(execFile);
const detail = (t: Task, name: string) =>
  (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")?.details?.find((d) => d.name === name)?.value;
const inCidr = (ip: string, cidr: string) => cidrHas(parseCidr(cidr)!, parseIpv4(ip)!);

describe("routing between the subnets of a VPC, security groups across them (real Docker, AWS CLI)", () => {
  const world = new AgentWorld();
  const lease = leaseCidr16();
  const otherLease = leaseCidr16();
  let prefix = "";
  after(async () => {
    await world.close();
    if (prefix) await removeChains(prefix);
    lease.release();
    otherLease.release();
  });

  it("web in A reaches db in B on 5432; neither is refused; revoking cuts; another VPC reaches neither; routes go with the networks", async () => {
    const w = await world.start("vpcroute");
    const agent = await w.agent({ pollWaitMs: 20_000, eniLimit: 10 });
    prefix = agent.firewall!.prefix;
    const routeChain = `${prefix}-VPC`;
    const aws = (...args: string[]) => w.h.aws("ec2", ...args);
    const id = hex(3);

    const vpc = (await aws("create-vpc", "--cidr-block", lease.cidr)).Vpc.VpcId as string;
    const cidrA = `${lease.prefix}.1.0/24`;
    const cidrB = `${lease.prefix}.2.0/24`;
    const subnetA = (await aws("create-subnet", "--vpc-id", vpc, "--cidr-block", cidrA, "--availability-zone", "us-east-1a")).Subnet.SubnetId as string;
    const subnetB = (await aws("create-subnet", "--vpc-id", vpc, "--cidr-block", cidrB, "--availability-zone", "us-east-1b")).Subnet.SubnetId as string;
    const otherVpc = (await aws("create-vpc", "--cidr-block", otherLease.cidr)).Vpc.VpcId as string;
    const cidrC = `${otherLease.prefix}.1.0/24`;
    const subnetC = (await aws("create-subnet", "--vpc-id", otherVpc, "--cidr-block", cidrC)).Subnet.SubnetId as string;
    world.subnets(subnetA, subnetB, subnetC);

    const group = async (name: string, v: string) =>
      (await aws("create-security-group", "--group-name", `${name}-${id}`, "--description", name, "--vpc-id", v)).GroupId as string;
    const web = await group("web", vpc);
    const db = await group("db", vpc);
    const open = await group("open", otherVpc);
    await aws("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
    await aws("authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);
    await aws("authorize-security-group-ingress", "--group-id", open, "--ip-permissions", "IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]");

    const container = { image: "wharf-test/busybox:latest", memory: 32, essential: true, stopTimeout: 1 };
    const listener = (port: number) => ["nc", "-ll", "-p", String(port), "-e", "echo", "pong"];
    const family = (name: string) => `route-${name}-${id}`;
    for (const [name, command] of [["db", listener(5432)], ["web", listener(80)], ["client", ["sleep", "3600"]]] as const) {
      await w.h.ecs.send(new RegisterTaskDefinitionCommand({
        family: family(name),
        networkMode: "awsvpc",
        containerDefinitions: [{ ...container, name, command: [...command] }],
      }));
    }
    const runIn = async (name: string, subnet: string, groups: string[]) => {
      const out = await w.h.aws(
        "ecs", "run-task", "--cluster", w.cluster, "--task-definition", family(name),
        "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]${groups.length ? `,securityGroups=[${groups.join(",")}]` : ""}}`,
      );
      assert.deepEqual(out.failures, []);
      return out.tasks[0].taskArn as string;
    };
    const arns = {
      db: await runIn("db", subnetB, [db]),
      web: await runIn("web", subnetA, [web]),
      neither: await runIn("client", subnetA, []),
      other: await runIn("client", subnetC, [open]),
    };
    const tasks = await w.waitTasks(Object.values(arns), "RUNNING");
    const byArn = new Map(tasks.map((t) => [t.taskArn!, t]));
    const ip = (k: keyof typeof arns) => detail(byArn.get(arns[k])!, "privateIPv4Address")!;
    const cid = (k: keyof typeof arns) => byArn.get(arns[k])!.containers![0]!.runtimeId!;
    assert.ok(inCidr(ip("db"), cidrB) && inCidr(ip("web"), cidrA) && inCidr(ip("neither"), cidrA) && inCidr(ip("other"), cidrC));

    // Across the subnets, security groups decide.
    const dbChains = eniChains(prefix, detail(byArn.get(arns.db)!, "networkInterfaceId")!);
    await waitKernel("db admits web on 5432", (d) => d.includes(`-A ${dbChains.ingress} -s ${ip("web")}/32 -p tcp -m tcp --dport 5432 -j RETURN`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "ok", "web (subnet A) → db (subnet B):5432");
    assert.equal(await connect(cid("db"), ip("web"), 80), "ok", "db (subnet B) → web (subnet A):80, open to all");
    assert.equal(await connect(cid("neither"), ip("db"), 5432), "timeout", "a task in neither group is refused");
    // Another VPC: its group lets everything in and out, web is open to all, and still nothing passes.
    assert.equal(await connect(cid("other"), ip("web"), 80), "timeout", "another VPC → web:80");
    assert.equal(await connect(cid("other"), ip("db"), 5432), "timeout", "another VPC → db:5432");
    assert.equal(await connect(cid("web"), ip("other"), 80), "timeout", "web → another VPC");

    // The kernel: both directions between A and B are routed, nothing to or from C; hooks in order.
    await waitKernel("routes between A and B", (d) => d.includes(`-A ${routeChain} -s ${cidrA} -d ${cidrB}`) && d.includes(`-A ${routeChain} -s ${cidrB} -d ${cidrA}`));
    const dump = await filterTable();
    assert.ok(!dump.split("\n").some((l) => l.startsWith(`-A ${routeChain}`) && l.includes(cidrC)), "the other VPC's subnet is not routed");
    const userRules = dump.split("\n").filter((l) => l.startsWith("-A DOCKER-USER "));
    const at = (rule: string) => userRules.indexOf(`-A DOCKER-USER ${rule}`);
    assert.ok(at(`-j ${prefix}-SG`) >= 0 && at(`-j ${prefix}-SG`) < at(`-j ${routeChain}`), userRules.join("\n"));
    assert.ok(at("-j RETURN") < 0 || at(`-j ${routeChain}`) < at("-j RETURN"), userRules.join("\n"));

    // Revoking the rule cuts the next connection across the subnets.
    await aws("revoke-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);
    await waitKernel("db's rule gone", (d) => !d.includes(`-A ${dbChains.ingress} -s ${ip("web")}/32`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "timeout", "revoked");

    // The last task of subnet B stops: its network goes, and with it the VPC's routes.
    await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arns.db }));
    await w.waitTasks([arns.db], "STOPPED");
    await waitKernel("no routes once subnet B's network is gone", (d) => !d.includes(`${routeChain}`), 20_000);
    const networks = (await run("docker", ["network", "ls", "--format", "{{.Name}}"])).stdout;
    assert.ok(!networks.includes(`wharf-${subnetB}`), networks);

    // Stopping the agent leaves nothing of its own in the kernel.
    for (const k of ["web", "neither", "other"] as const) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arns[k] }));
    await w.waitTasks([arns.web, arns.neither, arns.other], "STOPPED");
    await agent.close();
    assert.deepEqual((await filterTable()).split("\n").filter((l) => l.includes(`${prefix}-`)), [], "no chain or hook of the agent left");
  });
});
