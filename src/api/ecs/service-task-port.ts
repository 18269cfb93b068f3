import { clusterOfArn, parseArn, serviceArn } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import { constraintsHold, type PlacementFailure, SERVICE_DEFAULT_STRATEGY } from "../../core/placement/index.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import type { DeploymentState } from "../../core/service/types.js";
import type { RequestContext } from "../../edge/service.js";
import { observeTask, type ServiceTaskPort, type StartOutcome } from "../../records/service-tasks.js";
import type { DaemonInstance } from "../../core/service/daemon.js";
import type { EcsDeps } from "./deps.js";
import { registeredInstances } from "./container-instances.js";
import type { ServiceDoc } from "../../records/service-doc.js";
import { readTags } from "../../records/tag-store.js";
import type { TaskDoc } from "../../records/task-doc.js";
import { markDeactivating, markDesiredStopped, releaseHeld } from "./task-stop.js";
import { clusterPlacement, placementRequest } from "./task-placement.js";
import { runTask, startTask } from "./tasks.js";
import { FARGATE_PROVIDERS } from "../../core/fargate/index.js";

/** RunTask accepts at most this many tasks per call. */
const RUN_TASK_BATCH = 10;

/**
 * The service scheduler's hands: it launches and stops a service's tasks through the very
 * operations users call (RunTask, StartTask, the StopTask path), so service tasks get the same
 * validation, placement, idempotent writes and agent notification as any other task.
 */
export function serviceTaskPort(deps: EcsDeps): ServiceTaskPort {
  return {
    async listServiceTasks(service) {
      const [tasks, instances] = await Promise.all([
        deps.store.list<TaskDoc>("task", { scope: service.clusterArn }),
        registeredInstances(deps, service.clusterArn),
      ]);
      const group = `service:${service.serviceName}`;
      const draining = new Set(instances.filter((i) => i.status !== "ACTIVE").map((i) => i.containerInstanceArn));
      const present = new Set(instances.map((i) => i.containerInstanceArn));
      for (const t of tasks) {
        const arn = t.value.containerInstanceArn;
        // Fargate tasks run on the managed pool's hosts, which no cluster lists.
        if (arn && !present.has(arn) && !t.value.wharf.capacityArn) draining.add(arn);
      }
      return tasks.filter((t) => t.value.group === group).map((t) => observeTask(t.value, draining));
    },

    async startTasks(service, deployment, count, containerInstanceArns) {
      const ctx = schedulerContext(service);
      const base = await launchInput(deps, service, deployment);
      const outcome: StartOutcome = { started: [], failures: [] };
      const record = (out: { tasks?: { taskArn?: string }[]; failures?: PlacementFailure[] }) => {
        for (const t of out.tasks ?? []) if (t.taskArn) outcome.started.push(t.taskArn);
        if (out.failures?.length) outcome.failures.push(placementVerdict(out.failures));
      };
      try {
        if (containerInstanceArns && containerInstanceArns.length > 0) {
          for (let i = 0; i < containerInstanceArns.length; i += RUN_TASK_BATCH) {
            record(await startTask(deps, { ...base, containerInstances: containerInstanceArns.slice(i, i + RUN_TASK_BATCH) }, ctx));
          }
        } else {
          for (let left = count; left > 0; left -= RUN_TASK_BATCH) {
            const n = Math.min(RUN_TASK_BATCH, left);
            const out = await runTask(deps, { ...base, count: n, ...launchOf(service, deployment) }, ctx);
            record(out);
            if ((out.tasks ?? []).length < n) break;
          }
        }
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        outcome.failures.push({ reason: err.code, detail: `Reason: ${err.message}` });
      }
      return outcome;
    },

    async stopTask(_service, taskArn, reason) {
      await markDesiredStopped(deps, taskArn, reason, "ServiceSchedulerInitiated");
    },

    async deactivateTask(_service, taskArn, reason) {
      await markDeactivating(deps, taskArn, reason, "ServiceSchedulerInitiated");
    },

    async releaseTask(_service, taskArn) {
      await releaseHeld(deps, taskArn);
    },

    /**
     * DAEMON eligibility: the instance satisfies the task definition's requiresAttributes and the
     * memberOf constraints (the definition's and the service's), judged by the placement engine's
     * own filters on the cluster's index. Free resources do not count: the daemon's own task
     * holds them.
     */
    async listDaemonInstances(service): Promise<DaemonInstance[]> {
      const instances = await registeredInstances(deps, service.clusterArn);
      const td = (await deps.store.get<TaskDefinitionDoc>("taskdef", service.taskDefinition ?? ""))?.value;
      const placement = td ? await clusterPlacement(deps, service.clusterArn) : undefined;
      const request =
        td && placementRequest(td, { count: 1, group: `service:${service.serviceName}`, placementConstraints: service.placementConstraints });
      return instances.map((i) => {
        const slot = placement?.index.slotOf(i.containerInstanceArn);
        const eligible = !request || slot === undefined || constraintsHold(request, placement!.index, slot);
        return { containerInstanceArn: i.containerInstanceArn, status: i.status, eligible };
      });
    },
  };
}

/** The identity the scheduler acts as: the service's own account and region. */
export function schedulerContext(service: ServiceDoc): RequestContext {
  const parsed = parseArn(service.serviceArn)!;
  const principal = { region: parsed.region, accountId: parsed.accountId };
  return {
    principal,
    requestId: "ecs-service-scheduler",
    accessKeyId: "ecs-service-scheduler",
    callerArn: `arn:${parsed.partition}:iam::${parsed.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
  };
}

/** The deployment's launch: its capacity provider strategy, else its launch type. */
function launchOf(service: ServiceDoc, deployment: DeploymentState): { launchType?: never; capacityProviderStrategy?: never } {
  const strategy = deployment.capacityProviderStrategy ?? service.capacityProviderStrategy;
  if (strategy?.length) return { capacityProviderStrategy: strategy as never };
  return { launchType: (deployment.launchType ?? service.launchType) as never };
}

const isFargate = (service: ServiceDoc, deployment: DeploymentState): boolean => {
  const strategy = deployment.capacityProviderStrategy ?? service.capacityProviderStrategy ?? [];
  if (strategy.length) return (strategy as { capacityProvider?: string }[]).every((s) => FARGATE_PROVIDERS.has(s.capacityProvider ?? ""));
  return (deployment.launchType ?? service.launchType) === "FARGATE";
};

async function launchInput(deps: EcsDeps, service: ServiceDoc, deployment: DeploymentState) {
  const name = service.serviceName;
  const fargate = isFargate(service, deployment);
  const tags =
    service.propagateTags === "SERVICE"
      ? await readTags(deps.store, serviceArn(schedulerContext(service).principal, clusterOfArn(service.clusterArn), name))
      : [];
  return {
    cluster: service.clusterArn,
    taskDefinition: deployment.taskDefinition,
    group: `service:${name}`,
    startedBy: deployment.id,
    ...(deployment.networkConfiguration ?? service.networkConfiguration
      ? { networkConfiguration: (deployment.networkConfiguration ?? service.networkConfiguration) as never }
      : {}),
    ...(service.placementConstraints?.length ? { placementConstraints: service.placementConstraints } : {}),
    // A REPLICA service without strategies spreads over Availability Zones, then instances (ECS's default).
    // Fargate takes no strategy: its tasks spread over the subnets' zones by themselves.
    placementStrategy: fargate
      ? []
      : service.placementStrategy?.length
        ? service.placementStrategy
        : service.schedulingStrategy === "DAEMON"
          ? []
          : SERVICE_DEFAULT_STRATEGY.map((st) => ({ ...st })),
    ...(fargate && (deployment.platformVersion ?? service.platformVersion)
      ? { platformVersion: deployment.platformVersion ?? service.platformVersion }
      : {}),
    ...(service.propagateTags === "TASK_DEFINITION" ? { propagateTags: "TASK_DEFINITION" as const } : {}),
    ...(tags.length ? { tags } : {}),
    // ECS Exec: the service's setting when the task is launched (UpdateService's change reaches new tasks).
    ...(service.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
    ...(service.enableECSManagedTags ? { enableECSManagedTags: true } : {}),
  };
}


/** Failure reasons in the engine's filter order: the later a rule refused an instance, the closer it came. */
const CLOSENESS = [
  "STATUS",
  "AGENT",
  "ATTRIBUTE",
  "RESOURCE:CPU",
  "RESOURCE:MEMORY",
  "RESOURCE:PORTS",
  "RESOURCE:PORTS_UDP",
  "RESOURCE:GPU",
  "RESOURCE:ENI",
  "MemberOf placement constraint unsatisfied",
  "DistinctInstance placement constraint unsatisfied",
];

/**
 * The verdict of a RunTask that could not place a service's task, for the service event that
 * completes ECS's "was unable to place a task…": the closest matching instance (the one refused
 * by the latest rule) in ECS's words with how short it fell, then how many instances each rule
 * refused — the same verdicts `wharf explain` shows.
 */
export function placementVerdict(failures: readonly PlacementFailure[]): { reason: string; detail: string } {
  const rank = (f: PlacementFailure) => CLOSENESS.indexOf(f.reason);
  const closest = failures.reduce((best, f) => (rank(f) > rank(best) ? f : best), failures[0]!);
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const byRule = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${n} ${r}`);
  const total = failures.length === 1 ? "1 instance was" : `${failures.length} instances were`;
  return { reason: closest.reason, detail: `${closestSentence(closest)} ${total} refused: ${byRule.join(", ")}.` };
}

function closestSentence(f: PlacementFailure): string {
  const id = f.arn ? f.arn.slice(f.arn.lastIndexOf("/") + 1) : "";
  const closest = `The closest matching (container-instance ${id})`;
  const how = f.detail ? ` (${f.detail})` : "";
  switch (f.reason) {
    case "RESOURCE:CPU":
      return `${closest} has insufficient CPU units available${how}.`;
    case "RESOURCE:MEMORY":
      return `${closest} has insufficient memory available${how}.`;
    case "RESOURCE:PORTS":
    case "RESOURCE:PORTS_UDP":
      return `${closest} is already using a port required by your task${how}.`;
    case "RESOURCE:GPU":
      return `${closest} has insufficient GPUs available${how}.`;
    case "RESOURCE:ENI":
      return `${closest} has no free network interface for an awsvpc task${how}.`;
    case "AGENT":
      return `${closest} has no connected agent.`;
    default:
      return `${closest} encountered error "${f.reason}"${how}.`;
  }
}
