import {
  AGENT_POLL_PATH,
  AGENT_POLL_WAIT_MS,
  type PollRequest,
  type PollResponse,
  type TaskAssignment,
} from "../agent/protocol.js";
import { pollManyRoute } from "./agent-poll-many.js";
import { hangUpSignal, signedRoute } from "./signed-route.js";
import { clusterArnIn } from "../core/arn.js";
import { AwsError, clusterNotFound } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { AgentHub } from "./agent-hub.js";
import type { EcsDeps } from "./ecs/deps.js";
import { capacityTasks, type InstanceDoc } from "./ecs/instance-doc.js";
import type { TaskDoc } from "./ecs/task-doc.js";

/**
 * The control-plane end of the agent channel (see src/agent/protocol.ts): a SigV4-signed
 * long poll that answers with the instance's whole task list and its sequence number, at once
 * when the sequence is newer than what the agent has, else when it changes or `waitMs` passes.
 */
export interface AgentChannelOptions {
  deps: EcsDeps;
  hub: AgentHub;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
}

export const badRequest = (message: string) => new AwsError("InvalidParameterException", message);

function parsePoll(body: unknown): PollRequest {
  const r = body as Partial<PollRequest>;
  if (typeof r.containerInstanceArn !== "string") throw badRequest("containerInstanceArn is required.");
  if (r.cluster !== undefined && typeof r.cluster !== "string") throw badRequest("cluster must be a string.");
  if (typeof r.afterSeq !== "number" || !Number.isFinite(r.afterSeq)) throw badRequest("afterSeq must be a number.");
  if (r.waitMs !== undefined && (typeof r.waitMs !== "number" || r.waitMs < 0)) throw badRequest("waitMs must be a non-negative number.");
  return r as PollRequest;
}

/** What the agent needs of one task. */
export function toAssignment(t: TaskDoc): TaskAssignment {
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinition: t.wharf.taskDefinition,
    ...(t.overrides ? { overrides: t.overrides } : {}),
    containers: t.containers.map((c) => ({ name: c.name, containerArn: c.containerArn, ...(c.gpuIds?.length ? { gpuIds: c.gpuIds } : {}) })),
    desiredStatus: t.desiredStatus === "STOPPED" ? "STOPPED" : "RUNNING",
    launchType: t.launchType,
    ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
    group: t.group,
    ...(t.cpu !== undefined ? { cpu: t.cpu } : {}),
    ...(t.memory !== undefined ? { memory: t.memory } : {}),
    createdAt: t.createdAt,
    ...(t.desiredStatus === "STOPPED" && t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.wharf.eni ? { eni: t.wharf.eni } : {}),
    ...(t.wharf.capacityArn && t.availabilityZone ? { availabilityZone: t.availabilityZone } : {}),
    ...(t.ephemeralStorage ? { ephemeralStorageGiB: t.ephemeralStorage.sizeInGiB } : {}),
  };
}

/** The instance's answer right now. The seq is read BEFORE the tasks, so a change racing the read is re-sent. */
export async function snapshot(o: Pick<AgentChannelOptions, "deps" | "hub">, clusterArnValue: string, instanceArn: string): Promise<PollResponse> {
  const seq = o.hub.seq(instanceArn);
  const doc = (await o.deps.store.get<InstanceDoc>("container-instance", instanceArn))?.value;
  const registered = !!doc && doc.wharf.clusterArn === clusterArnValue && doc.status !== "INACTIVE";
  const tasks = doc && doc.wharf.clusterArn === clusterArnValue ? (await instanceTasks(o.deps, clusterArnValue, instanceArn)).map(toAssignment) : [];
  return { seq, tasks, registered };
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

/** The agent channel's routes: the per-instance long poll and the grouped poll of simulated fleets. */
export function agentChannelRoute(o: AgentChannelOptions): InternalRoute {
  const single = signedRoute({
    path: AGENT_POLL_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity, _req, res) {
      const poll = parsePoll(body);
      const cArn = clusterArnIn({ region: identity.region, accountId: o.accountId }, poll.cluster);
      if (!cArn) throw clusterNotFound();
      const instanceArn = poll.containerInstanceArn;
      const hangUp = hangUpSignal(res);
      o.hub.pollStarted(instanceArn);
      try {
        let answer = await snapshot(o, cArn, instanceArn);
        if (answer.registered && answer.seq <= poll.afterSeq) {
          await o.hub.wait(instanceArn, poll.afterSeq, poll.waitMs ?? AGENT_POLL_WAIT_MS, hangUp.signal);
          answer = await snapshot(o, cArn, instanceArn);
        }
        return answer;
      } finally {
        hangUp.dispose();
        o.hub.pollEnded(instanceArn);
      }
    },
  });
  const many = pollManyRoute(o);
  return async (req, res, body) => (await single(req, res, body)) || many(req, res, body);
}
