import type { IncomingMessage, ServerResponse } from "node:http";
import { AGENT_POLL_PATH, AGENT_POLL_WAIT_MS, type PollRequest, type PollResponse, type TaskAssignment } from "../agent/protocol.js";
import { clusterArn, clusterNameOf } from "../core/arn.js";
import { AwsError } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import { type SecretLookup, verifySigV4 } from "../edge/sigv4.js";
import type { AgentHub } from "./agent-hub.js";
import type { EcsDeps } from "./ecs/deps.js";
import { clusterTasks, type InstanceDoc } from "./ecs/instance-doc.js";
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

const badRequest = (message: string) => new AwsError("InvalidParameterException", message);

function parsePoll(body: Buffer): PollRequest {
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", "Poll body is not valid JSON.");
  }
  const r = v as Partial<PollRequest> | null;
  if (!r || typeof r !== "object") throw badRequest("Poll body must be a JSON object.");
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
    containers: t.containers.map((c) => ({ name: c.name, containerArn: c.containerArn })),
    desiredStatus: t.desiredStatus === "STOPPED" ? "STOPPED" : "RUNNING",
    launchType: t.launchType,
    ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
    group: t.group,
    ...(t.cpu !== undefined ? { cpu: t.cpu } : {}),
    ...(t.memory !== undefined ? { memory: t.memory } : {}),
    createdAt: t.createdAt,
    ...(t.desiredStatus === "STOPPED" && t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.wharf.eni ? { eni: t.wharf.eni } : {}),
  };
}

/** The instance's answer right now. The seq is read BEFORE the tasks, so a change racing the read is re-sent. */
async function snapshot(o: AgentChannelOptions, clusterArnValue: string, instanceArn: string): Promise<PollResponse> {
  const seq = o.hub.seq(instanceArn);
  const doc = (await o.deps.store.get<InstanceDoc>("container-instance", instanceArn))?.value;
  const registered = !!doc && doc.wharf.clusterArn === clusterArnValue && doc.status !== "INACTIVE";
  const tasks = doc && doc.wharf.clusterArn === clusterArnValue
    ? (await clusterTasks(o.deps.store, clusterArnValue))
        .filter((t) => t.containerInstanceArn === instanceArn && t.lastStatus !== "STOPPED")
        .map(toAssignment)
    : [];
  return { seq, tasks, registered };
}

export function agentChannelRoute(o: AgentChannelOptions): InternalRoute {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== AGENT_POLL_PATH) return false;
    try {
      if (req.method !== "POST") throw new AwsError("UnknownOperationException", `Use POST ${AGENT_POLL_PATH}.`, 405);
      const identity = verifySigV4(
        { method: req.method, url: req.url ?? "/", rawHeaders: req.rawHeaders, body },
        o.secrets,
        o.clock.now(),
      );
      const poll = parsePoll(body);
      const principal = { region: identity.region, accountId: o.accountId };
      const cArn = clusterArn(principal, clusterNameOf(poll.cluster));
      const instanceArn = poll.containerInstanceArn;
      const abort = new AbortController();
      const onClose = () => abort.abort();
      res.once("close", onClose);
      o.hub.pollStarted(instanceArn);
      try {
        let answer = await snapshot(o, cArn, instanceArn);
        if (answer.registered && answer.seq <= poll.afterSeq) {
          await o.hub.wait(instanceArn, poll.afterSeq, poll.waitMs ?? AGENT_POLL_WAIT_MS, abort.signal);
          answer = await snapshot(o, cArn, instanceArn);
        }
        if (!res.destroyed) send(res, 200, answer);
      } finally {
        res.off("close", onClose);
        o.hub.pollEnded(instanceArn);
      }
    } catch (err) {
      const aws = err instanceof AwsError ? err : new AwsError("ServerException", "Internal error.", 500);
      if (!res.destroyed && !res.headersSent) send(res, aws.status, { __type: aws.code, message: aws.message });
    }
    return true;
  };
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
