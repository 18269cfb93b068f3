import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePolicy, type CompiledFirewall } from "../../src/core/network/compile-policy.js";
import { protocolMatch } from "../../src/core/network/permission-match.js";
import {
  EMPTY_NETWORK_POLICY,
  type NetworkPolicy,
  type PolicyEni,
  type PolicySecurityGroup,
  policyForTasks,
} from "../../src/core/network/security-policy.js";
import { runChain, type Packet } from "./iptables-eval.js";

/** Example-based checks of the security group compiler; the property test is security-policy-prop.test.ts. */

const PREFIX = "WHARF-unit1";
const eni = (id: string, ip: string, groups: string[]): PolicyEni => ({
  networkInterfaceId: id,
  privateIpv4Address: ip,
  subnetId: "subnet-a",
  subnetCidrBlock: "10.1.0.0/24",
  subnetGatewayIpv4Address: "10.1.0.1",
  securityGroupIds: groups,
});
const ALL_OUT = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }];
const group = (id: string, ingress: PolicySecurityGroup["IpPermissions"], egress = ALL_OUT): PolicySecurityGroup => ({
  GroupId: id,
  IpPermissions: ingress,
  IpPermissionsEgress: egress,
});

/** web (sg-web), db (sg-db: 5432 from sg-web), other (sg-other). */
const WORLD: NetworkPolicy = {
  enis: [eni("eni-db", "10.1.0.10", ["sg-db"]), eni("eni-web", "10.1.0.11", ["sg-web"]), eni("eni-other", "10.1.0.12", ["sg-other"])],
  groups: [
    group("sg-db", [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-web" }] }]),
    group("sg-web", [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]),
    group("sg-other", []),
  ],
  groupMembers: { "sg-web": ["10.1.0.11"] },
};

const chainsOf = (c: CompiledFirewall) => new Map(c.chains.map((ch) => [ch.name, ch.rules]));
const verdict = (c: CompiledFirewall, p: Partial<Packet> & Pick<Packet, "src" | "dst">) =>
  c.entry ? runChain(chainsOf(c), c.entry, { proto: 6, dport: 5432, ctstate: "NEW", ...p }) : "RETURN";

describe("compilePolicy", () => {
  const c = compilePolicy(WORLD, PREFIX);

  it("names an entry chain and an ingress and egress chain per ENI, each led by its hash comment", () => {
    assert.equal(c.entry, "WHARF-unit1-SG");
    assert.equal(c.chains[0]!.name, c.entry);
    assert.equal(c.chains.length, 7);
    for (const ch of c.chains) {
      assert.match(ch.name, /^WHARF-unit1-(SG|[IE][0-9a-f]{10})$/);
      assert.ok(ch.name.length <= 28, ch.name);
      assert.deepEqual(ch.rules[0], ["-m", "comment", "--comment", `wharf:${ch.hash}`]);
    }
    assert.deepEqual(c.warnings, []);
  });

  it("writes exactly these rules for the db ENI", () => {
    const entry = c.chains[0]!.rules.slice(1).map((r) => r.join(" "));
    assert.equal(entry[0], "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
    const [egress, ingress] = [entry[1]!, entry[2]!];
    assert.match(egress, /^-s 10\.1\.0\.10\/32 -j WHARF-unit1-E[0-9a-f]{10}$/);
    assert.match(ingress, /^-d 10\.1\.0\.10\/32 -j WHARF-unit1-I[0-9a-f]{10}$/);
    const rules = (name: string) => chainsOf(c).get(name)!.slice(1).map((r) => r.join(" "));
    assert.deepEqual(rules(ingress.split(" -j ")[1]!), ["-s 10.1.0.1/32 -j RETURN", "-s 10.1.0.11/32 -p tcp --dport 5432 -j RETURN", "-j DROP"]);
    assert.deepEqual(rules(egress.split(" -j ")[1]!), ["-d 10.1.0.1/32 -j RETURN", "-j RETURN", "-j DROP"]);
  });

  it("lets web reach db on 5432 and nobody else, nothing on other ports; replies pass", () => {
    assert.equal(verdict(c, { src: "10.1.0.11", dst: "10.1.0.10" }), "RETURN");
    assert.equal(verdict(c, { src: "10.1.0.12", dst: "10.1.0.10" }), "DROP");
    assert.equal(verdict(c, { src: "10.1.0.11", dst: "10.1.0.10", dport: 5433 }), "DROP");
    assert.equal(verdict(c, { src: "10.1.0.11", dst: "10.1.0.10", proto: 17 }), "DROP");
    // db answering web: its own connection's packets are ESTABLISHED.
    assert.equal(verdict(c, { src: "10.1.0.10", dst: "10.1.0.11", dport: 40000, ctstate: "ESTABLISHED" }), "RETURN");
    // db opening a connection to web on 40000: web's ingress only has 80.
    assert.equal(verdict(c, { src: "10.1.0.10", dst: "10.1.0.11", dport: 40000 }), "DROP");
    assert.equal(verdict(c, { src: "10.1.0.10", dst: "10.1.0.11", dport: 80 }), "RETURN");
  });

  it("always lets the gateway (the host) in and out", () => {
    assert.equal(verdict(c, { src: "10.1.0.1", dst: "10.1.0.12", dport: 22 }), "RETURN");
    const closed = compilePolicy({ ...WORLD, groups: WORLD.groups.map((g) => ({ ...g, IpPermissionsEgress: [] })) }, PREFIX);
    assert.equal(verdict(closed, { src: "10.1.0.12", dst: "10.1.0.1", dport: 51678 }), "RETURN");
    assert.equal(verdict(closed, { src: "10.1.0.12", dst: "8.8.8.8", dport: 53, proto: 17 }), "DROP");
  });

  it("egress rules bind the sender: removing web's egress cuts web → db", () => {
    const noEgress = compilePolicy(
      { ...WORLD, groups: WORLD.groups.map((g) => (g.GroupId === "sg-web" ? { ...g, IpPermissionsEgress: [] } : g)) },
      PREFIX,
    );
    assert.equal(verdict(noEgress, { src: "10.1.0.11", dst: "10.1.0.10" }), "DROP");
    const onlyDb = compilePolicy(
      {
        ...WORLD,
        groups: WORLD.groups.map((g) =>
          g.GroupId === "sg-web" ? { ...g, IpPermissionsEgress: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "10.1.0.8/29" }] }] } : g,
        ),
      },
      PREFIX,
    );
    assert.equal(verdict(onlyDb, { src: "10.1.0.11", dst: "10.1.0.10" }), "RETURN");
    assert.equal(verdict(onlyDb, { src: "10.1.0.11", dst: "1.1.1.1", dport: 443 }), "DROP");
  });

  it("leaves addresses that are not listed ENIs alone", () => {
    assert.equal(verdict(c, { src: "10.1.0.50", dst: "10.1.0.51", dport: 1 }), "RETURN");
    assert.deepEqual(compilePolicy(EMPTY_NETWORK_POLICY, PREFIX), { chains: [], warnings: [] });
  });

  it("is deterministic and changes only the chains whose rules change", () => {
    const again = compilePolicy({ ...WORLD, enis: [...WORLD.enis].reverse() }, PREFIX);
    assert.deepEqual(again, c);
    const revoked = compilePolicy({ ...WORLD, groups: WORLD.groups.map((g) => (g.GroupId === "sg-db" ? { ...g, IpPermissions: [] } : g)) }, PREFIX);
    const changed = revoked.chains.filter((ch, i) => ch.hash !== c.chains[i]!.hash).map((ch) => ch.name);
    assert.equal(changed.length, 1);
    assert.match(changed[0]!, /-I/);
  });

  it("warns about what it cannot enforce and refuses bad prefixes", () => {
    const odd = compilePolicy(
      {
        enis: [eni("eni-x", "10.1.0.20", ["sg-x", "sg-missing"]), eni("eni-x", "10.1.0.21", ["sg-x"]), eni("eni-bad", "nope", ["sg-x"])],
        groups: [
          group("sg-x", [
            { IpProtocol: "icmpv6", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            { IpProtocol: "tcp", FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "300.0.0.0/8" }] },
          ]),
        ],
        groupMembers: {},
      },
      PREFIX,
    );
    assert.equal(odd.chains.length, 3);
    assert.equal(odd.warnings.length, 6, odd.warnings.join("\n"));
    assert.ok(odd.warnings.some((w) => /sg-missing is not in the policy/.test(w)));
    assert.throws(() => compilePolicy(WORLD, "DOCKER"), /firewall prefix/);
    assert.throws(() => compilePolicy(WORLD, "WHARF-toolong1"), /firewall prefix/);
  });
});

describe("protocolMatch (EC2's protocol and port semantics)", () => {
  it("reads names, numbers and -1", () => {
    assert.deepEqual(protocolMatch({ IpProtocol: "-1", FromPort: 5, ToPort: 6 }), { kind: "all" });
    assert.deepEqual(protocolMatch({ IpProtocol: "6", FromPort: 80, ToPort: 90 }), { kind: "ports", proto: "tcp", from: 80, to: 90 });
    assert.deepEqual(protocolMatch({ IpProtocol: "UDP", FromPort: -1, ToPort: -1 }), { kind: "ports", proto: "udp", from: 0, to: 65535 });
    assert.deepEqual(protocolMatch({ IpProtocol: "icmp", FromPort: 8, ToPort: -1 }), { kind: "icmp", type: 8 });
    assert.deepEqual(protocolMatch({ IpProtocol: "1", FromPort: 3, ToPort: 4 }), { kind: "icmp", type: 3, code: 4 });
    assert.deepEqual(protocolMatch({ IpProtocol: "icmp", FromPort: -1, ToPort: -1 }), { kind: "icmp" });
    // "a protocol number other than tcp, udp, icmp, or icmpv6 allows traffic on all ports"
    assert.deepEqual(protocolMatch({ IpProtocol: "50", FromPort: 1, ToPort: 2 }), { kind: "number", proto: 50 });
    assert.equal(protocolMatch({ IpProtocol: "58" }).kind, "skip");
    assert.equal(protocolMatch({ IpProtocol: "sctp" }).kind, "skip");
    assert.equal(protocolMatch({ IpProtocol: "256" }).kind, "skip");
  });
});

describe("policyForTasks", () => {
  const catalog = {
    group: (id: string) => WORLD.groups.find((g) => g.GroupId === id),
    members: (id: string) => (id === "sg-web" ? ["10.9.0.5", "10.1.0.11"] : []),
  };
  it("lists only ENIs whose groups are all known, with the members of referenced groups", () => {
    const p = policyForTasks(
      [eni("eni-db", "10.1.0.10", ["sg-db"]), eni("eni-unknown", "10.1.0.13", ["sg-db", "sg-nope"]), eni("eni-none", "10.1.0.14", [])],
      catalog,
    );
    assert.deepEqual(p.enis.map((e) => e.networkInterfaceId), ["eni-db"]);
    assert.deepEqual(p.groups.map((g) => g.GroupId), ["sg-db"]);
    assert.deepEqual(p.groupMembers, { "sg-web": ["10.1.0.11", "10.9.0.5"] });
  });
});
