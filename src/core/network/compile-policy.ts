import { createHash } from "node:crypto";
import { type Cidr, formatCidr, parseCidr, parseIpv4 } from "./ipv4.js";
import { protocolArgs, protocolMatch } from "./permission-match.js";
import type { NetworkPolicy, PolicyEni, PolicyPermission, PolicySecurityGroup } from "./security-policy.js";
import { routeChainName, routeRules, type VpcBridge } from "./vpc-routes.js";

/**
 * NetworkPolicy → the exact iptables rules (filter table) that enforce it. Everything lives in
 * chains of the agent's own prefix, entered from one jump (the applier puts it in DOCKER-USER,
 * or FORWARD when Docker has no such chain): traffic between task ENIs on a host's Docker
 * bridges crosses FORWARD (bridge-nf-call-iptables), and nothing else of Docker's is touched.
 * A security group chain never ACCEPTs: what it allows it RETURNs, so Docker's own rules still
 * apply after it. Only the route chain ACCEPTs, and its hook comes after every agent's SG hook.
 *
 *   <prefix>-SG            entry: comment; ESTABLISHED,RELATED → RETURN (stateful);
 *                          then per filtered ENI `-s ip -j <prefix>-E<h>` and `-d ip -j <prefix>-I<h>`
 *   <prefix>-I<h>          the ENI's ingress: comment; the subnet gateway → RETURN; one rule per
 *                          (permission × peer) of its groups → RETURN; then DROP
 *   <prefix>-E<h>          the ENI's egress, the same with the destination
 *   <prefix>-VPC           routing between the subnets (bridges) of one VPC: ACCEPT rules, entered
 *                          from a second hook placed after every Wharf `-SG` hook (vpc-routes.ts)
 *
 * `<h>` is 10 hex digits of the ENI id's sha256. Every chain's first rule is a comment
 * `wharf:<16 hex>` hashing the chain's other rules: the applier compares it with the chain in
 * the kernel to rewrite only what changed (iptables-save prints rules in its own canonical
 * form, so texts cannot be compared).
 */

/** A chain to create: its rules as iptables arguments after `-A <name>`. */
export interface CompiledChain {
  name: string;
  /** 16 hex digits over the name and rules (also in the chain's leading comment rule). */
  hash: string;
  /** The rules including the leading comment. */
  rules: string[][];
}

export interface CompiledFirewall {
  /** The chain the hook jumps to (`<prefix>-SG`); absent when nothing is filtered. */
  entry?: string;
  /** The route chain the second hook jumps to (`<prefix>-VPC`); absent when no VPC has two bridges here. */
  routes?: string;
  /** Entry chain first, the route chain last. Empty when the policy filters nothing and nothing is routed. */
  chains: CompiledChain[];
  /** Rules that were skipped, and why (never fatal). */
  warnings: string[];
}

/** Prefixes an agent may own: `WHARF-` and 1–6 letters or digits (chain names stay ≤ 28 characters). */
export const FIREWALL_PREFIX_RE = /^WHARF-[A-Za-z0-9]{1,6}$/;

/** The chains of a prefix: its entry and per-ENI chains, nothing else. */
export function ownedChainRe(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[-]/g, "\\-")}-(SG|VPC|[IE][0-9a-f]{10})$`);
}

export const entryChainName = (prefix: string): string => `${prefix}-SG`;

const sha = (s: string, n: number): string => createHash("sha256").update(s).digest("hex").slice(0, n);

/** The comment rule that carries a chain's hash. */
export const hashComment = (hash: string): string[] => ["-m", "comment", "--comment", `wharf:${hash}`];
/** The hash in a comment rule as iptables-save prints it. */
export const HASH_COMMENT_RE = /--comment "?wharf:([0-9a-f]{16})"?/;

export function chain(name: string, body: string[][]): CompiledChain {
  const seen = new Set<string>();
  const rules = body.filter((r) => {
    const k = r.join(" ");
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const hash = sha(`${name}\n${rules.map((r) => r.join(" ")).join("\n")}`, 16);
  return { name, hash, rules: [hashComment(hash), ...rules] };
}

const host = (ip: string): string => `${ip}/32`;

/** The peers of a permission as CIDR blocks (undefined: anywhere), or [] when it names none. */
function peers(p: PolicyPermission, members: Record<string, string[]>, warn: (w: string) => void): (Cidr | undefined)[] {
  const out: (Cidr | undefined)[] = [];
  for (const r of p.IpRanges ?? []) {
    const c = parseCidr(r.CidrIp ?? "");
    if (!c) warn(`skipped CIDR "${r.CidrIp}": not an IPv4 block`);
    else out.push(c.prefix === 0 ? undefined : c);
  }
  for (const pair of p.UserIdGroupPairs ?? []) {
    for (const ip of members[pair.GroupId] ?? []) {
      const n = parseIpv4(ip);
      if (n === undefined) warn(`skipped member "${ip}" of ${pair.GroupId}: not an IPv4 address`);
      else out.push({ base: n, prefix: 32 });
    }
  }
  return out;
}

/** The RETURN rules of one direction of one ENI, from all its groups. */
function directionRules(
  perms: readonly PolicyPermission[],
  peerFlag: "-s" | "-d",
  members: Record<string, string[]>,
  warn: (w: string) => void,
): string[][] {
  const rules: string[][] = [];
  for (const p of perms) {
    const m = protocolMatch(p);
    if (m.kind === "skip") {
      warn(`skipped a rule: ${m.why}`);
      continue;
    }
    const proto = protocolArgs(m);
    for (const peer of peers(p, members, warn)) {
      rules.push([...(peer ? [peerFlag, formatCidr(peer)] : []), ...proto, "-j", "RETURN"]);
    }
  }
  return rules;
}

/**
 * The iptables chains enforcing `policy`, named under `prefix` (see FIREWALL_PREFIX_RE), and
 * routing between the host's bridges of one VPC (`bridges`, see vpc-routes.ts).
 */
export function compilePolicy(policy: NetworkPolicy, prefix: string, bridges: readonly VpcBridge[] = []): CompiledFirewall {
  if (!FIREWALL_PREFIX_RE.test(prefix)) throw new Error(`firewall prefix "${prefix}" must match ${FIREWALL_PREFIX_RE}`);
  const warnings: string[] = [];
  const routes = routeRules(bridges, (w) => warnings.push(w));
  const routeChain = routes.length ? chain(routeChainName(prefix), routes) : undefined;
  const sg = compileGroups(policy, prefix, warnings);
  return {
    ...(sg.length ? { entry: entryChainName(prefix) } : {}),
    ...(routeChain ? { routes: routeChain.name } : {}),
    chains: [...sg, ...(routeChain ? [routeChain] : [])],
    warnings,
  };
}

/** The security group chains (entry first), or [] when no ENI is filtered. */
function compileGroups(policy: NetworkPolicy, prefix: string, warnings: string[]): CompiledChain[] {
  const groups = new Map<string, PolicySecurityGroup>(policy.groups.map((g) => [g.GroupId, g]));
  const ids = new Set<string>();
  const enis = [...policy.enis].filter((e) => {
    if (parseIpv4(e.privateIpv4Address) === undefined) {
      warnings.push(`${e.networkInterfaceId}: "${e.privateIpv4Address}" is not an IPv4 address; not filtered`);
      return false;
    }
    if (ids.has(e.networkInterfaceId)) {
      warnings.push(`${e.networkInterfaceId}: listed twice; the first entry is used`);
      return false;
    }
    ids.add(e.networkInterfaceId);
    return true;
  });
  enis.sort((a, b) => (parseIpv4(a.privateIpv4Address)! - parseIpv4(b.privateIpv4Address)!) || (a.networkInterfaceId < b.networkInterfaceId ? -1 : 1));
  if (enis.length === 0) return [];

  const entry = entryChainName(prefix);
  const entryRules: string[][] = [["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"]];
  const eniChains: CompiledChain[] = [];
  for (const eni of enis) {
    const h = sha(eni.networkInterfaceId, 10);
    const [ingress, egress] = [`${prefix}-I${h}`, `${prefix}-E${h}`];
    const warn = (w: string) => warnings.push(`${eni.networkInterfaceId}: ${w}`);
    const own = eniGroups(eni, groups, warn);
    const gw = parseIpv4(eni.subnetGatewayIpv4Address) !== undefined ? [host(eni.subnetGatewayIpv4Address)] : [];
    eniChains.push(
      chain(egress, [
        ...gw.map((g) => ["-d", g, "-j", "RETURN"]),
        ...directionRules(own.flatMap((g) => g.IpPermissionsEgress ?? []), "-d", policy.groupMembers, warn),
        ["-j", "DROP"],
      ]),
      chain(ingress, [
        ...gw.map((g) => ["-s", g, "-j", "RETURN"]),
        ...directionRules(own.flatMap((g) => g.IpPermissions ?? []), "-s", policy.groupMembers, warn),
        ["-j", "DROP"],
      ]),
    );
    entryRules.push(["-s", host(eni.privateIpv4Address), "-j", egress], ["-d", host(eni.privateIpv4Address), "-j", ingress]);
  }
  return [chain(entry, entryRules), ...eniChains];
}

function eniGroups(eni: PolicyEni, groups: Map<string, PolicySecurityGroup>, warn: (w: string) => void): PolicySecurityGroup[] {
  const out: PolicySecurityGroup[] = [];
  for (const id of new Set(eni.securityGroupIds)) {
    const g = groups.get(id);
    if (g) out.push(g);
    else warn(`group ${id} is not in the policy; it allows nothing`);
  }
  return out;
}
