import type { RunTaskRequest } from "@aws-sdk/client-ecs";
import { rootUserArn } from "../core/arn.js";
import { AwsError } from "../core/errors.js";
import { newRequestId } from "../core/ids.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import { validateInput } from "../edge/shape-model.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { EcsDeps } from "./ecs/deps.js";
import { ecsModel } from "./ecs/model.generated.js";
import { explainRunTask } from "./ecs/task-placement.js";
import { signedRoute } from "./signed-route.js";
import { EXPLAIN_PATH } from "../contracts/internal-routes.js";

/**
 * `POST /_wharf/explain`: "where would this task go, and why not elsewhere?" without starting
 * anything. SigV4-signed like any ECS call (service `ecs`); the body is a RunTask input
 * (cluster, taskDefinition, count, group, placementConstraints, placementStrategy, overrides,
 * networkConfiguration, launchType), validated against RunTask's model; the answer is
 * ExplainOutput (src/contracts/internal-routes.ts): per instance the rule that rejected it and how
 * short it fell, or its rank and scores, plus where each task would go. `wharf explain` reads it.
 */

export interface ExplainRouteOptions {
  deps: EcsDeps;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
}

export function explainRoute(o: ExplainRouteOptions): InternalRoute {
  return signedRoute({
    path: EXPLAIN_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity) {
      if (identity.service !== "ecs") {
        throw new AwsError("InvalidSignatureException", "Credential should be scoped to correct service: 'ecs'.");
      }
      const input = validateInput(ecsModel, "RunTask", body as Record<string, unknown>) as unknown as RunTaskRequest;
      const principal = { region: identity.region, accountId: o.accountId };
      return explainRunTask(o.deps, input, {
        principal,
        requestId: newRequestId(),
        accessKeyId: identity.accessKeyId,
        callerArn: rootUserArn(principal),
      });
    },
  });
}
