import { AGENT_USAGE_PATH, MAX_USAGE_TASKS, type UsageReport, type UsageReportAnswer } from "../contracts/agent-protocol.js";
import { clusterArnIn } from "../core/arn.js";
import { taskReservation } from "../core/ecs-metrics/utilization.js";
import { AwsError } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { InstanceDoc } from "../records/instance-doc.js";
import type { TaskDoc } from "../records/task-doc.js";
import type { EcsDeps } from "./ecs/deps.js";
import { scopeOfArn, type UsageBook } from "./ecs-metrics.js";
import { signedRoute } from "./signed-route.js";

const refuse = (message: string) => new AwsError("InvalidParameterException", message);

function parse(body: unknown): UsageReport {
  const r = body as Partial<UsageReport>;
  for (const k of ["cluster", "containerInstanceArn"] as const) if (typeof r[k] !== "string" || !r[k]) throw refuse(`${k} is required.`);
  if (!Array.isArray(r.tasks)) throw refuse("tasks is required.");
  if (r.tasks.length > MAX_USAGE_TASKS) throw refuse(`At most ${MAX_USAGE_TASKS} tasks a report.`);
  const okNum = (v: unknown) => v === undefined || (typeof v === "number" && Number.isFinite(v) && v >= 0);
  for (const t of r.tasks) {
    if (!t || typeof t.taskArn !== "string" || !okNum(t.cpuUnits) || !okNum(t.memoryMiB)) throw refuse("Each task needs a taskArn and non-negative cpuUnits / memoryMiB.");
  }
  return r as UsageReport;
}

const resource = (doc: InstanceDoc, name: string) => doc.registeredResources.find((r) => r.name === name)?.integerValue ?? 0;

/**
 * The control-plane end of usage reports (agent-protocol.ts, AGENT_USAGE_PATH): only tasks placed
 * on the reporting instance and not STOPPED are kept; each with its reservation and its service
 * (`group` "service:NAME"), for the AWS/ECS publisher (ecs-metrics.ts).
 */
export function agentUsageRoute(o: { deps: Pick<EcsDeps, "store">; book: UsageBook; secrets: SecretLookup; accountId: string; clock: Clock }): InternalRoute {
  return signedRoute({
    path: AGENT_USAGE_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity): Promise<UsageReportAnswer> {
      const req = parse(body);
      const cArn = clusterArnIn({ region: identity.region, accountId: o.accountId }, req.cluster);
      const instance = (await o.deps.store.get<InstanceDoc>("container-instance", req.containerInstanceArn))?.value;
      if (!cArn || !instance || instance.wharf.clusterArn !== cArn || instance.status === "INACTIVE") {
        throw refuse(`The container instance ${req.containerInstanceArn} is not registered in ${req.cluster}.`);
      }
      let accepted = 0;
      const now = o.clock.now();
      for (const s of req.tasks) {
        const task = (await o.deps.store.get<TaskDoc>("task", s.taskArn))?.value;
        if (!task || task.containerInstanceArn !== req.containerInstanceArn || task.lastStatus !== "RUNNING") continue;
        const r = taskReservation(task.wharf.taskDefinition, task.overrides, task.cpu, task.memory);
        const ec2 = task.launchType === "EC2";
        o.book.record({
          taskArn: task.taskArn,
          scope: scopeOfArn(task.clusterArn),
          clusterName: task.clusterArn.slice(task.clusterArn.lastIndexOf("/") + 1),
          ...(task.group.startsWith("service:") ? { serviceName: task.group.slice("service:".length) } : {}),
          containerInstanceArn: req.containerInstanceArn,
          ...(ec2 ? { instance: { cpu: resource(instance, "CPU"), memory: resource(instance, "MEMORY") } } : {}),
          ...(s.cpuUnits !== undefined ? { cpuUnits: s.cpuUnits } : {}),
          ...(s.memoryMiB !== undefined ? { memoryMiB: s.memoryMiB } : {}),
          ...(r.cpu !== undefined ? { cpuReserved: r.cpu } : {}),
          ...(r.memory !== undefined ? { memoryReserved: r.memory } : {}),
          at: now,
        });
        accepted++;
      }
      return { accepted, ignored: req.tasks.length - accepted };
    },
  });
}
