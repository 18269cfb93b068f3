import { childText, findAll, findFirst, listItems, QueryApiError, type XmlNode } from "../../contracts/query-client.js";
import { EcsApiError } from "../../contracts/wharf-client.js";
import type { Connection } from "../connection.js";

/**
 * The calls `wharf compose` and `wharf copilot` make, over the CLI's signed connection, each
 * service through its public API: EC2 (VPCs, subnets, security groups), ELBv2, Cloud Map, ECR,
 * CloudWatch Logs and ECS. Thin: names and parameters as each API spells them.
 */

export const SD = { prefix: "Route53AutoNaming_v20170314", service: "servicediscovery" };
export const ECR = { prefix: "AmazonEC2ContainerRegistry_V20150921", service: "ecr" };
const ELB = "elasticloadbalancing";

export const isCode = (err: unknown, ...codes: string[]): boolean =>
  (err instanceof EcsApiError || err instanceof QueryApiError) && codes.includes(err.code);

/** Query-protocol list parameters: `Prefix.member.1`, … (ELBv2) or `Prefix.1`, … (EC2). */
export function members(prefix: string, values: string[], ec2 = false): Record<string, string> {
  return Object.fromEntries(values.map((v, i) => [ec2 ? `${prefix}.${i + 1}` : `${prefix}.member.${i + 1}`, v]));
}

export interface Network {
  vpcId: string;
  subnets: string[];
}

/** The VPC (x-aws-vpc, else the Region's default VPC) and its subnets. */
export async function findNetwork(conn: Connection, vpc: string): Promise<Network> {
  let vpcId = vpc;
  if (vpc === "default") {
    const r = await conn.query("ec2", "DescribeVpcs", { "Filter.1.Name": "is-default", "Filter.1.Value.1": "true" });
    vpcId = childText(listItems(findFirst(r, "DescribeVpcsResponse") ?? r.children[0], "vpcSet")[0], "vpcId");
    if (!vpcId) throw new Error("this Wharf has no default VPC: name one with x-aws-vpc");
  }
  const r = await conn.query("ec2", "DescribeSubnets", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpcId });
  const subnets = listItems(r.children[0], "subnetSet").map((s) => childText(s, "subnetId"));
  if (!subnets.length) throw new Error(`VPC ${vpcId} has no subnets`);
  return { vpcId, subnets: subnets.sort() };
}

export async function findSecurityGroup(conn: Connection, vpcId: string, name: string): Promise<string | undefined> {
  const r = await conn.query("ec2", "DescribeSecurityGroups", {
    "Filter.1.Name": "vpc-id",
    "Filter.1.Value.1": vpcId,
    "Filter.2.Name": "group-name",
    "Filter.2.Value.1": name,
  });
  return childText(listItems(r.children[0], "securityGroupInfo")[0], "groupId") || undefined;
}

export function tagSpec(resourceType: string, tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { "TagSpecification.1.ResourceType": resourceType };
  Object.entries(tags).forEach(([k, v], i) => {
    out[`TagSpecification.1.Tag.${i + 1}.Key`] = k;
    out[`TagSpecification.1.Tag.${i + 1}.Value`] = v;
  });
  return out;
}

export interface LoadBalancer {
  arn: string;
  dnsName: string;
  address: string;
  type: string;
}

export async function findLoadBalancer(conn: Connection, nameOrArn: string): Promise<LoadBalancer | undefined> {
  try {
    const r = await conn.query(ELB, "DescribeLoadBalancers", nameOrArn.startsWith("arn:") ? members("LoadBalancerArns", [nameOrArn]) : members("Names", [nameOrArn]));
    const lb = findAll(r, "LoadBalancers")[0]?.children[0];
    if (!lb) return undefined;
    return lbOf(lb);
  } catch (err) {
    if (isCode(err, "LoadBalancerNotFound")) return undefined;
    throw err;
  }
}

export function lbOf(lb: XmlNode): LoadBalancer {
  return {
    arn: childText(lb, "LoadBalancerArn"),
    dnsName: childText(lb, "DNSName"),
    address: childText(findFirst(lb, "LoadBalancerAddresses")?.children[0], "IpAddress"),
    type: childText(lb, "Type"),
  };
}

export async function findTargetGroup(conn: Connection, name: string): Promise<{ arn: string; loadBalancers: string[] } | undefined> {
  try {
    const r = await conn.query(ELB, "DescribeTargetGroups", members("Names", [name]));
    const tg = findAll(r, "TargetGroups")[0]?.children[0];
    if (!tg) return undefined;
    return { arn: childText(tg, "TargetGroupArn"), loadBalancers: listItems(tg, "LoadBalancerArns").map((m) => m.text.trim()) };
  } catch (err) {
    if (isCode(err, "TargetGroupNotFound")) return undefined;
    throw err;
  }
}

export async function listeners(conn: Connection, lbArn: string): Promise<{ arn: string; port: number; targetGroup: string }[]> {
  const r = await conn.query(ELB, "DescribeListeners", { LoadBalancerArn: lbArn });
  return findAll(findAll(r, "Listeners")[0], "member")
    .filter((m) => m.children.some((c) => c.name === "ListenerArn"))
    .map((l) => ({ arn: childText(l, "ListenerArn"), port: Number(childText(l, "Port")), targetGroup: childText(listItems(l, "DefaultActions")[0], "TargetGroupArn") }));
}

export const elb = (conn: Connection, action: string, params: Record<string, string | number | undefined>) => conn.query(ELB, action, params);

export interface NamespaceRef {
  id: string;
  arn: string;
}

export async function findNamespace(conn: Connection, name: string): Promise<NamespaceRef | undefined> {
  const r = await conn.json<{ Namespaces?: { Id: string; Arn: string; Name: string }[] }>(SD, "ListNamespaces", {
    Filters: [{ Name: "NAME", Values: [name], Condition: "EQ" }],
  });
  const ns = (r.Namespaces ?? []).find((n) => n.Name === name);
  return ns ? { id: ns.Id, arn: ns.Arn } : undefined;
}

export async function namespaceServices(conn: Connection, namespaceId: string): Promise<{ Id: string; Arn: string; Name: string }[]> {
  const r = await conn.json<{ Services?: { Id: string; Arn: string; Name: string }[] }>(SD, "ListServices", {
    Filters: [{ Name: "NAMESPACE_ID", Values: [namespaceId], Condition: "EQ" }],
  });
  return r.Services ?? [];
}

/** Waits for a Cloud Map operation to succeed (its Targets), or throws its error. */
export async function waitOperation(conn: Connection, operationId: string): Promise<Record<string, string>> {
  for (let i = 0; ; i++) {
    const r = await conn.json<{ Operation: { Status: string; ErrorMessage?: string; Targets?: Record<string, string> } }>(SD, "GetOperation", { OperationId: operationId });
    if (r.Operation.Status === "SUCCESS") return r.Operation.Targets ?? {};
    if (r.Operation.Status === "FAIL") throw new Error(`Cloud Map operation ${operationId} failed: ${r.Operation.ErrorMessage ?? ""}`);
    if (i > 600) throw new Error(`Cloud Map operation ${operationId} did not finish`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export interface EcsServiceView {
  serviceName: string;
  serviceArn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition: string;
  deployments?: { status: string; rolloutState?: string; rolloutStateReason?: string; taskDefinition: string; runningCount: number; desiredCount: number }[];
  events?: { message: string; createdAt: number }[];
}

export async function describeServices(conn: Connection, cluster: string, names: string[]): Promise<EcsServiceView[]> {
  const out: EcsServiceView[] = [];
  for (let i = 0; i < names.length; i += 10) {
    try {
      const r = await conn.ecs<{ services?: EcsServiceView[] }>("DescribeServices", { cluster, services: names.slice(i, i + 10) });
      out.push(...(r.services ?? []));
    } catch (err) {
      if (isCode(err, "ClusterNotFoundException")) return [];
      throw err;
    }
  }
  return out;
}

export async function clusterServices(conn: Connection, cluster: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const r = await conn.ecs<{ serviceArns?: string[]; nextToken?: string }>("ListServices", { cluster, ...(nextToken ? { nextToken } : {}) });
      arns.push(...(r.serviceArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
  } catch (err) {
    if (isCode(err, "ClusterNotFoundException")) return [];
    throw err;
  }
  return arns.map((a) => a.slice(a.lastIndexOf("/") + 1));
}

export async function clusterExists(conn: Connection, cluster: string): Promise<boolean> {
  const r = await conn.ecs<{ clusters?: { status: string }[] }>("DescribeClusters", { clusters: [cluster] });
  return (r.clusters ?? []).some((c) => c.status === "ACTIVE");
}
