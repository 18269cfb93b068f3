import { rootUserArn } from "../core/arn.js";
import { AwsError, invalidParameter } from "../core/errors.js";
import { newRequestId } from "../core/ids.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { EcsDeps } from "./ecs/deps.js";
import { interruptSpotTasks } from "./ecs/spot-interruptions.js";
import { signedRoute } from "./signed-route.js";
import type { InterruptInput } from "../contracts/internal-routes.js";
import { SPOT_INTERRUPT_PATH } from "../contracts/internal-routes.js";

/**
 * `POST /_wharf/capacity/interrupt-spot`: reclaims FARGATE_SPOT capacity now, as AWS does when it
 * needs it back. SigV4-signed (service `ecs`); body `{ cluster?, tasks?: [...] }` or
 * `{ cluster?, share: 0..1 }`; answers `{ interrupted: [taskArn], failures: [{ arn, reason }] }`.
 * `wharf spot-interrupt` calls it. Its IAM action, once identity lands: `wharf:InterruptSpotTasks`
 * on the cluster ARN.
 */

export function spotRoute(o: { deps: EcsDeps; secrets: SecretLookup; accountId: string; clock: Clock }): InternalRoute {
  return signedRoute({
    path: SPOT_INTERRUPT_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity) {
      if (identity.service !== "ecs") {
        throw new AwsError("InvalidSignatureException", "Credential should be scoped to correct service: 'ecs'.");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidParameter("The body must be a JSON object.");
      const b = body as Record<string, unknown>;
      if (b.cluster !== undefined && typeof b.cluster !== "string") throw invalidParameter("cluster must be a string.");
      if (b.tasks !== undefined && !Array.isArray(b.tasks)) throw invalidParameter("tasks must be a list of task ids or ARNs.");
      const principal = { region: identity.region, accountId: o.accountId };
      const ctx = { principal, requestId: newRequestId(), accessKeyId: identity.accessKeyId, callerArn: rootUserArn(principal) };
      return interruptSpotTasks(o.deps, b as InterruptInput, ctx);
    },
  });
}
