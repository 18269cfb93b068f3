import { formatCidr, parseCidr } from "./ipv4.js";

/**
 * Routing between the subnets of one VPC on a host (pure). Each subnet a task uses is its own
 * Docker bridge network; Docker drops traffic between two bridge networks
 * (DOCKER-ISOLATION-STAGE-1/2), while in a VPC every subnet reaches every other one through the
 * VPC's local route. So for each ordered pair of bridges of the SAME VPC there is one ACCEPT rule
 * matching both bridges and both subnets' blocks:
 *
 *   <prefix>-VPC   -s <cidr A> -d <cidr B> -i <bridge A> -o <bridge B> -j ACCEPT   (every A ≠ B of one VPC)
 *
 * Bridges of different VPCs get no rule and stay isolated (as VPCs without peering). The chain
 * is entered from a hook in DOCKER-USER placed AFTER every Wharf security group hook (`-j
 * WHARF-*-SG`, of this agent and of any other on the host) and before Docker's closing RETURN
 * (src/core/network/iptables-plan.ts): a packet first passes every security group chain, which
 * drops what the groups do not allow, and only what they let through is accepted here, before
 * Docker's isolation chains would drop it. Replies of an accepted connection are the reverse pair,
 * so they match too (the groups are stateful: ESTABLISHED passes their chains).
 */

/** One subnet's Docker network on this host, with its VPC (from the network's labels). */
export interface VpcBridge {
  vpcId: string;
  subnetId: string;
  /** The subnet's block, e.g. "10.0.1.0/24". */
  cidrBlock: string;
  /** The Linux bridge of the Docker network (`br-<12 hex of the network id>` unless named). */
  bridge: string;
}

/** A Linux interface name iptables takes: 1–15 characters, no spaces or slashes. */
const IFNAME_RE = /^[A-Za-z0-9_.:-]{1,15}$/;

export const routeChainName = (prefix: string): string => `${prefix}-VPC`;

/**
 * The rules of the route chain (without its hash comment), or [] when no VPC has two bridges
 * here. Bridges with a malformed name or block are skipped with a warning; a subnet listed
 * twice counts once (the first entry).
 */
export function routeRules(bridges: readonly VpcBridge[], warn: (w: string) => void = () => undefined): string[][] {
  const seen = new Set<string>();
  const byVpc = new Map<string, { cidr: string; bridge: string; subnetId: string }[]>();
  for (const b of bridges) {
    if (seen.has(b.subnetId)) continue;
    seen.add(b.subnetId);
    const c = parseCidr(b.cidrBlock);
    if (!c || !b.cidrBlock.includes("/")) {
      warn(`${b.subnetId}: "${b.cidrBlock}" is not an IPv4 block; not routed`);
      continue;
    }
    if (!IFNAME_RE.test(b.bridge)) {
      warn(`${b.subnetId}: "${b.bridge}" is not an interface name; not routed`);
      continue;
    }
    const list = byVpc.get(b.vpcId) ?? [];
    list.push({ cidr: formatCidr(c), bridge: b.bridge, subnetId: b.subnetId });
    byVpc.set(b.vpcId, list);
  }
  const rules: string[][] = [];
  for (const vpc of [...byVpc.keys()].sort()) {
    const list = byVpc.get(vpc)!.sort((a, b) => (a.subnetId < b.subnetId ? -1 : 1));
    for (const from of list) {
      for (const to of list) {
        if (from === to) continue;
        rules.push(["-s", from.cidr, "-d", to.cidr, "-i", from.bridge, "-o", to.bridge, "-j", "ACCEPT"]);
      }
    }
  }
  return rules;
}
