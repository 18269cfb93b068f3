import type { CancelRotateSecretRequest, RotateSecretRequest } from "@aws-sdk/client-secrets-manager";
import { invalidRequest, secretArn } from "../../core/secretsmanager/secrets.js";
import type { RequestContext } from "../../edge/service.js";
import { requireLiveSecret, type SmDeps } from "./deps.js";

/**
 * Rotation: AWS rotates a secret by invoking a Lambda function through createSecret, setSecret,
 * testSecret and finishSecret. Wharf has no Lambda, so RotateSecret says so; a rotation by hand
 * (PutSecretValue, or PutSecretValue with AWSPENDING then UpdateSecretVersionStage) moves the
 * stages exactly as finishSecret would.
 */
export async function rotateSecret(deps: SmDeps, input: RotateSecretRequest, ctx: RequestContext): Promise<never> {
  await requireLiveSecret(deps, input.SecretId!, ctx.principal);
  throw invalidRequest(
    "Wharf cannot rotate secrets: there is no AWS Lambda to run a rotation function. Rotate by hand: PutSecretValue with the new value moves AWSCURRENT to it and AWSPREVIOUS to the version before (or stage it as AWSPENDING and move AWSCURRENT with UpdateSecretVersionStage).",
  );
}

/** No secret of Wharf ever has rotation on: there is nothing to cancel, and the answer says which secret. */
export async function cancelRotateSecret(deps: SmDeps, input: CancelRotateSecretRequest, ctx: RequestContext) {
  const d = await requireLiveSecret(deps, input.SecretId!, ctx.principal);
  return { ARN: secretArn(d), Name: d.name };
}
