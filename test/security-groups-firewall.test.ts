import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { SecurityGroupFirewall } from "../src/agent/network/firewall/firewall.js";
import type { NetworkPolicy } from "../src/core/network/security-policy.js";
import type { VpcBridge } from "../src/core/network/vpc-routes.js";
import { hex } from "./helpers/agent-fixtures.js";
import { ALL_EGRESS, eniChains, filterTable, linesOf, removeChains, waitKernel } from "./helpers/security-groups.js";

/**
 * The firewall on the machine's real iptables (no containers needed): idempotent, diffing,
 * repairing what others change, coalescing bursts, sharing the table with other prefixes, and
 * leaving nothing behind.
 */

const run = promisify(execFile);
const policy = (port: number, n = 2): NetworkPolicy => ({
  enis: Array.from({ length: n }, (_, i) => ({
    networkInterfaceId: `eni-${String(i).padStart(17, "0")}`,
    privateIpv4Address: `10.250.77.${10 + i}`,
    subnetId: "subnet-fwtest",
    subnetCidrBlock: "10.250.77.0/24",
    subnetGatewayIpv4Address: "10.250.77.1",
    securityGroupIds: ["sg-a"],
  })),
  groups: [{ GroupId: "sg-a", IpPermissions: [{ IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }], IpPermissionsEgress: ALL_EGRESS }],
  groupMembers: {},
});

describe("SecurityGroupFirewall on real iptables", () => {
  const prefixes = [`WHARF-f${hex(2)}`, `WHARF-g${hex(2)}`];
  const firewalls: SecurityGroupFirewall[] = [];
  const make = (prefix: string, resyncMs = 0) => {
    const fw = new SecurityGroupFirewall({ prefix, resyncMs });
    firewalls.push(fw);
    return fw;
  };
  after(async () => {
    for (const fw of firewalls) await fw.close().catch(() => undefined);
    for (const p of prefixes) await removeChains(p);
  });

  it("applies once, then does nothing for the same policy, and rewrites only what changed", async () => {
    const fw = make(prefixes[0]!);
    await fw.update(policy(5432));
    assert.equal(fw.stats.restores, 1);
    assert.equal(fw.stats.enforcing, true);
    const dump = await filterTable();
    assert.equal(linesOf(dump, prefixes[0]!).filter((l) => l.startsWith(":")).length, 5);
    await fw.update(policy(5432));
    assert.equal(fw.stats.restores, 1, "same policy: no kernel write");
    await fw.update(policy(6543));
    assert.equal(fw.stats.restores, 2);
    assert.deepEqual(fw.stats.lastChange!.written.sort(), [0, 1].map((i) => eniChains(prefixes[0]!, `eni-${String(i).padStart(17, "0")}`).ingress).sort());
    assert.ok((await filterTable()).includes("--dport 6543"));
  });

  it("coalesces a burst into few restores ending at the last policy", async () => {
    const fw = make(prefixes[0]!);
    const burst = Array.from({ length: 20 }, (_, i) => fw.update(policy(7000 + i)));
    await Promise.all(burst);
    assert.ok(fw.stats.restores <= 3, `restores: ${fw.stats.restores}`);
    const dump = await filterTable();
    assert.ok(dump.includes("--dport 7019") && !dump.includes("--dport 7018"));
    await fw.close();
    assert.deepEqual(linesOf(await filterTable(), prefixes[0]!), []);
  });

  it("repairs a deleted rule and a deleted hook at the next resync", async () => {
    const fw = make(prefixes[0]!, 100);
    await fw.update(policy(8080));
    const { ingress } = eniChains(prefixes[0]!, `eni-${"0".padStart(17, "0")}`);
    await run("iptables", ["-D", ingress, "-s", "10.0.0.0/8", "-p", "tcp", "--dport", "8080", "-j", "RETURN"]);
    await waitKernel("rule restored", (d) => d.includes(`-A ${ingress} -s 10.0.0.0/8 -p tcp -m tcp --dport 8080 -j RETURN`), 5_000);
    await run("iptables", ["-D", "DOCKER-USER", "-j", `${prefixes[0]}-SG`]);
    await waitKernel("hook restored", (d) => d.includes(`-A DOCKER-USER -j ${prefixes[0]}-SG`), 5_000);
    await fw.close(); // its resyncs would fight the next test over the prefix
  });

  it("shares the table with another prefix; closing one leaves the other whole", async () => {
    const a = make(prefixes[0]!);
    const b = make(prefixes[1]!);
    await Promise.all([a.update(policy(9000)), b.update(policy(9001, 1))]);
    const before = linesOf(await filterTable(), prefixes[1]!);
    assert.equal(before.filter((l) => l.startsWith(":")).length, 3);
    await a.close();
    const dump = await filterTable();
    assert.deepEqual(linesOf(dump, prefixes[0]!), []);
    assert.deepEqual(linesOf(dump, prefixes[1]!), before);
    await b.close();
    assert.deepEqual(linesOf(await filterTable(), prefixes[1]!), []);
  });

  it("routes one VPC's bridges after every agent's SG hook, follows networksChanged, and removes the routes on close", async () => {
    const other = make(prefixes[1]!);
    await other.update(policy(9100, 1));
    const bridges: VpcBridge[] = [
      { vpcId: "vpc-fw", subnetId: "subnet-fwa", cidrBlock: "10.250.78.0/24", bridge: "br-fwtesta" },
      { vpcId: "vpc-fw", subnetId: "subnet-fwb", cidrBlock: "10.250.79.0/24", bridge: "br-fwtestb" },
    ];
    let listed = bridges;
    const fw = new SecurityGroupFirewall({ prefix: prefixes[0]!, resyncMs: 0, bridges: async () => listed });
    firewalls.push(fw);
    await fw.update({ enis: [], groups: [], groupMembers: {} });
    const route = `${prefixes[0]}-VPC`;
    let dump = await filterTable();
    assert.ok(dump.includes(`-A ${route} -s 10.250.78.0/24 -d 10.250.79.0/24 -i br-fwtesta -o br-fwtestb -j ACCEPT`), dump);
    assert.ok(dump.includes(`-A ${route} -s 10.250.79.0/24 -d 10.250.78.0/24 -i br-fwtestb -o br-fwtesta -j ACCEPT`), dump);
    const user = dump.split("\n").filter((l) => l.startsWith("-A DOCKER-USER "));
    const at = (r: string) => user.indexOf(`-A DOCKER-USER ${r}`);
    assert.ok(at(`-j ${prefixes[1]}-SG`) >= 0 && at(`-j ${prefixes[1]}-SG`) < at(`-j ${route}`), user.join("\n"));
    assert.ok(at("-j RETURN") < 0 || at(`-j ${route}`) < at("-j RETURN"), user.join("\n"));
    // Another agent's SG hook inserted later lands at the top, still before the route hook.
    await fw.update(policy(9200, 1));
    dump = await filterTable();
    const user2 = dump.split("\n").filter((l) => l.startsWith("-A DOCKER-USER "));
    assert.ok(user2.indexOf(`-A DOCKER-USER -j ${prefixes[0]}-SG`) < user2.indexOf(`-A DOCKER-USER -j ${route}`), user2.join("\n"));
    // One network gone: nothing left to route.
    listed = bridges.slice(0, 1);
    await fw.networksChanged();
    assert.ok(!(await filterTable()).includes(route));
    listed = bridges;
    await fw.networksChanged();
    assert.ok((await filterTable()).includes(`-A DOCKER-USER -j ${route}`));
    await fw.close();
    assert.deepEqual(linesOf(await filterTable(), prefixes[0]!), [], "close removes the routes and their hook");
    await other.close();
  });

  it("does not fail the agent when iptables cannot be used", async () => {
    const logs: { msg?: unknown }[] = [];
    const broken = { save: async () => Promise.reject(new Error("iptables-save: Permission denied (you must be root)")), restore: async () => undefined };
    const fw = new SecurityGroupFirewall({ prefix: "WHARF-broken", iptables: broken, resyncMs: 0, log: (l) => logs.push(l) });
    await fw.update({ enis: [], groups: [], groupMembers: {} });
    assert.equal(logs.length, 0, "nothing to enforce: silent");
    await fw.update(policy(1));
    assert.equal(fw.stats.enforcing, false);
    assert.match(fw.stats.lastError!, /Permission denied/);
    assert.ok(logs.some((l) => l.msg === "security groups are not enforced"));
  });
});
