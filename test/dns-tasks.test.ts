import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { RunningAgent } from "../src/agent/agent.js";
import { redirectTagFor } from "../src/agent/credentials/redirect.js";
import { AgentWorld, between, waitLogs } from "./helpers/agent-tasks.js";
import { MemoryDnsSource } from "./helpers/dns-memory-source.js";
import { StubUpstream } from "./helpers/dns-stub-upstream.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Tasks' resolver from inside real containers (issue 14's Done-means): a task resolves a
 * namespace's names through 169.254.169.253 (the agent's relay, Wharf's DNS server), a private
 * namespace only from its own VPC, and names that are not Wharf's are forwarded (here to a stub
 * upstream named by the server's resolv.conf). awsvpc tasks ask Docker's embedded resolver
 * (127.0.0.11), which forwards from the task's namespace to 169.254.169.253; bridge tasks ask
 * 169.254.169.253 directly.
 */

const run = promisify(execFile);

/** Each lookup's output between BEGIN-/END- markers, then idling. */
const lookups = (names: Record<string, string>): string[] => [
  "sh",
  "-c",
  "echo BEGIN-RESOLV; cat /etc/resolv.conf; echo END-RESOLV; " +
    Object.entries(names)
      .map(([key, args]) => `echo BEGIN-${key}; nslookup ${args} 2>&1; echo END-${key};`)
      .join(" ") +
    " echo ALL-DONE; sleep 3600",
];

describe("tasks' resolver, 169.254.169.253 (real Docker)", () => {
  const w = new AgentWorld();
  const arns: string[] = [];
  let agent: RunningAgent;
  let dir = "";
  const upstream = new StubUpstream({ "www.example.test": "192.0.2.7" });
  const ns = new MemoryDnsSource("internal.local", [
    { name: "api.internal.local", type: "A", ttl: 15, value: "10.9.0.11" },
    { name: "api.internal.local", type: "SRV", ttl: 15, value: { priority: 1, weight: 1, port: 8080, target: "i-1.api.internal.local" } },
    { name: "i-1.api.internal.local", type: "A", ttl: 15, value: "10.9.0.11" },
  ]);
  const vpcs: string[] = [];
  const privateNs = new MemoryDnsSource("corp.private", [{ name: "db.corp.private", type: "A", ttl: 20, value: "10.9.1.5" }], { vpcIds: vpcs });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wharf-dns-tasks-"));
    w.defer(() => rmSync(dir, { recursive: true, force: true }));
    await upstream.start();
    w.defer(() => upstream.close());
    const resolvConf = join(dir, "resolv.conf");
    writeFileSync(resolvConf, `nameserver ${upstream.address}\n`);
    await w.start("dnstask", { serviceController: false, lbDataPlane: false, extraDnsSources: [ns, privateNs], dnsUpstream: { resolvConf, timeoutMs: 1000 } });
    const vpc = (await w.h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs![0]!.VpcId!;
    vpcs.push(vpc);
    agent = await w.agent();
  });
  after(async () => {
    for (const task of arns) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task })).catch(() => undefined);
    await w.close();
    // Nothing of this agent's left in the nat table.
    const { stdout } = await run("iptables", ["-w", "-t", "nat", "-S", "PREROUTING"]);
    assert.ok(!agent || !stdout.includes(`wharf-dns:${redirectTagFor(agent.containerInstanceArn)}`), stdout);
  });

  async function runOne(input: Omit<ConstructorParameters<typeof RunTaskCommand>[0], "cluster">): Promise<Task> {
    const out = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, ...input }));
    assert.deepEqual(out.failures, []);
    arns.push(out.tasks![0]!.taskArn!);
    return out.tasks![0]!;
  }

  function logsOf(taskArn: string, name: string): Promise<string> {
    return waitFor(
      async () => {
        const t = (await w.describe([taskArn]))[0];
        if (t?.lastStatus === "STOPPED") throw new Error(`task stopped: ${t.stoppedReason}`);
        return t?.containers?.find((c) => c.name === name)?.runtimeId;
      },
      { what: `a runtime id for ${name}`, timeoutMs: 30_000 },
    ).then((id) => waitLogs(id, "ALL-DONE", 60_000));
  }

  it("awsvpc: the namespace's names, the VPC's private namespace, and a forwarded name resolve inside the task", async () => {
    const [subnet] = await w.defaultSubnets(1);
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "dnstask-vpc",
        networkMode: "awsvpc",
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: lookups({ API: "api.internal.local", SRV: "-type=srv api.internal.local", PRIV: "db.corp.private", FWD: "www.example.test", MISSING: "nope.internal.local" }),
          },
        ],
      }),
    );
    const task = await runOne({ taskDefinition: "dnstask-vpc", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } } });
    const logs = await logsOf(task.taskArn!, "app");
    assert.match(between(logs, "API"), /Address:\s*10\.9\.0\.11/, logs);
    assert.match(between(logs, "SRV"), /8080/, logs);
    assert.match(between(logs, "PRIV"), /Address:\s*10\.9\.1\.5/, logs);
    assert.match(between(logs, "FWD"), /Address:\s*192\.0\.2\.7/, logs);
    assert.match(between(logs, "MISSING"), /NXDOMAIN|can't find/, logs);
    assert.equal(privateNs.clients.filter((c) => c.vpcId === vpcs[0]).length > 0, true, "the private namespace was asked with the task's VPC");
    assert.ok(upstream.seen.some((s) => s.name === "www.example.test"), "the forwarded name reached the upstream");
  });

  it("bridge: 169.254.169.253 in resolv.conf; the namespace's names and forwarded ones resolve, the private namespace does not (no VPC)", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "dnstask-bridge",
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: lookups({ API: "api.internal.local", PRIV: "db.corp.private", FWD: "www.example.test" }),
          },
        ],
      }),
    );
    const task = await runOne({ taskDefinition: "dnstask-bridge" });
    const logs = await logsOf(task.taskArn!, "app");
    assert.match(between(logs, "RESOLV"), /nameserver 169\.254\.169\.253/, logs);
    assert.match(between(logs, "API"), /Address:\s*10\.9\.0\.11/, logs);
    assert.match(between(logs, "FWD"), /Address:\s*192\.0\.2\.7/, logs);
    assert.doesNotMatch(between(logs, "PRIV"), /10\.9\.1\.5/, logs);
  });
});
