import type { Connection } from "../connection.js";
import { PROJECT_TAG, type ComposePlan } from "../../core/compose/index.js";
import {
  clusterServices,
  describeServices,
  ECR,
  elb,
  findLoadBalancer,
  findNamespace,
  findNetwork,
  findSecurityGroup,
  findTargetGroup,
  isCode,
  listeners,
  namespaceServices,
  SD,
  waitOperation,
} from "./aws.js";
import type { Say } from "./apply.js";

/**
 * `wharf compose down`: removes everything `up` made for the project, in the order the APIs
 * allow: the services (scaled to 0 and deleted, waited until INACTIVE so their tasks have left
 * the target groups and the registry), the load balancer (or, for x-aws-loadbalancer, only the
 * project's listeners), the target groups, the Cloud Map services and namespace, the security
 * groups (once the tasks' ENIs are gone), the log group, every revision of the task definitions,
 * the ECR repositories of built images, and the cluster (unless x-aws-cluster named it).
 */
export async function downPlan(conn: Connection, plan: ComposePlan, say: Say, timeoutMs: number): Promise<void> {
  const cluster = plan.cluster.name;
  const deadline = Date.now() + timeoutMs;
  const names = new Set(plan.services.map((s) => s.name));
  const families = new Set(plan.services.map((s) => s.family));
  for (const n of await clusterServices(conn, cluster)) {
    if (plan.cluster.existing && !names.has(n)) continue;
    names.add(n);
  }
  const live = (await describeServices(conn, cluster, [...names])).filter((s) => s.status !== "INACTIVE");
  for (const s of live) {
    families.add(s.taskDefinition.slice(s.taskDefinition.lastIndexOf("/") + 1).replace(/:\d+$/, ""));
    if (s.status === "ACTIVE") {
      await conn.ecs("DeleteService", { cluster, service: s.serviceName, force: true });
      say(`service ${s.serviceName} deleted`);
    }
  }
  await until(deadline, "the services to stop their tasks", async () =>
    (await describeServices(conn, cluster, live.map((s) => s.serviceName))).every((s) => s.status === "INACTIVE"),
  );

  const lb = plan.loadBalancer ? await findLoadBalancer(conn, plan.loadBalancer.name) : undefined;
  if (lb && plan.loadBalancer) {
    if (plan.loadBalancer.existing) {
      for (const l of await listeners(conn, lb.arn)) {
        if (plan.loadBalancer.listeners.some((x) => x.port === l.port)) await elb(conn, "DeleteListener", { ListenerArn: l.arn });
      }
    } else {
      await elb(conn, "DeleteLoadBalancer", { LoadBalancerArn: lb.arn });
      say(`load balancer ${plan.loadBalancer.name} deleted`);
    }
  }
  for (const tg of plan.targetGroups) {
    const found = await findTargetGroup(conn, tg.name);
    if (!found) continue;
    await until(deadline, `target group ${tg.name} to be free`, async () => {
      try {
        await elb(conn, "DeleteTargetGroup", { TargetGroupArn: found.arn });
        return true;
      } catch (err) {
        if (isCode(err, "ResourceInUse")) return false;
        throw err;
      }
    });
    say(`target group ${tg.name} deleted`);
  }

  const ns = await findNamespace(conn, plan.namespace);
  if (ns) {
    for (const svc of await namespaceServices(conn, ns.id)) {
      await until(deadline, `Cloud Map service ${svc.Name} to have no instances`, async () => {
        try {
          await conn.json(SD, "DeleteService", { Id: svc.Id });
          return true;
        } catch (err) {
          if (isCode(err, "ResourceInUse")) return false;
          throw err;
        }
      });
    }
    const r = await conn.json<{ OperationId: string }>(SD, "DeleteNamespace", { Id: ns.id });
    await waitOperation(conn, r.OperationId);
    say(`namespace ${plan.namespace} deleted`);
  }

  const network = await findNetwork(conn, plan.vpc).catch(() => undefined);
  if (network) {
    for (const g of plan.securityGroups) {
      const id = await findSecurityGroup(conn, network.vpcId, g.name);
      if (!id) continue;
      await until(deadline, `security group ${g.name} to be free of the tasks' network interfaces`, async () => {
        try {
          await conn.query("ec2", "DeleteSecurityGroup", { GroupId: id });
          return true;
        } catch (err) {
          if (isCode(err, "DependencyViolation")) return false;
          throw err;
        }
      });
      say(`security group ${g.name} deleted`);
    }
  }

  try {
    await conn.logs(plan.region, "DeleteLogGroup", { logGroupName: plan.logGroup.name });
    say(`log group ${plan.logGroup.name} deleted`);
  } catch (err) {
    if (!isCode(err, "ResourceNotFoundException")) throw err;
  }

  for (const family of families) {
    const arns: string[] = [];
    for (const status of ["ACTIVE", "INACTIVE"]) {
      let nextToken: string | undefined;
      do {
        const r = await conn.ecs<{ taskDefinitionArns?: string[]; nextToken?: string }>("ListTaskDefinitions", { familyPrefix: family, status, ...(nextToken ? { nextToken } : {}) });
        for (const a of r.taskDefinitionArns ?? []) if (a.slice(a.lastIndexOf("/") + 1).replace(/:\d+$/, "") === family) arns.push(a);
        nextToken = r.nextToken;
      } while (nextToken);
    }
    if (!arns.length) continue;
    const tagged = await conn.ecs<{ tags?: { key: string; value: string }[] }>("DescribeTaskDefinition", { taskDefinition: arns[0], include: ["TAGS"] }).catch(() => ({ tags: [] }));
    if (!(tagged.tags ?? []).some((t) => t.key === PROJECT_TAG && t.value === plan.project)) continue;
    for (const a of arns) await conn.ecs("DeregisterTaskDefinition", { taskDefinition: a }).catch(() => undefined);
    for (let i = 0; i < arns.length; i += 10) await conn.ecs("DeleteTaskDefinitions", { taskDefinitions: arns.slice(i, i + 10) });
    say(`task definition ${family} (${arns.length} revision${arns.length === 1 ? "" : "s"}) deleted`);
  }

  for (const s of plan.services) {
    if (!s.build) continue;
    try {
      await conn.json(ECR, "DeleteRepository", { repositoryName: s.build.repository, force: true });
      say(`ECR repository ${s.build.repository} deleted`);
    } catch (err) {
      if (!isCode(err, "RepositoryNotFoundException")) throw err;
    }
  }

  if (!plan.cluster.existing) {
    try {
      await conn.ecs("DeleteCluster", { cluster });
      say(`cluster ${cluster} deleted`);
    } catch (err) {
      if (!isCode(err, "ClusterNotFoundException")) throw err;
    }
  }
}

async function until(deadline: number, what: string, probe: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
