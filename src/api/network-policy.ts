import type { TaskEni } from "../contracts/agent-protocol.js";
import {
  type NetworkPolicy,
  type PolicyEni,
  type PolicySecurityGroup,
  policyForTasks,
  type SecurityGroupCatalog,
} from "../core/network/security-policy.js";
import type { Store, WriteOp } from "../store/store.js";
import type { AgentHub } from "./agent-hub.js";
import type { TaskDoc } from "../records/task-doc.js";
import { groupPermissions } from "../core/ec2/rules.js";
import type { SecurityGroupDoc } from "./ec2/docs.js";

/**
 * The control-plane end of security group enforcement: what goes into each poll answer's
 * `networkPolicy` (src/agent/protocol.ts) and when agents are told again.
 *
 * A NetworkPolicyProvider turns an instance's tasks into its policy. The server's is
 * `ec2PolicyProvider`: `catalogPolicyProvider` over the EC2 API's groups (`ec2GroupCatalog`) and
 * which task ENI addresses are in each (`taskGroupMembers`), told of every write to a group. An
 * ENI is filtered only when all its groups are known; RunTask refuses unknown groups and gives a
 * task without groups its VPC's default group, so in practice every awsvpc task is filtered.
 */
export interface NetworkPolicyProvider {
  /** The policy of an instance given its tasks that are not yet STOPPED; undefined: filter nothing. */
  policyFor(instanceArn: string, tasks: readonly TaskDoc[]): Promise<NetworkPolicy | undefined>;
  /** Registers the listener the provider calls when any group's rules may have changed. */
  onChange?(listener: () => void): void;
}

/** Filters nothing (tests of the agent side that want no policy). */
export const noNetworkPolicy: NetworkPolicyProvider = { policyFor: async () => undefined };

/** A task's ENI as the policy lists it (undefined for tasks without one or without groups). */
export function policyEniOf(eni: TaskEni | undefined): PolicyEni | undefined {
  if (!eni?.securityGroupIds?.length) return undefined;
  return {
    networkInterfaceId: eni.networkInterfaceId,
    privateIpv4Address: eni.privateIpv4Address,
    subnetId: eni.subnetId,
    subnetCidrBlock: eni.subnetCidrBlock,
    subnetGatewayIpv4Address: eni.subnetGatewayIpv4Address,
    securityGroupIds: eni.securityGroupIds,
  };
}

/** A provider over a catalog of groups (read afresh for every answer). */
export function catalogPolicyProvider(o: {
  catalog(): Promise<SecurityGroupCatalog> | SecurityGroupCatalog;
  onChange?(listener: () => void): void;
}): NetworkPolicyProvider {
  return {
    async policyFor(_instanceArn, tasks) {
      const enis = tasks.map((t) => policyEniOf(t.wharf.eni)).filter((e): e is PolicyEni => !!e);
      if (enis.length === 0) return undefined;
      const policy = policyForTasks(enis, await o.catalog());
      return policy.enis.length ? policy : undefined;
    },
    ...(o.onChange ? { onChange: (l: () => void) => o.onChange!(l) } : {}),
  };
}

/**
 * Every group's member addresses from the tasks in the store that hold an ENI and are not
 * STOPPED, across clusters (a scan: fine for a laptop's numbers; an index belongs with the EC2
 * API's network interfaces).
 */
export async function taskGroupMembers(store: Store): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const { value: t } of await store.list<TaskDoc>("task")) {
    const eni = t.wharf?.eni;
    if (!eni || t.lastStatus === "STOPPED") continue;
    for (const g of eni.securityGroupIds ?? []) {
      const list = out.get(g) ?? [];
      list.push(eni.privateIpv4Address);
      out.set(g, list);
    }
  }
  return out;
}

/**
 * Keeps agents' policies current: answers carry the provider's policy; a change of the groups
 * re-sends every instance's answer; a task taking or giving back an ENI with groups (the
 * members of those groups change) re-sends the answers of instances that filter something.
 */
export class NetworkPolicyFeed {
  private readonly filtering = new Set<string>();

  constructor(
    private readonly provider: NetworkPolicyProvider,
    private readonly hub: AgentHub,
  ) {
    provider.onChange?.(() => hub.bumpAll());
  }

  async policyFor(instanceArn: string, tasks: readonly TaskDoc[]): Promise<NetworkPolicy | undefined> {
    const policy = await this.provider.policyFor(instanceArn, tasks);
    if (policy?.enis.length) this.filtering.add(instanceArn);
    else this.filtering.delete(instanceArn);
    return policy;
  }

  /** Store writes (the server's write listener): ENIs joining or leaving groups. */
  observe(ops: readonly WriteOp[]): void {
    const moved = ops.some((op) => {
      if (op.op !== "put" || op.kind !== "task") return false;
      const t = op.value as TaskDoc;
      return !!t.wharf?.eni?.securityGroupIds?.length && (t.lastStatus === "PROVISIONING" || t.lastStatus === "STOPPED");
    });
    if (moved) for (const arn of this.filtering) this.hub.bump(arn);
  }
}

/** The EC2 API's security groups (kind `ec2-security-group`, every Region) as the policy's catalog. */
export async function ec2GroupCatalog(store: Store, members: Map<string, string[]>): Promise<SecurityGroupCatalog> {
  const groups = new Map<string, PolicySecurityGroup>();
  for (const { value: g } of await store.list<SecurityGroupDoc>("ec2-security-group")) {
    groups.set(g.groupId, {
      GroupId: g.groupId,
      IpPermissions: groupPermissions(g.rules.filter((r) => !r.egress), g.ownerId),
      IpPermissionsEgress: groupPermissions(g.rules.filter((r) => r.egress), g.ownerId),
    });
  }
  return { group: (id) => groups.get(id), members: (id) => members.get(id) ?? [] };
}

/**
 * The server's provider: the EC2 API's groups and the tasks' ENIs, read afresh for each answer.
 * `groupsChanged` is what the server's write listener calls when a write touched a group.
 */
export function ec2PolicyProvider(store: Store): { provider: NetworkPolicyProvider; observe(ops: readonly WriteOp[]): void } {
  const listeners: Array<() => void> = [];
  const provider = catalogPolicyProvider({
    catalog: async () => ec2GroupCatalog(store, await taskGroupMembers(store)),
    onChange: (l) => listeners.push(l),
  });
  return {
    provider,
    observe(ops) {
      if (ops.some((op) => op.kind === "ec2-security-group")) for (const l of listeners) l();
    },
  };
}
