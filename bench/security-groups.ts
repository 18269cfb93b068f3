/**
 * Security group rule application latency: a policy change → its rules in force in the kernel.
 *
 * 1. The agent's firewall alone (src/agent/network/firewall/), on the real iptables, for hosts
 *    with 10, 50 and 200 task ENIs (each in 2 of 5 groups; a group has 4 CIDR/port rules and
 *    one rule from a 20-member group; egress all): the first apply, a change of one group's rule
 *    (every ENI of the group gets its ingress chain rewritten), an unchanged policy. Baselines
 *    in the same run: `iptables-restore --noflush` of the very scripts the firewall produced
 *    (the kernel write alone), and one `iptables-save -t filter` (the read the diff needs).
 * 2. End to end: a control plane whose policy comes from an in-process group catalog, a real
 *    agent and one running awsvpc task; a rule toggled 20 times; the time from the catalog's
 *    change to the agent's restore having returned (the held poll answers, the agent compiles,
 *    diffs and applies).
 *
 * Run as root: `node dist/bench/security-groups.js [--samples 20] [--write]`
 * (`--write` replaces the "## Security group rule application" section of docs/benchmarks.md).
 */
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { SecurityGroupFirewall } from "../src/agent/network/firewall/firewall.js";
import { type IptablesBackend, systemIptables } from "../src/agent/network/firewall/iptables.js";
import { catalogPolicyProvider, taskGroupMembers } from "../src/api/network-policy.js";
import type { NetworkPolicy, PolicySecurityGroup } from "../src/core/network/security-policy.js";
import { CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import { AgentWorld } from "../test/helpers/agent-tasks.js";
import { removeChains, TestGroups } from "../test/helpers/security-groups.js";
import { RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { writeBenchSection } from "./lib/docs-section.js";
import { percentile } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { samples: { type: "string", default: "20" }, write: { type: "boolean", default: false } } });
const SAMPLES = Math.max(5, Number(args.samples));
const now = () => performance.now();
const pct = percentile;
const f = (ms: number) => ms.toFixed(1);

function hostPolicy(enis: number, port: number): NetworkPolicy {
  const group = (i: number): PolicySecurityGroup => ({
    GroupId: `sg-bench${i}`,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: i === 0 ? port : 80, ToPort: i === 0 ? port : 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
      { IpProtocol: "tcp", FromPort: 8000, ToPort: 8100, IpRanges: [{ CidrIp: "192.168.0.0/16" }, { CidrIp: "172.16.0.0/12" }] },
      { IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "10.249.0.0/16" }] },
      { IpProtocol: "icmp", FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-members" }] },
    ],
    IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
  });
  return {
    enis: Array.from({ length: enis }, (_, i) => ({
      networkInterfaceId: `eni-${String(i).padStart(17, "0")}`,
      privateIpv4Address: `10.249.${Math.floor(i / 250)}.${4 + (i % 250)}`,
      subnetId: "subnet-bench",
      subnetCidrBlock: "10.249.0.0/16",
      subnetGatewayIpv4Address: "10.249.0.1",
      securityGroupIds: [`sg-bench${i % 5}`, `sg-bench${(i + 1) % 5}`],
    })),
    groups: Array.from({ length: 5 }, (_, i) => group(i)),
    groupMembers: { "sg-members": Array.from({ length: 20 }, (_, i) => `10.248.0.${10 + i}`) },
  };
}

/** The system's iptables, recording each restore's script and duration. */
function recording(): IptablesBackend & { scripts: string[] } {
  const sys = systemIptables();
  const scripts: string[] = [];
  return { scripts, save: () => sys.save(), restore: async (s) => (scripts.push(s), sys.restore(s)) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

interface SizeRow { enis: number; rules: number; full: number; changeP50: number; changeP95: number; chains: number; same: number; rawRestore: number; save: number }

async function firewallOnly(enis: number): Promise<SizeRow> {
  const prefix = `WHARF-b${enis}`;
  await removeChains(prefix);
  const ipt = recording();
  const fulls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const first = new SecurityGroupFirewall({ prefix, iptables: ipt, resyncMs: 0 });
    fulls.push(await timed(() => first.update(hostPolicy(enis, 6000))));
    await first.close();
  }
  const fw2 = new SecurityGroupFirewall({ prefix, iptables: ipt, resyncMs: 0 });
  await fw2.update(hostPolicy(enis, 6000));
  const changes: number[] = [];
  const scriptsBefore = ipt.scripts.length;
  for (let i = 0; i < SAMPLES; i++) changes.push(await timed(() => fw2.update(hostPolicy(enis, 6001 + i))));
  const chains = fw2.stats.lastChange!.written.length;
  const same: number[] = [];
  for (let i = 0; i < SAMPLES; i++) same.push(await timed(() => fw2.update(hostPolicy(enis, 6000 + SAMPLES))));
  const scripts = ipt.scripts.slice(scriptsBefore);
  const raw: number[] = [];
  for (const s of scripts) raw.push(await timed(() => systemIptables().restore(s)));
  const saves: number[] = [];
  for (let i = 0; i < SAMPLES; i++) saves.push(await timed(() => systemIptables().save()));
  const rules = scripts.length ? (await systemIptables().save()).split("\n").filter((l) => l.startsWith(`-A ${prefix}-`)).length : 0;
  await fw2.close();
  await removeChains(prefix);
  return { enis, rules, full: pct(fulls, 50), changeP50: pct(changes, 50), changeP95: pct(changes, 95), chains, same: pct(same, 50), rawRestore: pct(raw, 50), save: pct(saves, 50) };
}

/** Catalog change → the agent's restore returned, through a real control plane and agent. */
async function endToEnd(): Promise<number[]> {
  const groups = new TestGroups();
  const world = new AgentWorld();
  const applied: (() => void)[] = [];
  try {
    const provider = catalogPolicyProvider({
      onChange: groups.onChange,
      async catalog() {
        const members = await taskGroupMembers(world.h.server.deps.store);
        return { group: (id) => groups.groups.get(id), members: (id) => members.get(id) ?? [] };
      },
    });
    await world.start("sgbench", { networkPolicy: provider });
    const agent = await world.agent({
      pollWaitMs: 20_000,
      log: (l) => {
        if (l.msg === "security group rules applied") for (const w of applied.splice(0)) w();
      },
    });
    const [subnet] = await world.defaultSubnets(1);
    const app = (await world.h.ec2.send(new CreateSecurityGroupCommand({ GroupName: "sg-bench", Description: "bench" }))).GroupId!;
    groups.set(app, []);
    await world.h.ecs.send(new RegisterTaskDefinitionCommand({
      family: "sg-bench",
      networkMode: "awsvpc",
      containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32, command: ["sleep", "3600"], stopTimeout: 1 }],
    }));
    const arn = (await world.h.ecs.send(new RunTaskCommand({
      cluster: world.cluster,
      taskDefinition: "sg-bench",
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!], securityGroups: [app] } },
    }))).tasks![0]!.taskArn!;
    await world.waitTasks([arn], "RUNNING");
    while (agent.firewall!.stats.restores === 0) await new Promise((r) => setTimeout(r, 10));
    const out: number[] = [];
    for (let i = 0; i < SAMPLES + 2; i++) {
      const done = new Promise<void>((r) => applied.push(r));
      const t = now();
      groups.set(app, i % 2 ? [] : [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }]);
      await done;
      if (i >= 2) out.push(now() - t); // two warm-up toggles
    }
    return out;
  } finally {
    await world.close();
  }
}

const rows: SizeRow[] = [];
for (const n of [10, 50, 200]) {
  rows.push(await firewallOnly(n));
  console.log(JSON.stringify(rows.at(-1)));
}
const e2e = await endToEnd();
console.log(JSON.stringify({ e2e }));
const ipt = (await systemIptables().save()).match(/iptables-save v[\d.]+ \([a-z_]+\)/)?.[0] ?? "iptables";
const section = `## Security group rule application

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`node dist/bench/security-groups.js --samples ${SAMPLES}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${ipt.replace("iptables-save", "iptables")}; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end.
The agent's firewall alone, on the real kernel: a host with N task ENIs, each in 2 of 5 groups (4 CIDR/port rules and one rule from a 20-member group per group, egress all). "One rule changed" edits a port of one group's rule, so every ENI in that group gets its ingress chain rewritten in one \`iptables-restore --noflush\`; the baselines replay the very scripts the firewall produced with a bare \`iptables-restore --noflush\`, and read the table once with \`iptables-save -t filter\` (the read the diff needs). Medians unless marked; ${SAMPLES} samples per cell (first apply: 3).

| ENIs | rules in the kernel | first apply ms | one rule changed ms (p50 · p95) | chains rewritten | unchanged policy ms | baseline: bare iptables-restore ms | baseline: iptables-save ms |
|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.enis} | ${r.rules} | ${f(r.full)} | ${f(r.changeP50)} · ${f(r.changeP95)} | ${r.chains} | ${f(r.same)} | ${f(r.rawRestore)} | ${f(r.save)} |`).join("\n")}

End to end (a group's rule toggled in the control plane's catalog → the held agent poll answers → the agent compiles, diffs and its restore has returned, i.e. the rule is in force), one awsvpc task on a real agent: p50 ${f(pct(e2e, 50))} ms, p95 ${f(pct(e2e, 95))} ms, max ${f(Math.max(...e2e))} ms over ${e2e.length} changes. Goal (issue 12): a change applies to running tasks within a second.
`;
console.log(section);
if (args.write) writeBenchSection("Security group rule application", section);
