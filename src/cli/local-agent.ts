import { join } from "node:path";
import { type RunningAgent, startAgent } from "../agent/agent.js";
import { EcsAgentApi } from "../agent/api-client.js";
import { DockerUnavailable } from "../agent/docker/errors.js";
import type { RunningServer } from "../server.js";

/**
 * `wharf up`'s in-process agent: ensures cluster `default` exists and runs one agent for the
 * local Docker host in it. Without a Docker Engine it says what to do and returns undefined:
 * the API keeps serving.
 */
export async function startLocalAgent(
  server: RunningServer,
  dataDir: string,
  opts: { dockerHost?: string; hostIp?: string; out: NodeJS.WritableStream; log: (l: Record<string, unknown>) => void },
): Promise<RunningAgent | undefined> {
  const api = new EcsAgentApi(server.url, server.credentials, "us-east-1");
  await api.call("CreateCluster", { clusterName: "default" });
  try {
    const agent = await startAgent({
      endpoint: server.url,
      cluster: "default",
      dataDir: join(dataDir, "agents", "default-local"),
      hostIp: opts.hostIp,
      dockerHost: opts.dockerHost,
      credentials: server.credentials,
      log: opts.log,
    });
    opts.out.write(`Agent for this host's Docker Engine joined cluster default (${agent.containerInstanceArn})\n`);
    return agent;
  } catch (err) {
    if (!(err instanceof DockerUnavailable)) throw err;
    opts.out.write(`\nThe API is serving, but tasks cannot run yet: ${err.message}.\n`);
    opts.out.write(`Then join this host to cluster default with:  wharf agent --endpoint ${server.url} --cluster default\n\n`);
    return undefined;
  }
}
