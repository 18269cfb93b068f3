import {
  AGENT_POLL_MANY_PATH,
  AGENT_POLL_WAIT_MS,
  MAX_POLL_MANY_INSTANCES,
  type PollManyRequest,
  type PollManyResponse,
} from "../contracts/agent-protocol.js";
import { clusterArnIn } from "../core/arn.js";
import { clusterNotFound } from "../core/errors.js";
import type { InternalRoute } from "../edge/server.js";
import { type AgentChannelOptions, badRequest, snapshot } from "./agent-snapshot.js";
import { hangUpSignal, signedRoute } from "./signed-route.js";

/**
 * The grouped poll (`POST /_wharf/agent/poll-many`, see src/contracts/agent-protocol.ts): one held request
 * stands for the polls of up to MAX_POLL_MANY_INSTANCES instances of a cluster, so a simulated
 * fleet of thousands of instances needs a few connections, not one each. Each instance counts
 * as polling (agentConnected) while the request is open; the answer carries only the instances
 * whose sequence moved past what the caller has.
 */
export function pollManyRoute(o: AgentChannelOptions): InternalRoute {
  return signedRoute({
    path: AGENT_POLL_MANY_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity, _req, res): Promise<PollManyResponse> {
      const poll = parsePollMany(body);
      const cArn = clusterArnIn({ region: identity.region, accountId: o.accountId }, poll.cluster);
      if (!cArn) throw clusterNotFound();
      const polls = poll.instances.map((i) => ({ instanceArn: i.containerInstanceArn, afterSeq: i.afterSeq }));
      const hangUp = hangUpSignal(res);
      for (const p of polls) o.hub.pollStarted(p.instanceArn);
      try {
        let moved = polls.filter((p) => o.hub.seq(p.instanceArn) > p.afterSeq);
        if (moved.length === 0) {
          await o.hub.waitAny(polls, poll.waitMs ?? AGENT_POLL_WAIT_MS, hangUp.signal);
          moved = polls.filter((p) => o.hub.seq(p.instanceArn) > p.afterSeq);
        }
        const instances = await Promise.all(
          moved.map(async (p) => ({ containerInstanceArn: p.instanceArn, ...(await snapshot(o, cArn, p.instanceArn)) })),
        );
        return { instances };
      } finally {
        hangUp.dispose();
        for (const p of polls) o.hub.pollEnded(p.instanceArn);
      }
    },
  });
}

function parsePollMany(body: unknown): PollManyRequest {
  const r = body as Partial<PollManyRequest>;
  if (r.cluster !== undefined && typeof r.cluster !== "string") throw badRequest("cluster must be a string.");
  if (!Array.isArray(r.instances) || r.instances.length === 0) throw badRequest("instances must list at least one instance.");
  if (r.instances.length > MAX_POLL_MANY_INSTANCES) {
    throw badRequest(`instances can list at most ${MAX_POLL_MANY_INSTANCES} instances.`);
  }
  for (const i of r.instances) {
    if (!i || typeof i.containerInstanceArn !== "string") throw badRequest("Each instance needs a containerInstanceArn.");
    if (typeof i.afterSeq !== "number" || !Number.isFinite(i.afterSeq)) throw badRequest("Each instance needs a numeric afterSeq.");
  }
  if (r.waitMs !== undefined && (typeof r.waitMs !== "number" || r.waitMs < 0)) throw badRequest("waitMs must be a non-negative number.");
  return r as PollManyRequest;
}
