import type { PollResponse, TaskAssignment } from "../contracts/agent-protocol.js";
import { AwsError } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { AgentHub } from "./agent-hub.js";
import type { EcsDeps } from "./ecs/deps.js";
import { capacityTasks, type InstanceDoc } from "../records/instance-doc.js";
import type { TaskDoc } from "../records/task-doc.js";
import type { NetworkPolicyFeed } from "./network-policy.js";
import type { PrefetchFeed } from "./prefetch-feed.js";

/**
 * What the agent channel answers, shared by the per-instance poll (agent-channel.ts) and the
 * grouped poll of simulated fleets (agent-poll-many.ts): an instance's task list as assignments.
 */
export interface AgentChannelOptions {
  deps: EcsDeps;
  hub: AgentHub;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
  /** Security groups for the answers' `networkPolicy`; without it answers carry none. */
  networkPolicy?: NetworkPolicyFeed;
  /** Wharf's DNS server, for the answers' `dnsServer` (the agents' relay forwards tasks' queries there). */
  dnsServer?: { address: string; port: number };
  /** Warm starts: the images each instance should pull ahead (answers' `prefetch`); without it answers carry none. */
  prefetch?: PrefetchFeed;
}

export const badRequest = (message: string) => new AwsError("InvalidParameterException", message);

/** What the agent needs of one task. */
export function toAssignment(t: TaskDoc): TaskAssignment {
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinition: t.wharf.taskDefinition,
    ...(t.overrides ? { overrides: t.overrides } : {}),
    containers: t.containers.map((c) => ({ name: c.name, containerArn: c.containerArn, ...(c.gpuIds?.length ? { gpuIds: c.gpuIds } : {}) })),
    // A DEACTIVATING task keeps running until its targets have drained (records/task-doc.ts holdRunning).
    desiredStatus: t.desiredStatus === "STOPPED" && !t.wharf.holdRunning ? "STOPPED" : "RUNNING",
    launchType: t.launchType,
    ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
    group: t.group,
    ...(t.cpu !== undefined ? { cpu: t.cpu } : {}),
    ...(t.memory !== undefined ? { memory: t.memory } : {}),
    createdAt: t.createdAt,
    ...(t.desiredStatus === "STOPPED" && !t.wharf.holdRunning && t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.wharf.eni ? { eni: t.wharf.eni } : {}),
    ...(t.wharf.capacityArn && t.availabilityZone ? { availabilityZone: t.availabilityZone } : {}),
    ...(t.ephemeralStorage ? { ephemeralStorageGiB: t.ephemeralStorage.sizeInGiB } : {}),
  };
}

/** The instance's answer right now. The seq is read BEFORE the tasks, so a change racing the read is re-sent. */
export async function snapshot(
  o: Pick<AgentChannelOptions, "deps" | "hub" | "networkPolicy" | "dnsServer" | "prefetch">,
  clusterArnValue: string,
  instanceArn: string,
): Promise<PollResponse> {
  const seq = o.hub.seq(instanceArn);
  const doc = (await o.deps.store.get<InstanceDoc>("container-instance", instanceArn))?.value;
  const registered = !!doc && doc.wharf.clusterArn === clusterArnValue && doc.status !== "INACTIVE";
  const docs = doc && doc.wharf.clusterArn === clusterArnValue ? await instanceTasks(o.deps, clusterArnValue, instanceArn) : [];
  const networkPolicy = registered ? await o.networkPolicy?.policyFor(instanceArn, docs) : undefined;
  const prefetch = registered && o.prefetch ? await o.prefetch.prefetchFor(clusterArnValue, instanceArn) : undefined;
  const execSessions = registered ? o.deps.exec?.pendingFor(instanceArn) : undefined;
  return {
    seq,
    tasks: docs.map(toAssignment),
    registered,
    ...(networkPolicy ? { networkPolicy } : {}),
    ...(o.dnsServer ? { dnsServer: o.dnsServer } : {}),
    ...(prefetch ? { prefetch } : {}),
    ...(execSessions?.length ? { execSessions } : {}),
  };
}

/**
 * The instance's tasks not yet STOPPED. The cluster's placement state knows them by instance, so
 * an answer reads only those records instead of every task of the cluster.
 */
async function instanceTasks(deps: EcsDeps, clusterArnValue: string, instanceArn: string): Promise<TaskDoc[]> {
  if (!deps.placement) {
    return (await capacityTasks(deps.store, clusterArnValue)).filter(
      (t) => t.containerInstanceArn === instanceArn && t.lastStatus !== "STOPPED",
    );
  }
  const arns = (await deps.placement.cluster(clusterArnValue)).tasksOn(instanceArn);
  const docs = await Promise.all(arns.map(async (arn) => (await deps.store.get<TaskDoc>("task", arn))?.value));
  return docs
    .filter((t): t is TaskDoc => !!t && t.containerInstanceArn === instanceArn && t.lastStatus !== "STOPPED")
    .sort((a, b) => (a.wharf.sort < b.wharf.sort ? -1 : a.wharf.sort > b.wharf.sort ? 1 : 0));
}

