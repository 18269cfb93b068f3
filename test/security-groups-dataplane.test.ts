import { CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { catalogPolicyProvider, taskGroupMembers } from "../src/api/network-policy.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { connect, eniChains, filterTable, linesOf, removeChains, TestGroups, waitKernel } from "./helpers/security-groups.js";

/**
 * Security groups enforced between awsvpc tasks, for real: a control plane whose network policy
 * comes from a test-controlled group catalog (rules set directly, over groups the EC2 API
 * holds; test/ec2-tasks.test.ts goes through the EC2 API's own rules), a real agent, real
 * containers on a subnet's Docker bridge, and the kernel's iptables.
 */

const BUSYBOX = "wharf-test/busybox:latest";
const detail = (t: Task, name: string) =>
  (t.attachments ?? []).find((a) => a.type === "ElasticNetworkInterface")?.details?.find((d) => d.name === name)?.value;

describe("security groups on task ENIs (real Docker, real iptables)", () => {
  const world = new AgentWorld();
  let prefix = "";
  after(async () => {
    await world.close();
    if (prefix) await removeChains(prefix);
  });

  it("web reaches db:5432, other does not; revoking cuts the next connection, granting restores it; egress binds; cleanup leaves nothing", async () => {
    const groups = new TestGroups();
    const provider = catalogPolicyProvider({
      onChange: groups.onChange,
      async catalog() {
        const members = await taskGroupMembers(world.h.server.deps.store);
        return { group: (id) => groups.groups.get(id), members: (id) => members.get(id) ?? [] };
      },
    });
    const w = await world.start("sgfw", { networkPolicy: provider });
    const agent = await w.agent({ pollWaitMs: 20_000, eniLimit: 10 });
    prefix = agent.firewall!.prefix;
    assert.match(prefix, /^WHARF-[0-9a-f]{6}$/);
    const [subnet] = await w.defaultSubnets(1);
    const id = hex(4);
    // Real EC2 groups (RunTask refuses ids the EC2 API does not know); their rules here come from
    // the test's catalog instead, which does not list the stranger's group at all.
    const group = async (name: string) =>
      (await w.h.ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${id}`, Description: name }))).GroupId!;
    const [sgDb, sgWeb, sgOther, sgNope] = [await group("db"), await group("web"), await group("other"), await group("nope")];
    const from = (group: string, port = 5432) => [{ IpProtocol: "tcp", FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: group }] }];
    groups.set(sgDb, from(sgWeb));
    groups.set(sgWeb, []);
    groups.set(sgOther, []);

    const container = { image: BUSYBOX, memory: 32, essential: true, stopTimeout: 1 };
    await w.h.ecs.send(new RegisterTaskDefinitionCommand({
      family: `sg-server-${id}`,
      networkMode: "awsvpc",
      containerDefinitions: [{ ...container, name: "db", command: ["nc", "-ll", "-p", "5432", "-e", "echo", "pong"] }],
    }));
    await w.h.ecs.send(new RegisterTaskDefinitionCommand({
      family: `sg-client-${id}`,
      networkMode: "awsvpc",
      containerDefinitions: [{ ...container, name: "client", command: ["sleep", "3600"] }],
    }));
    const runIn = async (family: string, group: string) => {
      const out = await w.h.ecs.send(new RunTaskCommand({
        cluster: w.cluster,
        taskDefinition: family,
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!], securityGroups: [group] } },
      }));
      assert.deepEqual(out.failures, []);
      return out.tasks![0]!.taskArn!;
    };
    const arns = {
      db: await runIn(`sg-server-${id}`, sgDb),
      web: await runIn(`sg-client-${id}`, sgWeb),
      other: await runIn(`sg-client-${id}`, sgOther),
      // A group the catalog does not know: the task is not filtered.
      stranger: await runIn(`sg-server-${id}`, sgNope),
    };
    const tasks = await w.waitTasks(Object.values(arns), "RUNNING");
    const byArn = new Map(tasks.map((t) => [t.taskArn!, t]));
    const ip = (k: keyof typeof arns) => detail(byArn.get(arns[k])!, "privateIPv4Address")!;
    const eni = (k: keyof typeof arns) => detail(byArn.get(arns[k])!, "networkInterfaceId")!;
    const cid = (k: keyof typeof arns) => byArn.get(arns[k])!.containers![0]!.runtimeId!;
    const db = eniChains(prefix, eni("db"));
    const web = eniChains(prefix, eni("web"));
    const other = eniChains(prefix, eni("other"));

    // Three ENIs are filtered (not the stranger's); db admits web's address on 5432 only.
    await waitKernel("three filtered ENIs", (d) => linesOf(d, prefix).filter((l) => l.startsWith(`:${prefix}-I`)).length === 3);
    const dump = linesOf(await filterTable(), prefix);
    assert.ok(dump.includes(`-A DOCKER-USER -j ${prefix}-SG`), "hooked from DOCKER-USER");
    assert.ok(dump.includes(`-A ${db.ingress} -s ${ip("web")}/32 -p tcp -m tcp --dport 5432 -j RETURN`), dump.join("\n"));
    assert.ok(!dump.some((l) => l.includes(eniChains(prefix, eni("stranger")).ingress)));

    assert.equal(await connect(cid("web"), ip("db"), 5432), "ok", "web → db:5432");
    // (on failure, what the kernel had: this agent's chains and every hook, for the diagnosis)
    const kernel = async () =>
      (await filterTable()).split("\n").filter((l) => l.includes(prefix) || /^-A (DOCKER-USER|FORWARD) /.test(l)).join("\n");
    const otherToDb = await connect(cid("other"), ip("db"), 5432);
    assert.equal(otherToDb, "timeout", `other → db:5432 is dropped\n${otherToDb === "timeout" ? "" : await kernel()}`);
    assert.equal(await connect(cid("other"), ip("stranger"), 5432), "ok", "a task of unknown groups is not filtered");

    // Revoke: once the kernel has it, the next connection is cut.
    groups.set(sgDb, []);
    const revokeMs = await waitKernel("db's ingress rule gone", (d) => !d.includes(`-A ${db.ingress} -s ${ip("web")}/32`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "timeout", "revoked");
    // Grant again: the next connection passes.
    groups.set(sgDb, from(sgWeb));
    const grantMs = await waitKernel("db's ingress rule back", (d) => d.includes(`-A ${db.ingress} -s ${ip("web")}/32`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "ok", "granted again");

    // Egress: web without egress rules cannot open the connection db would accept.
    groups.set(sgWeb, [], []);
    await waitKernel("web's egress closed", (d) => !d.includes(`-A ${web.egress} -j RETURN`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "timeout", "egress removed");
    groups.set(sgWeb, []);
    await waitKernel("web's egress open", (d) => d.includes(`-A ${web.egress} -j RETURN`));
    assert.equal(await connect(cid("web"), ip("db"), 5432), "ok", "egress back");

    // A new member of web is let in by db's rule (membership follows tasks).
    const web2 = await runIn(`sg-client-${id}`, sgWeb);
    const [t2] = await w.waitTasks([web2], "RUNNING");
    const ip2 = detail(t2!, "privateIPv4Address")!;
    await waitKernel("web2 admitted by db", (d) => d.includes(`-A ${db.ingress} -s ${ip2}/32 -p tcp -m tcp --dport 5432 -j RETURN`));
    assert.equal(await connect(t2!.containers![0]!.runtimeId!, ip("db"), 5432), "ok", "web2 → db:5432");

    // A stopped task's chains go; the agent's shutdown removes the rest, hook included.
    await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arns.other }));
    await waitKernel("other's chains removed", (d) => !d.includes(other.ingress) && !d.includes(other.egress));
    await agent.close();
    await waitKernel("nothing of the prefix left", (d) => linesOf(d, prefix).length === 0, 2_000);
    console.log(`# revoke applied in ${revokeMs} ms, grant in ${grantMs} ms (kernel polled every 25 ms)`);
  });
});
