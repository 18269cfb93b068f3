import { join } from "node:path";
import { type RunningAgent, startAgent } from "../agent/agent.js";
import { WharfClient } from "../contracts/wharf-client.js";
import { DockerUnavailable } from "../agent/docker/errors.js";
import type { RunningServer } from "../server.js";

/**
 * `wharf up`'s in-process agents for the local Docker host: one in cluster `default` (which it
 * ensures exists) for the EC2 launch type, and one in the managed Fargate capacity, so FARGATE
 * tasks of any cluster run here too. Without a Docker Engine it says what to do and returns no
 * agents: the API keeps serving.
 */
export async function startLocalAgents(
  server: RunningServer,
  dataDir: string,
  opts: { dockerHost?: string; hostIp?: string; out: NodeJS.WritableStream; log: (l: Record<string, unknown>) => void },
): Promise<RunningAgent[]> {
  const api = new WharfClient(server.url, server.credentials, "us-east-1");
  await api.call("CreateCluster", { clusterName: "default" });
  const common = { endpoint: server.url, hostIp: opts.hostIp, dockerHost: opts.dockerHost, credentials: server.credentials, log: opts.log };
  try {
    const agent = await startAgent({ ...common, cluster: "default", dataDir: join(dataDir, "agents", "default-local") });
    opts.out.write(`Agent for this host's Docker Engine joined cluster default (${agent.containerInstanceArn})\n`);
    const fargate = await startAgent({ ...common, cluster: "fargate", fargate: true, dataDir: join(dataDir, "agents", "fargate-local") });
    opts.out.write(`This host is also Fargate capacity: FARGATE and FARGATE_SPOT tasks of any cluster run here\n`);
    return [agent, fargate];
  } catch (err) {
    if (!(err instanceof DockerUnavailable)) throw err;
    opts.out.write(`\nThe API is serving, but tasks cannot run yet: ${err.message}.\n`);
    opts.out.write(`Then join this host to cluster default with:  wharf agent --endpoint ${server.url} --cluster default\n\n`);
    return [];
  }
}
