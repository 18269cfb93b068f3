import type { DiscoverPollEndpointRequest } from "@aws-sdk/client-ecs";
import { clusterNameIn, idInCluster } from "../../core/arn.js";
import { serverException } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import type { EcsDeps } from "./deps.js";

/**
 * DiscoverPollEndpoint: where an agent polls. ECS answers with its ACS (`ecs-a-*`), telemetry
 * (`ecs-t-*`) and Service Connect endpoints; Wharf serves all three on its own port (the agent
 * channel is `POST /_wharf/agent/poll`), so each is this control plane's URL. Like ECS, it does
 * not require the cluster or the instance to exist; their identifiers are still checked.
 */
export async function discoverPollEndpoint(deps: EcsDeps, input: DiscoverPollEndpointRequest, ctx: RequestContext) {
  const cluster = clusterNameIn(ctx.principal, input.cluster) ?? "default";
  if (input.containerInstance) idInCluster(ctx.principal, input.containerInstance, "container-instance", cluster);
  if (!deps.endpoint) throw serverException("The poll endpoint is not known yet.");
  const url = `${deps.endpoint}/`;
  return { endpoint: url, telemetryEndpoint: url, serviceConnectEndpoint: url };
}
