import { AwsError } from "../errors.js";
import { type Cidr, cidrHas, parseCidr } from "./cidr.js";

/**
 * Security group rules as EC2 keeps them: one rule per peer (an IPv4 or IPv6 CIDR, a security
 * group or a prefix list), protocol and port range, each with its `sgr-` id. The API's
 * IpPermissions group several peers under one protocol and port range; `flattenPermissions`
 * splits them into rules and `groupPermissions` joins rules back as DescribeSecurityGroups shows
 * them. `ruleAllows` is the test an enforcer applies to a connection.
 */
export interface SgRule {
  ruleId: string;
  egress: boolean;
  /** `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number (`58` for ICMPv6). */
  protocol: string;
  /** -1 when the protocol has no ports (all protocols; ICMP type/code "any"). */
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  /** Source (ingress) or destination (egress) security group. */
  groupId?: string;
  groupOwnerId?: string;
  prefixListId?: string;
  description?: string;
  tags?: Array<{ Key?: string; Value?: string }>;
}

/** The rule without its id, description and tags: what makes two rules the same rule. */
export type RuleSpec = Omit<SgRule, "ruleId" | "description" | "tags">;

export interface IpPermissionIn {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: Array<{ CidrIp?: string; Description?: string }>;
  Ipv6Ranges?: Array<{ CidrIpv6?: string; Description?: string }>;
  UserIdGroupPairs?: Array<{ GroupId?: string; GroupName?: string; UserId?: string; Description?: string }>;
  PrefixListIds?: Array<{ PrefixListId?: string; Description?: string }>;
}

const invalid = (message: string) => new AwsError("InvalidParameterValue", message);

/** `TCP`, `6` → `tcp`; `all`, `-1` → `-1`; `icmpv6` → `58`; other numbers stay numbers. */
export function normalizeProtocol(p: string | undefined): string {
  const v = (p ?? "").trim().toLowerCase();
  const named: Record<string, string> = { tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", icmp: "icmp", "1": "icmp", icmpv6: "58", "-1": "-1", all: "-1" };
  if (Object.hasOwn(named, v)) return named[v]!;
  if (/^\d+$/.test(v) && Number(v) <= 255) return String(Number(v));
  throw invalid(`Invalid value '${p ?? ""}' for IP protocol. Unknown protocol.`);
}

const hasPorts = (protocol: string) => protocol === "tcp" || protocol === "udp" || protocol === "icmp" || protocol === "58";

/** The port range EC2 keeps for a protocol; -1/-1 for protocols without ports. */
export function normalizePorts(protocol: string, from: number | undefined, to: number | undefined): [number, number] {
  if (protocol === "tcp" || protocol === "udp") {
    if (from === undefined || to === undefined) throw invalid("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.");
    if (from < 0 || to > 65535 || from > to) throw invalid(`Invalid TCP/UDP port range (${from}-${to}).`);
    return [from, to];
  }
  if (protocol === "icmp" || protocol === "58") {
    const type = from ?? -1;
    const code = to ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) throw invalid(`Invalid ICMP type or code (${type}, ${code}).`);
    return [type, code];
  }
  return [-1, -1];
}

function checkCidr(text: string, v6: boolean): string {
  if (v6) {
    if (!/^[0-9a-fA-F:]+\/\d{1,3}$/.test(text) || Number(text.split("/")[1]) > 128) throw invalid(`CIDR block ${text} is malformed`);
    return text.toLowerCase();
  }
  const c = parseCidr(text);
  if (!c) throw invalid(`CIDR block ${text} is malformed`);
  return text.trim();
}

/** IpPermissions → one rule spec per peer (ids and group lookups are the caller's). */
export function flattenPermissions(perms: IpPermissionIn[], egress: boolean): Array<RuleSpec & { description?: string; groupName?: string }> {
  const out: Array<RuleSpec & { description?: string; groupName?: string }> = [];
  for (const p of perms) {
    const protocol = normalizeProtocol(p.IpProtocol);
    const [fromPort, toPort] = normalizePorts(protocol, p.FromPort, p.ToPort);
    const base = { egress, protocol, fromPort, toPort };
    const desc = (d: string | undefined) => (d !== undefined ? { description: d } : {});
    for (const r of p.IpRanges ?? []) out.push({ ...base, cidrIpv4: checkCidr(r.CidrIp ?? "", false), ...desc(r.Description) });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...base, cidrIpv6: checkCidr(r.CidrIpv6 ?? "", true), ...desc(r.Description) });
    for (const g of p.UserIdGroupPairs ?? []) {
      out.push({
        ...base,
        ...(g.GroupId !== undefined ? { groupId: g.GroupId } : {}),
        ...(g.GroupName !== undefined ? { groupName: g.GroupName } : {}),
        ...(g.UserId !== undefined ? { groupOwnerId: g.UserId } : {}),
        ...desc(g.Description),
      });
    }
    for (const l of p.PrefixListIds ?? []) out.push({ ...base, prefixListId: l.PrefixListId ?? "", ...desc(l.Description) });
  }
  return out;
}

/** Two rules are the same rule: direction, protocol, ports and peer. */
export const sameRule = (a: RuleSpec, b: RuleSpec): boolean =>
  a.egress === b.egress &&
  a.protocol === b.protocol &&
  a.fromPort === b.fromPort &&
  a.toPort === b.toPort &&
  (a.cidrIpv4 ?? "") === (b.cidrIpv4 ?? "") &&
  (a.cidrIpv6 ?? "") === (b.cidrIpv6 ?? "") &&
  (a.groupId ?? "") === (b.groupId ?? "") &&
  (a.prefixListId ?? "") === (b.prefixListId ?? "");

/** EC2's text for a rule in `InvalidPermission.Duplicate`: `peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW`. */
export function describeRule(r: RuleSpec): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.groupId ?? r.prefixListId ?? "";
  const proto = r.protocol === "-1" ? "ALL" : r.protocol.toUpperCase();
  const ports = r.protocol === "-1" ? "" : `, from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

export interface IpPermissionOut {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges: Array<{ CidrIp: string; Description?: string }>;
  Ipv6Ranges: Array<{ CidrIpv6: string; Description?: string }>;
  UserIdGroupPairs: Array<{ GroupId: string; UserId: string; Description?: string }>;
  PrefixListIds: Array<{ PrefixListId: string; Description?: string }>;
}

/** Rules of one direction → IpPermissions, one per protocol and port range, in first-seen order. */
export function groupPermissions(rules: SgRule[], ownerId: string): IpPermissionOut[] {
  const byKey = new Map<string, IpPermissionOut>();
  for (const r of rules) {
    const key = `${r.protocol}/${r.fromPort}/${r.toPort}`;
    let p = byKey.get(key);
    if (!p) {
      p = {
        IpProtocol: r.protocol,
        ...(r.protocol === "-1" ? {} : { FromPort: r.fromPort, ToPort: r.toPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      };
      byKey.set(key, p);
    }
    const desc = r.description !== undefined ? { Description: r.description } : {};
    if (r.cidrIpv4 !== undefined) p.IpRanges.push({ CidrIp: r.cidrIpv4, ...desc });
    else if (r.cidrIpv6 !== undefined) p.Ipv6Ranges.push({ CidrIpv6: r.cidrIpv6, ...desc });
    else if (r.groupId !== undefined) p.UserIdGroupPairs.push({ GroupId: r.groupId, UserId: r.groupOwnerId ?? ownerId, ...desc });
    else if (r.prefixListId !== undefined) p.PrefixListIds.push({ PrefixListId: r.prefixListId, ...desc });
  }
  return [...byKey.values()];
}

/** One connection as an enforcer sees it, from the point of view of the ENI whose groups decide. */
export interface Connection {
  /** `tcp`, `udp`, `icmp` or a protocol number. */
  protocol: string;
  /** Destination port (ingress) or the remote port (egress); ICMP type. */
  port?: number;
  /** The other end's IPv4 address. */
  peerIp: string;
  /** Security groups of the other end's ENI. */
  peerGroups: readonly string[];
}

const cidrCache = new Map<string, Cidr | undefined>();

/** The rule lets the connection through (ingress rules for inbound, egress rules for outbound). */
export function ruleAllows(rule: SgRule, c: Connection): boolean {
  if (rule.protocol !== "-1" && rule.protocol !== normalizeProtocol(c.protocol)) return false;
  if (rule.protocol !== "-1" && rule.fromPort !== -1 && c.port !== undefined) {
    if (rule.protocol === "icmp" || rule.protocol === "58") {
      if (rule.fromPort !== c.port) return false;
    } else if (c.port < rule.fromPort || c.port > rule.toPort) return false;
  }
  if (rule.groupId !== undefined) return c.peerGroups.includes(rule.groupId);
  if (rule.cidrIpv4 !== undefined) {
    if (!cidrCache.has(rule.cidrIpv4)) cidrCache.set(rule.cidrIpv4, parseCidr(rule.cidrIpv4));
    const cidr = cidrCache.get(rule.cidrIpv4);
    const ip = parseCidr(`${c.peerIp}/32`);
    return !!cidr && !!ip && cidrHas(cidr, ip.base);
  }
  return false;
}
