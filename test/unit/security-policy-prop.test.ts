import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compilePolicy } from "../../src/core/network/compile-policy.js";
import type { NetworkPolicy, PolicyPermission, PolicySecurityGroup } from "../../src/core/network/security-policy.js";
import { runChain, type Packet } from "./iptables-eval.js";

/**
 * Random security groups, ENIs and packets: the compiled iptables rules (run by a tiny
 * iptables evaluator) drop a packet iff EC2's semantics, written out here from EC2's
 * documentation and sharing no code with the compiler, refuse it.
 */

const SUBNETS = [
  { cidr: "10.1.0.0/24", gw: "10.1.0.1", prefix: "10.1.0" },
  { cidr: "10.2.0.0/24", gw: "10.2.0.1", prefix: "10.2.0" },
];
/** Addresses packets use: ENI candidates, the gateways, and outsiders. */
const ENI_IPS = ["10.1.0.4", "10.1.0.5", "10.1.0.6", "10.2.0.4", "10.2.0.9"];
const OUTSIDERS = ["10.1.0.1", "10.2.0.1", "10.1.0.200", "192.168.5.5", "8.8.8.8"];
const ADDRS = [...ENI_IPS, ...OUTSIDERS];
const GROUP_IDS = ["sg-a", "sg-b", "sg-c", "sg-d"];
const CIDRS = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/24", "10.1.0.4/31", "10.2.0.9/32", "10.1.0.6", "192.168.0.0/16", "8.8.8.8/32", "10.1.0.77/25"];
const PROTOS = ["-1", "tcp", "udp", "icmp", "6", "17", "1", "47", "50", "58", "icmpv6"];
const PORTS = [-1, 0, 22, 80, 443, 5432, 8080, 65535];
const SPANS = [0, 0, 1, 100, 70000];
/** Every range boundary the generators can make, and its neighbours. */
const PACKET_PORTS = [
  ...new Set(
    PORTS.filter((p) => p >= 0).flatMap((p) => SPANS.flatMap((s) => [p - 1, p, p + s, p + s + 1])).filter((p) => p >= 0 && p <= 65535),
  ),
];

// --- EC2's semantics, from the IpPermission reference --------------------------------------
const protoNumber = (s: string): number | undefined => {
  const names: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
  const v = s.toLowerCase();
  return v in names ? names[v] : /^\d+$/.test(v) ? Number(v) : undefined;
};
const ipNum = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, len = "32"] = cidr.split("/");
  const bits = Number(len);
  const shift = 32 - bits;
  return bits === 0 || Math.floor(ipNum(ip) / 2 ** shift) === Math.floor(ipNum(base!) / 2 ** shift);
}
function permissionAllows(p: PolicyPermission, peer: string, pkt: Packet, members: Record<string, string[]>): boolean {
  const peerOk =
    (p.IpRanges ?? []).some((r) => inCidr(peer, r.CidrIp)) ||
    (p.UserIdGroupPairs ?? []).some((g) => (members[g.GroupId] ?? []).includes(peer));
  if (!peerOk) return false;
  if (p.IpProtocol === "-1") return true;
  const n = protoNumber(p.IpProtocol);
  if (n === undefined || n === 58 || n !== pkt.proto) return false; // icmpv6 never matches IPv4
  const all = (v: number | undefined) => v === undefined || v === -1;
  if (n === 6 || n === 17) {
    if (all(p.FromPort) || all(p.ToPort)) return true;
    return pkt.dport! >= p.FromPort! && pkt.dport! <= p.ToPort!;
  }
  if (n === 1) return all(p.FromPort) || (p.FromPort === pkt.icmpType && (all(p.ToPort) || p.ToPort === pkt.icmpCode));
  return true; // other protocols: all ports
}
function ec2Allows(policy: NetworkPolicy, pkt: Packet): boolean {
  if (pkt.ctstate === "ESTABLISHED" || pkt.ctstate === "RELATED") return true; // stateful
  const groups = new Map(policy.groups.map((g) => [g.GroupId, g]));
  const side = (ip: string, dir: "in" | "out", peer: string) => {
    const eni = policy.enis.find((e) => e.privateIpv4Address === ip);
    if (!eni) return true; // not filtered
    if (peer === eni.subnetGatewayIpv4Address) return true; // the host
    return eni.securityGroupIds.some((id) => {
      const g = groups.get(id);
      const perms = g ? (dir === "in" ? g.IpPermissions : g.IpPermissionsEgress) : [];
      return perms.some((p) => permissionAllows(p, peer, pkt, policy.groupMembers));
    });
  };
  return side(pkt.src, "out", pkt.dst) && side(pkt.dst, "in", pkt.src);
}

// --- generators -----------------------------------------------------------------------------
const permArb: fc.Arbitrary<PolicyPermission> = fc
  .record({
    IpProtocol: fc.constantFrom(...PROTOS),
    from: fc.constantFrom(...PORTS),
    span: fc.constantFrom(...SPANS),
    icmpType: fc.constantFrom(-1, 0, 3, 8),
    icmpCode: fc.constantFrom(-1, 0, 1, 4),
    cidrs: fc.subarray(CIDRS, { maxLength: 2 }),
    refs: fc.subarray(GROUP_IDS, { maxLength: 2 }),
  })
  .map((r) => {
    const icmp = protoNumber(r.IpProtocol) === 1;
    const from = icmp ? r.icmpType : r.from;
    const to = icmp ? r.icmpCode : r.from === -1 ? -1 : Math.min(65535, r.from + r.span);
    return {
      IpProtocol: r.IpProtocol,
      FromPort: from,
      ToPort: to,
      ...(r.cidrs.length ? { IpRanges: r.cidrs.map((CidrIp) => ({ CidrIp })) } : {}),
      ...(r.refs.length ? { UserIdGroupPairs: r.refs.map((GroupId) => ({ GroupId })) } : {}),
    };
  });

const policyArb: fc.Arbitrary<NetworkPolicy> = fc
  .record({
    groups: fc.uniqueArray(
      fc.record({
        GroupId: fc.constantFrom(...GROUP_IDS),
        IpPermissions: fc.array(permArb, { maxLength: 4 }),
        IpPermissionsEgress: fc.oneof(fc.constant([{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]), fc.array(permArb, { maxLength: 3 })),
      }),
      { selector: (g) => g.GroupId, maxLength: 4 },
    ) as fc.Arbitrary<PolicySecurityGroup[]>,
    enis: fc.uniqueArray(
      fc.record({ ip: fc.constantFrom(...ENI_IPS), groups: fc.subarray(GROUP_IDS, { minLength: 1, maxLength: 3 }) }),
      { selector: (e) => e.ip, maxLength: 5 },
    ),
    members: fc.dictionary(fc.constantFrom(...GROUP_IDS), fc.subarray(ADDRS, { maxLength: 4 })),
  })
  .map(({ groups, enis, members }) => ({
    groups,
    groupMembers: members,
    enis: enis.map((e, i) => {
      const s = SUBNETS.find((x) => e.ip.startsWith(`${x.prefix}.`))!;
      return {
        networkInterfaceId: `eni-${String(i).padStart(17, "0")}`,
        privateIpv4Address: e.ip,
        subnetId: `subnet-${s.prefix.replaceAll(".", "")}`,
        subnetCidrBlock: s.cidr,
        subnetGatewayIpv4Address: s.gw,
        securityGroupIds: e.groups,
      };
    }),
  }));

const packetArb: fc.Arbitrary<Packet> = fc
  .record({
    src: fc.constantFrom(...ADDRS),
    dst: fc.constantFrom(...ADDRS),
    proto: fc.constantFrom(1, 6, 17, 47, 50),
    dport: fc.constantFrom(...PACKET_PORTS),
    icmpType: fc.constantFrom(0, 3, 8),
    icmpCode: fc.constantFrom(0, 1, 4),
    ctstate: fc.constantFrom("NEW", "NEW", "NEW", "ESTABLISHED", "RELATED", "INVALID") as fc.Arbitrary<Packet["ctstate"]>,
  })
  .filter((p) => p.src !== p.dst)
  .map((p) => (p.proto === 6 || p.proto === 17 ? { ...p, icmpType: undefined, icmpCode: undefined } : p.proto === 1 ? { ...p, dport: undefined } : { ...p, dport: undefined, icmpType: undefined, icmpCode: undefined }));

describe("compiled security groups = EC2's semantics (property)", () => {
  it("accepts a packet iff some rule of some group on each filtered end allows it", () => {
    let allowed = 0;
    let dropped = 0;
    fc.assert(
      fc.property(policyArb, fc.array(packetArb, { minLength: 20, maxLength: 20 }), (policy, packets) => {
        const c = compilePolicy(policy, "WHARF-prop");
        const chains = new Map(c.chains.map((ch) => [ch.name, ch.rules]));
        for (const pkt of packets) {
          const want = ec2Allows(policy, pkt);
          const got = c.entry ? runChain(chains, c.entry, pkt) === "RETURN" : true;
          if (want) allowed++;
          else dropped++;
          assert.equal(got, want, `packet ${JSON.stringify(pkt)}\npolicy ${JSON.stringify(policy)}\nrules ${JSON.stringify(c.chains)}`);
        }
      }),
      { numRuns: 1500 },
    );
    // The generators produce both outcomes in quantity, so the property is not vacuous.
    assert.ok(allowed > 2000 && dropped > 2000, `allowed ${allowed}, dropped ${dropped}`);
  });
});
