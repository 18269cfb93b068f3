import type { TaskTarget, TaskTargetView } from "../../core/service/types.js";
import type { InstanceDoc } from "../../records/instance-doc.js";
import type { ServiceLbPort } from "../../records/service-lb.js";
import { isExternal, loadBalancersOfTask } from "../../records/service-doc.js";
import type { TaskDoc } from "../../records/task-doc.js";
import type { Elbv2Deps } from "../elbv2/deps.js";
import type { TargetGroupDoc, TargetHealthDoc } from "../elbv2/docs.js";
import { deregisterTargets, healthId, registerTargets, targetHealthOf } from "../elbv2/targets.js";
import { groupUsage } from "../elbv2/usage.js";
import { schedulerContext } from "./service-task-port.js";

/**
 * The service controller's hands on its target groups: a task's targets computed from what the
 * task and its instance report (ENI address, host port bindings, EC2 instance id), their state
 * read from the ELBv2 records (the same answer DescribeTargetHealth gives), and registrations
 * made through the very RegisterTargets / DeregisterTargets users call.
 */
export function serviceLbPort(deps: Elbv2Deps): ServiceLbPort {
  return {
    async observeTargets(service) {
      const out = new Map<string, TaskTargetView[]>();
      const lbs = (service.loadBalancers ?? []).filter((l) => l.targetGroupArn && l.containerName && l.containerPort !== undefined);
      if (lbs.length === 0) return out;
      const group = `service:${service.serviceName}`;
      const tasks = (await deps.store.list<TaskDoc>("task", { scope: service.clusterArn })).map((r) => r.value).filter((t) => t.group === group);
      if (tasks.length === 0) return out;
      const instanceIds = new Map<string, string>();
      for (const { value: i } of await deps.store.list<InstanceDoc>("container-instance", { scope: service.clusterArn })) {
        instanceIds.set(i.containerInstanceArn, i.ec2InstanceId);
      }
      const groups = new Map<string, { tg: TargetGroupDoc; inUse: boolean; reports: Map<string, TargetHealthDoc> }>();
      const usage = new Map<string, Map<string, Set<string>>>();
      for (const lb of lbs) {
        const arn = lb.targetGroupArn!;
        if (groups.has(arn)) continue;
        const tg = (await deps.store.get<TargetGroupDoc>("elbv2-target-group", arn))?.value;
        if (!tg) continue;
        let used = usage.get(tg.region);
        if (!used) usage.set(tg.region, (used = await groupUsage(deps, tg.region)));
        const reports = new Map((await deps.store.list<TargetHealthDoc>("elbv2-target-health", { scope: arn })).map((r) => [r.id, r.value]));
        groups.set(arn, { tg, inUse: !!used.get(arn)?.size, reports });
      }
      const now = deps.clock.now();
      for (const t of tasks) {
        const views: TaskTargetView[] = [];
        // A task set's tasks go to its own load balancers only.
        const mine = isExternal(service) ? loadBalancersOfTask(service, t.startedBy) : lbs;
        for (const lb of mine) {
          if (!lb.targetGroupArn || !lb.containerName || lb.containerPort === undefined) continue;
          const g = groups.get(lb.targetGroupArn!);
          if (!g) continue;
          const target = taskTarget(t, g.tg, lb.containerName!, lb.containerPort!, instanceIds);
          if (!target) continue;
          const doc = g.tg.targets.find((x) => x.id === target.id && x.port === target.port);
          const draining = doc?.deregisteredAt !== undefined && (doc.drainDeadline ?? 0) > now;
          if (!doc || (doc.deregisteredAt !== undefined && !draining)) {
            views.push({ ...target, membership: "absent" });
            continue;
          }
          if (draining) {
            views.push({ ...target, membership: "draining", state: "draining" });
            continue;
          }
          const report = g.reports.get(healthId(g.tg.arn, doc.id, doc.port));
          const h = targetHealthOf(doc, { inUse: g.inUse, dataPlane: !!deps.hasLbDataPlane, checksEnabled: g.tg.healthCheck.enabled, report });
          views.push({
            ...target,
            membership: "registered",
            state: h.State,
            ...(h.Reason ? { reason: h.Reason } : {}),
            ...(h.Description ? { description: h.Description } : {}),
            ...(report && report.at >= doc.registeredAt ? { since: report.at } : {}),
          });
        }
        if (views.length > 0) out.set(t.taskArn, views);
      }
      return out;
    },

    async registerTargets(service, targets) {
      for (const [arn, list] of byGroup(targets)) {
        await registerTargets(deps, { TargetGroupArn: arn, Targets: list.map((t) => ({ Id: t.id, Port: t.port })) }, schedulerContext(service));
      }
    },

    async deregisterTargets(service, targets) {
      for (const [arn, list] of byGroup(targets)) {
        await deregisterTargets(deps, { TargetGroupArn: arn, Targets: list.map((t) => ({ Id: t.id, Port: t.port })) }, schedulerContext(service));
      }
    },
  };
}

/**
 * The task's target in this group, once it has an address: `ip` groups take the ENI address and
 * the container port; `instance` groups the instance's EC2 id and the host port Docker bound to
 * the container port (bridge dynamic ports included; host mode binds the container port itself).
 */
export function taskTarget(t: TaskDoc, tg: TargetGroupDoc, containerName: string, containerPort: number, instanceIds: ReadonlyMap<string, string>): TaskTarget | undefined {
  const base = { targetGroupArn: tg.arn, containerName, containerPort };
  if (tg.targetType === "ip") {
    const ip = t.wharf.eni?.privateIpv4Address;
    return ip ? { ...base, id: ip, port: containerPort } : undefined;
  }
  const instanceId = t.containerInstanceArn ? instanceIds.get(t.containerInstanceArn) : undefined;
  if (!instanceId) return undefined;
  const container = t.containers.find((c) => c.name === containerName);
  const binding = (container?.networkBindings ?? []).find(
    (b) => Number(b.containerPort) === containerPort && (b.protocol ?? "tcp") === "tcp" && !String(b.bindIP ?? "").includes(":"),
  );
  const mode = (t.wharf.taskDefinition as { networkMode?: string }).networkMode;
  const hostPort = binding ? Number(binding.hostPort) : mode === "host" && container ? containerPort : undefined;
  return hostPort ? { ...base, id: instanceId, port: hostPort } : undefined;
}

function byGroup(targets: readonly TaskTarget[]): Map<string, TaskTarget[]> {
  const out = new Map<string, TaskTarget[]>();
  for (const t of targets) out.set(t.targetGroupArn, [...(out.get(t.targetGroupArn) ?? []), t]);
  return out;
}
