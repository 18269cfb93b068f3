/**
 * The network policy contract: what the control plane tells an agent about the security groups
 * of the task ENIs on its host, so the agent can enforce them (src/agent/network/firewall/).
 * Pure types and a few pure helpers, importable by both sides.
 *
 * Rules use EC2's own shapes (an `IpPermission` as DescribeSecurityGroups returns it), so the
 * control plane can pass its security group records through unchanged. A referenced group
 * (`UserIdGroupPairs[].GroupId`) means "the addresses of the ENIs in that group": the control
 * plane resolves it, cluster-wide (every ENI it knows in that group, on any host), into
 * `groupMembers`.
 *
 * What the agent enforces (src/core/network/compile-policy.ts has the exact iptables rules):
 * - every ENI listed in `enis` is filtered; ENIs not listed are not (today's behaviour for
 *   tasks whose groups Wharf does not know);
 * - ingress to a listed ENI is dropped unless a rule of one of its groups allows it (source
 *   CIDR or source group, protocol, port), egress from it likewise by its groups' egress rules;
 * - security groups are stateful: packets of a connection already allowed (conntrack
 *   ESTABLISHED, RELATED) pass either way, so replies never need a rule, and removing a rule
 *   leaves established connections alone (as in EC2) and refuses the next one;
 * - the subnet gateway (the host) always reaches the ENI and the ENI always reaches it: host
 *   traffic does not cross the bridge's FORWARD path, so health checks, the host's access to task
 *   addresses and the task metadata endpoint work whatever the groups say;
 * - a group id an ENI names but `groups` does not hold contributes no rules (the control plane
 *   should leave such ENIs out instead, see `policyForTasks`);
 * - IPv4 only: `Ipv6Ranges`, `PrefixListIds` and rules of protocol icmpv6 (58) are ignored.
 */

/** One IPv4 range of a rule (EC2 `IpRange`). */
export interface PolicyIpRange {
  CidrIp: string;
  Description?: string;
}

/** One referenced group of a rule (EC2 `UserIdGroupPair`; only `GroupId` is read). */
export interface PolicyGroupPair {
  GroupId: string;
  UserId?: string;
  Description?: string;
}

/**
 * One rule set of a group, in one direction (EC2 `IpPermission`).
 * - `IpProtocol`: "tcp", "udp", "icmp", "icmpv6", "-1" (all), or an IANA protocol number as a
 *   string ("6" = tcp, "17" = udp, "1" = icmp, "58" = icmpv6; others match that protocol on all
 *   ports, as EC2 says).
 * - `FromPort`/`ToPort`: tcp/udp: the destination port range, inclusive (-1 or absent: all);
 *   icmp: the ICMP type and code (-1 or absent: all types / all codes of the type).
 * - `IpRanges`: the peer's address ranges (source for ingress, destination for egress).
 * - `UserIdGroupPairs`: peer groups: the addresses in `NetworkPolicy.groupMembers[GroupId]`.
 */
export interface PolicyPermission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: PolicyIpRange[];
  UserIdGroupPairs?: PolicyGroupPair[];
  /** Carried as EC2 has them, not enforced (IPv4 only). */
  Ipv6Ranges?: unknown[];
  PrefixListIds?: unknown[];
}

/** A security group's rules (EC2 `SecurityGroup`; other members may be present and are ignored). */
export interface PolicySecurityGroup {
  GroupId: string;
  /** Ingress rules. */
  IpPermissions: PolicyPermission[];
  /** Egress rules (a new group's default: `{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }`). */
  IpPermissionsEgress: PolicyPermission[];
}

/** A task ENI on this host, with its subnet's Docker network and its groups. */
export interface PolicyEni {
  /** `eni-…` (TaskEni.networkInterfaceId). */
  networkInterfaceId: string;
  privateIpv4Address: string;
  subnetId: string;
  /** The subnet's block, e.g. "10.213.7.0/24" (the Docker network `wharf-<subnetId>`). */
  subnetCidrBlock: string;
  /** The subnet's gateway: the host's address on that network, always allowed both ways. */
  subnetGatewayIpv4Address: string;
  /** The ENI's security groups, as given in the task's awsvpcConfiguration (1 to 5). */
  securityGroupIds: string[];
}

/** The whole policy of one host (level-triggered: each one replaces the previous). */
export interface NetworkPolicy {
  enis: PolicyEni[];
  /** Every group the ENIs use, with its rules. */
  groups: PolicySecurityGroup[];
  /**
   * For each group a rule references (`UserIdGroupPairs`): the private IPv4 addresses of every
   * ENI in that group, cluster-wide (on this host or any other). A referenced group missing
   * here has no members.
   */
  groupMembers: Record<string, string[]>;
}

/** The policy that filters nothing. */
export const EMPTY_NETWORK_POLICY: NetworkPolicy = Object.freeze({ enis: [], groups: [], groupMembers: {} }) as NetworkPolicy;

/** What the control plane knows of security groups (the EC2 API's records). */
export interface SecurityGroupCatalog {
  /** The group with its rules, or undefined when Wharf does not know it. */
  group(groupId: string): PolicySecurityGroup | undefined;
  /** The private IPv4 addresses of every ENI in the group, cluster-wide. */
  members(groupId: string): readonly string[];
}

/**
 * The policy of a host from its task ENIs and the catalog: an ENI is listed only when every one
 * of its groups is known (a task whose groups Wharf does not know is not filtered, as before
 * security groups existed); `groupMembers` holds each group a listed rule references.
 */
export function policyForTasks(enis: readonly PolicyEni[], catalog: SecurityGroupCatalog): NetworkPolicy {
  const groups = new Map<string, PolicySecurityGroup>();
  const listed: PolicyEni[] = [];
  for (const eni of enis) {
    if (eni.securityGroupIds.length === 0) continue;
    const found = eni.securityGroupIds.map((id) => catalog.group(id));
    if (found.some((g) => !g)) continue;
    listed.push(eni);
    for (const g of found) groups.set(g!.GroupId, g!);
  }
  const groupMembers: Record<string, string[]> = {};
  for (const g of groups.values()) {
    for (const p of [...g.IpPermissions, ...g.IpPermissionsEgress]) {
      for (const pair of p.UserIdGroupPairs ?? []) {
        if (!(pair.GroupId in groupMembers)) groupMembers[pair.GroupId] = [...catalog.members(pair.GroupId)].sort();
      }
    }
  }
  return { enis: listed, groups: [...groups.values()], groupMembers };
}
