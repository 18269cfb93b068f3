import type { PolicyPermission } from "./security-policy.js";

/**
 * What an EC2 permission's protocol and ports mean, normalised:
 * - `all`: IpProtocol "-1" (every protocol, ports ignored);
 * - `ports`: tcp/udp ("6"/"17" too) with a destination port range (-1 or absent: 0–65535);
 * - `icmp`: icmp ("1") with a type (FromPort) and code (ToPort), each undefined for "all";
 * - `number`: any other IANA protocol number, on all ports (EC2's words: "traffic on all ports
 *   is allowed, regardless of any port range you specify").
 * Rules that can never match an IPv4 packet (icmpv6, protocol 0, malformed values) are `skip`.
 */
export type ProtocolMatch =
  | { kind: "all" }
  | { kind: "ports"; proto: "tcp" | "udp"; from: number; to: number }
  | { kind: "icmp"; type?: number; code?: number }
  | { kind: "number"; proto: number };

export type ProtocolResult = ProtocolMatch | { kind: "skip"; why: string };

const NAMES: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

const isAll = (n: number | undefined): boolean => n === undefined || n === -1;

export function protocolMatch(p: PolicyPermission): ProtocolResult {
  const raw = String(p.IpProtocol ?? "").trim().toLowerCase();
  if (raw === "-1" || raw === "all") return { kind: "all" };
  const num = raw in NAMES ? NAMES[raw]! : /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(num >= 0 && num <= 255)) return { kind: "skip", why: `unknown IpProtocol "${p.IpProtocol}"` };
  if (num === 58) return { kind: "skip", why: "icmpv6 rules do not apply to IPv4" };
  if (num === 0) return { kind: "skip", why: "protocol 0 (HOPOPT) does not apply to IPv4" };
  if (num === 6 || num === 17) {
    const proto = num === 6 ? "tcp" : "udp";
    if (isAll(p.FromPort) || isAll(p.ToPort)) return { kind: "ports", proto, from: 0, to: 65535 };
    const from = p.FromPort!;
    const to = p.ToPort!;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 65535 || from > to) {
      return { kind: "skip", why: `invalid port range ${from}-${to}` };
    }
    return { kind: "ports", proto, from, to };
  }
  if (num === 1) {
    if (isAll(p.FromPort)) return { kind: "icmp" };
    const type = p.FromPort!;
    if (!Number.isInteger(type) || type < 0 || type > 255) return { kind: "skip", why: `invalid ICMP type ${type}` };
    if (isAll(p.ToPort)) return { kind: "icmp", type };
    const code = p.ToPort!;
    if (!Number.isInteger(code) || code < 0 || code > 255) return { kind: "skip", why: `invalid ICMP code ${code}` };
    return { kind: "icmp", type, code };
  }
  return { kind: "number", proto: num };
}

/** The iptables match arguments of a protocol match ([] for all protocols). */
export function protocolArgs(m: ProtocolMatch): string[] {
  switch (m.kind) {
    case "all":
      return [];
    case "ports":
      if (m.from === 0 && m.to === 65535) return ["-p", m.proto];
      return ["-p", m.proto, "--dport", m.from === m.to ? String(m.from) : `${m.from}:${m.to}`];
    case "icmp":
      if (m.type === undefined) return ["-p", "icmp"];
      return ["-p", "icmp", "--icmp-type", m.code === undefined ? String(m.type) : `${m.type}/${m.code}`];
    case "number":
      return ["-p", String(m.proto)];
  }
}
