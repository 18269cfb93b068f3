import type { RegisterContainerInstanceRequest } from "@aws-sdk/client-ecs";
import { clusterArn, rootUserArn } from "../core/arn.js";
import { AwsError } from "../core/errors.js";
import { newRequestId } from "../core/ids.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import { validateInput } from "../edge/shape-model.js";
import type { SecretLookup } from "../edge/sigv4.js";
import { registerInstanceIn } from "./ecs/container-instances.js";
import type { EcsDeps } from "./ecs/deps.js";
import { FARGATE_POOL_NAME } from "../records/instance-doc.js";
import { ecsModel } from "./ecs/model.generated.js";
import { signedRoute } from "./signed-route.js";
import { CAPACITY_REGISTER_PATH } from "../contracts/agent-protocol.js";

/**
 * `POST /_wharf/capacity/register`: a host joins the managed Fargate capacity of the caller's
 * account and Region (`wharf agent --fargate`, and `wharf up`'s second local agent). The body is
 * a RegisterContainerInstance input (its `cluster` is ignored); the host is registered into the
 * pool's scope, which no ECS cluster can name, so it never shows in ListContainerInstances and
 * runs only Fargate tasks. It then long-polls the agent channel with cluster `.fargate`.
 */

export interface CapacityRouteOptions {
  deps: EcsDeps;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
}

export function capacityRoute(o: CapacityRouteOptions): InternalRoute {
  return signedRoute({
    path: CAPACITY_REGISTER_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity) {
      if (identity.service !== "ecs") {
        throw new AwsError("InvalidSignatureException", "Credential should be scoped to correct service: 'ecs'.");
      }
      const input = validateInput(ecsModel, "RegisterContainerInstance", body as Record<string, unknown>) as RegisterContainerInstanceRequest;
      const principal = { region: identity.region, accountId: o.accountId };
      const ctx = { principal, requestId: newRequestId(), accessKeyId: identity.accessKeyId, callerArn: rootUserArn(principal) };
      const pool = { clusterArn: clusterArn(principal, FARGATE_POOL_NAME), clusterName: FARGATE_POOL_NAME };
      return registerInstanceIn(o.deps, pool, { ...input, cluster: FARGATE_POOL_NAME }, ctx, async () => undefined);
    },
  });
}
