import type { Connection } from "../connection.js";
import { ensureLogGroup } from "../../contracts/logs-client.js";
import { PROJECT_TAG, SPEC_TAG, type ComposePlan, type PlannedService } from "../../core/compose/index.js";
import {
  clusterServices,
  describeServices,
  elb,
  findLoadBalancer,
  findNamespace,
  findNetwork,
  findSecurityGroup,
  findTargetGroup,
  isCode,
  lbOf,
  listeners,
  members,
  namespaceServices,
  SD,
  tagSpec,
  waitOperation,
  type LoadBalancer,
  type Network,
} from "./aws.js";
import { findFirst } from "../../contracts/query-client.js";

/**
 * `wharf compose up` (and `wharf copilot deploy`): makes what the plan names that does not exist
 * yet, registers a task definition revision only when the file would register something other
 * than the latest revision (their fingerprints, SPEC_TAG, differ), updates only services whose
 * revision or count changed, and leaves everything else alone. Removes the project's services
 * the file no longer has.
 */

export type Say = (line: string) => void;

export interface Applied {
  network: Network;
  loadBalancer?: LoadBalancer;
  /** Services created or updated (rolled), by name. */
  changed: string[];
}

export async function applyPlan(conn: Connection, plan: ComposePlan, say: Say): Promise<Applied> {
  const tags = { [PROJECT_TAG]: plan.project };
  const cluster = plan.cluster.name;
  if (!plan.cluster.existing) {
    await conn.ecs("CreateCluster", { clusterName: cluster, tags: [{ key: PROJECT_TAG, value: plan.project }] });
  }
  const network = await findNetwork(conn, plan.vpc);
  const groupIds = new Map<string, string>();
  for (const g of plan.securityGroups) {
    let id = await findSecurityGroup(conn, network.vpcId, g.name);
    if (!id) {
      const r = await conn.query("ec2", "CreateSecurityGroup", { GroupName: g.name, GroupDescription: g.description, VpcId: network.vpcId, ...tagSpec("security-group", tags) });
      id = findFirst(r, "groupId")!.text.trim();
      say(`security group ${g.name} (${id}) created`);
    }
    groupIds.set(g.name, id);
    for (const rule of g.ingress) {
      const p: Record<string, string | number> = { GroupId: id, "IpPermissions.1.IpProtocol": rule.protocol };
      if (rule.fromPort !== undefined) Object.assign(p, { "IpPermissions.1.FromPort": rule.fromPort, "IpPermissions.1.ToPort": rule.toPort! });
      if (rule.self) p["IpPermissions.1.Groups.1.GroupId"] = id;
      if (rule.cidr) p["IpPermissions.1.IpRanges.1.CidrIp"] = rule.cidr;
      try {
        await conn.query("ec2", "AuthorizeSecurityGroupIngress", p);
      } catch (err) {
        if (!isCode(err, "InvalidPermission.Duplicate")) throw err;
      }
    }
  }
  await ensureLogGroup(conn.logs, plan.region, plan.logGroup.name);
  if (plan.logGroup.retentionInDays) await conn.logs(plan.region, "PutRetentionPolicy", { logGroupName: plan.logGroup.name, retentionInDays: plan.logGroup.retentionInDays });

  let ns = await findNamespace(conn, plan.namespace);
  if (!ns) {
    const r = await conn.json<{ OperationId: string }>(SD, "CreatePrivateDnsNamespace", { Name: plan.namespace, Vpc: network.vpcId, Tags: [{ Key: PROJECT_TAG, Value: plan.project }] });
    await waitOperation(conn, r.OperationId);
    ns = (await findNamespace(conn, plan.namespace))!;
    say(`namespace ${plan.namespace} created`);
  }

  let lb: LoadBalancer | undefined;
  const tgArns = new Map<string, string>();
  if (plan.loadBalancer) {
    lb = await findLoadBalancer(conn, plan.loadBalancer.name);
    if (!lb && plan.loadBalancer.existing) throw new Error(`x-aws-loadbalancer: no load balancer '${plan.loadBalancer.name}'`);
    if (!lb) {
      const r = await elb(conn, "CreateLoadBalancer", {
        Name: plan.loadBalancer.name,
        Type: plan.loadBalancer.type,
        Scheme: "internet-facing",
        ...members("Subnets", network.subnets),
        ...(plan.loadBalancer.type === "application" ? members("SecurityGroups", [...groupIds.values()]) : {}),
        "Tags.member.1.Key": PROJECT_TAG,
        "Tags.member.1.Value": plan.project,
      });
      lb = lbOf(findFirst(r, "LoadBalancers")!.children[0]!);
      say(`load balancer ${plan.loadBalancer.name} (${plan.loadBalancer.type}) created`);
    }
    for (const tg of plan.targetGroups) {
      let found = await findTargetGroup(conn, tg.name);
      if (!found) {
        const r = await elb(conn, "CreateTargetGroup", {
          Name: tg.name,
          Protocol: tg.protocol,
          Port: tg.containerPort,
          VpcId: network.vpcId,
          TargetType: "ip",
          "Tags.member.1.Key": PROJECT_TAG,
          "Tags.member.1.Value": plan.project,
        });
        found = { arn: findFirst(r, "TargetGroupArn")!.text.trim(), loadBalancers: [] };
        say(`target group ${tg.name} created`);
      }
      tgArns.set(tg.name, found.arn);
    }
    const existing = await listeners(conn, lb.arn);
    for (const l of plan.loadBalancer.listeners) {
      const want = tgArns.get(l.targetGroup)!;
      const have = existing.find((x) => x.port === l.port);
      const action = { "DefaultActions.member.1.Type": "forward", "DefaultActions.member.1.TargetGroupArn": want };
      if (!have) {
        await elb(conn, "CreateListener", { LoadBalancerArn: lb.arn, Protocol: l.protocol, Port: l.port, ...action });
        say(`listener ${l.protocol} :${l.port} → ${l.targetGroup} created`);
      } else if (have.targetGroup !== want) {
        await elb(conn, "ModifyListener", { ListenerArn: have.arn, ...action });
        say(`listener :${l.port} now forwards to ${l.targetGroup}`);
      }
    }
    if (!plan.loadBalancer.existing) {
      for (const l of existing) {
        if (!plan.loadBalancer.listeners.some((x) => x.port === l.port)) {
          await elb(conn, "DeleteListener", { ListenerArn: l.arn });
          say(`listener :${l.port} removed (no longer published)`);
        }
      }
    }
  }

  const registries = new Map((await namespaceServices(conn, ns.id)).map((s) => [s.Name, s]));
  const changed: string[] = [];
  for (const s of plan.services) {
    for (const dep of s.after) await waitDependency(conn, cluster, dep.service, dep.healthy, say, s.name);
    let registry = registries.get(s.discoveryName);
    if (!registry) {
      const r = await conn.json<{ Service: { Id: string; Arn: string; Name: string } }>(SD, "CreateService", {
        Name: s.discoveryName,
        NamespaceId: ns.id,
        DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
        Tags: [{ Key: PROJECT_TAG, Value: plan.project }],
      });
      registry = r.Service;
      registries.set(s.discoveryName, registry);
    }
    const tdArn = await ensureTaskDefinition(conn, s, say);
    const lbs = s.targetGroups.map((name) => {
      const tg = plan.targetGroups.find((t) => t.name === name)!;
      return { targetGroupArn: tgArns.get(name)!, containerName: tg.container, containerPort: tg.containerPort };
    });
    const current = (await describeServices(conn, cluster, [s.name])).find((x) => x.status === "ACTIVE");
    if (!current) {
      await conn.ecs("CreateService", {
        cluster,
        serviceName: s.name,
        taskDefinition: tdArn,
        desiredCount: s.desiredCount,
        launchType: s.launchType,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: network.subnets, securityGroups: s.securityGroups.map((n) => groupIds.get(n)!), assignPublicIp: "ENABLED" },
        },
        ...(lbs.length ? { loadBalancers: lbs, healthCheckGracePeriodSeconds: 0 } : {}),
        serviceRegistries: [{ registryArn: registry.Arn }],
        deploymentConfiguration: s.deploymentConfiguration,
        tags: [{ key: PROJECT_TAG, value: plan.project }],
        propagateTags: "SERVICE",
      });
      say(`service ${s.name} created (${shortTd(tdArn)}, ${s.desiredCount} task${s.desiredCount === 1 ? "" : "s"})`);
      changed.push(s.name);
    } else if (current.taskDefinition !== tdArn || current.desiredCount !== s.desiredCount) {
      await conn.ecs("UpdateService", { cluster, service: s.name, taskDefinition: tdArn, desiredCount: s.desiredCount, deploymentConfiguration: s.deploymentConfiguration });
      const what = [current.taskDefinition !== tdArn ? `${shortTd(current.taskDefinition)} → ${shortTd(tdArn)}` : "", current.desiredCount !== s.desiredCount ? `${current.desiredCount} → ${s.desiredCount} tasks` : ""];
      say(`service ${s.name} updated (${what.filter(Boolean).join(", ")})`);
      changed.push(s.name);
    } else {
      say(`service ${s.name} unchanged (${shortTd(tdArn)})`);
    }
  }
  // Services of the project the file no longer has.
  const wanted = new Set(plan.services.map((s) => s.name));
  for (const name of await clusterServices(conn, cluster)) {
    if (wanted.has(name)) continue;
    const [svc] = await describeServices(conn, cluster, [name]);
    if (!svc || svc.status !== "ACTIVE") continue;
    if (plan.cluster.existing && !(await taggedForProject(conn, svc.serviceArn, plan.project))) continue;
    await conn.ecs("DeleteService", { cluster, service: name, force: true });
    say(`service ${name} removed (not in the file any more)`);
  }
  return { network, ...(lb ? { loadBalancer: lb } : {}), changed };
}

async function taggedForProject(conn: Connection, arn: string, project: string): Promise<boolean> {
  const r = await conn.ecs<{ tags?: { key: string; value: string }[] }>("ListTagsForResource", { resourceArn: arn });
  return (r.tags ?? []).some((t) => t.key === PROJECT_TAG && t.value === project);
}

export const shortTd = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

/** The latest revision when it is what the file would register (same fingerprint), else a new one. */
async function ensureTaskDefinition(conn: Connection, s: PlannedService, say: Say): Promise<string> {
  try {
    const r = await conn.ecs<{ taskDefinition: { taskDefinitionArn: string; status: string }; tags?: { key: string; value: string }[] }>("DescribeTaskDefinition", {
      taskDefinition: s.family,
      include: ["TAGS"],
    });
    if (r.taskDefinition.status === "ACTIVE" && (r.tags ?? []).some((t) => t.key === SPEC_TAG && t.value === s.spec)) return r.taskDefinition.taskDefinitionArn;
  } catch (err) {
    if (!isCode(err, "ClientException")) throw err;
  }
  const r = await conn.ecs<{ taskDefinition: { taskDefinitionArn: string } }>("RegisterTaskDefinition", s.taskDefinition as unknown as Record<string, unknown>);
  say(`task definition ${shortTd(r.taskDefinition.taskDefinitionArn)} registered`);
  return r.taskDefinition.taskDefinitionArn;
}

/** depends_on: a dependency's tasks running (service_started) or its rollout complete with healthy tasks (service_healthy). */
async function waitDependency(conn: Connection, cluster: string, dep: string, healthy: boolean, say: Say, who: string): Promise<void> {
  let told = false;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const [svc] = await describeServices(conn, cluster, [dep]);
    if (svc) {
      const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
      if (!healthy && svc.runningCount >= Math.min(1, svc.desiredCount)) return;
      if (healthy && primary?.rolloutState === "COMPLETED" && (await tasksHealthy(conn, cluster, dep))) return;
      if (primary?.rolloutState === "FAILED") throw new Error(`${who} depends on ${dep}, whose deployment failed: ${primary.rolloutStateReason ?? ""}`);
    }
    if (!told) {
      say(`${who} waits for ${dep} to be ${healthy ? "healthy" : "started"} (depends_on)`);
      told = true;
    }
    if (Date.now() > deadline) throw new Error(`${who}: ${dep} did not become ${healthy ? "healthy" : "started"} in 10 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function tasksHealthy(conn: Connection, cluster: string, service: string): Promise<boolean> {
  const { taskArns = [] } = await conn.ecs<{ taskArns?: string[] }>("ListTasks", { cluster, serviceName: service, desiredStatus: "RUNNING" });
  if (!taskArns.length) return false;
  const r = await conn.ecs<{ tasks?: { healthStatus?: string; lastStatus?: string }[] }>("DescribeTasks", { cluster, tasks: taskArns });
  return (r.tasks ?? []).every((t) => t.lastStatus === "RUNNING" && t.healthStatus === "HEALTHY");
}
