import {
  AGENT_POLL_PATH,
  AGENT_POLL_WAIT_MS,
  type PollRequest,
} from "../contracts/agent-protocol.js";
import { pollManyRoute } from "./agent-poll-many.js";
import { type AgentChannelOptions, badRequest, snapshot } from "./agent-snapshot.js";
import { hangUpSignal, signedRoute } from "./signed-route.js";
import { clusterArnIn } from "../core/arn.js";
import { clusterNotFound } from "../core/errors.js";
import type { InternalRoute } from "../edge/server.js";

/**
 * The control-plane end of the agent channel (see src/contracts/agent-protocol.ts): a SigV4-signed
 * long poll that answers with the instance's whole task list and its sequence number, at once
 * when the sequence is newer than what the agent has, else when it changes or `waitMs` passes.
 */
function parsePoll(body: unknown): PollRequest {
  const r = body as Partial<PollRequest>;
  if (typeof r.containerInstanceArn !== "string") throw badRequest("containerInstanceArn is required.");
  if (r.cluster !== undefined && typeof r.cluster !== "string") throw badRequest("cluster must be a string.");
  if (typeof r.afterSeq !== "number" || !Number.isFinite(r.afterSeq)) throw badRequest("afterSeq must be a number.");
  if (r.waitMs !== undefined && (typeof r.waitMs !== "number" || r.waitMs < 0)) throw badRequest("waitMs must be a non-negative number.");
  return r as PollRequest;
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
  return async (req, res, body, call) => (await single(req, res, body, call)) || many(req, res, body, call);
}
