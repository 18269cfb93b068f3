import type { DeleteResourcePolicyRequest, GetResourcePolicyRequest, PutResourcePolicyRequest, ValidateResourcePolicyRequest } from "@aws-sdk/client-secrets-manager";
import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { CompiledPolicy } from "../../core/iam/index.js";
import { broadAccess, compileSecretPolicy, ResourcePolicyError } from "../../core/secretsmanager/resource-policy.js";
import { secretArn } from "../../core/secretsmanager/secrets.js";
import type { RequestContext } from "../../edge/service.js";
import { findSecret, requireSecret, type SmDeps, updateSecret } from "./deps.js";

/**
 * Resource policies on secrets: stored on the secret, evaluated by the edge's authorizer with the
 * caller's own policies for every call on the secret (the service's `resourcePolicies` hook), the
 * agent's reads with a task's execution role included.
 */

const malformed = (m: string) => new AwsError("MalformedPolicyDocumentException", m);

function check(text: string, arn: string, blockPublic: boolean): void {
  try {
    compileSecretPolicy(text, arn);
  } catch (err) {
    if (err instanceof ResourcePolicyError) throw malformed(`This resource policy contains an unsupported principal or syntax error: ${err.message}`);
    throw err;
  }
  if (blockPublic && broadAccess(text)) {
    throw new AwsError("PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.");
  }
}

export async function putResourcePolicy(deps: SmDeps, input: PutResourcePolicyRequest, ctx: RequestContext) {
  const text = input.ResourcePolicy!;
  return updateSecret(deps, input.SecretId!, ctx.principal, (d) => {
    check(text, secretArn(d), input.BlockPublicPolicy ?? true);
    return { doc: { ...d, resourcePolicy: text }, out: { ARN: secretArn(d), Name: d.name } };
  });
}

export async function getResourcePolicy(deps: SmDeps, input: GetResourcePolicyRequest, ctx: RequestContext) {
  const d = await requireSecret(deps, input.SecretId!, ctx.principal);
  return { ARN: secretArn(d), Name: d.name, ...(d.resourcePolicy !== undefined ? { ResourcePolicy: d.resourcePolicy } : {}) };
}

export async function deleteResourcePolicy(deps: SmDeps, input: DeleteResourcePolicyRequest, ctx: RequestContext) {
  return updateSecret(deps, input.SecretId!, ctx.principal, (d) => {
    const { resourcePolicy: _gone, ...rest } = d;
    return { doc: rest, out: { ARN: secretArn(d), Name: d.name } };
  });
}

/** Checks a policy's grammar (IAM's parser) and, as BlockPublicPolicy does, broad access. */
export async function validateResourcePolicy(deps: SmDeps, input: ValidateResourcePolicyRequest, ctx: RequestContext) {
  const d = input.SecretId !== undefined ? await requireSecret(deps, input.SecretId, ctx.principal) : undefined;
  const arn = d ? secretArn(d) : `arn:aws:secretsmanager:${ctx.principal.region}:${ctx.principal.accountId}:secret:*`;
  const errors: { CheckName: string; ErrorMessage: string }[] = [];
  try {
    compileSecretPolicy(input.ResourcePolicy!, arn);
  } catch (err) {
    if (!(err instanceof ResourcePolicyError)) throw err;
    throw malformed(`This resource policy contains an unsupported principal or syntax error: ${err.message}`);
  }
  if (broadAccess(input.ResourcePolicy!)) {
    errors.push({ CheckName: "BROAD_ACCESS_CHECK", ErrorMessage: "This resource policy grants access to every principal without a condition." });
  }
  return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
}

const ARN_RE = /^arn:[^:]+:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/;

/** The `Service.resourcePolicies` hook: the resource policy of a secret ARN. */
export async function secretPoliciesByArn(deps: SmDeps, arn: string, p: Principal): Promise<CompiledPolicy[] | undefined> {
  const m = ARN_RE.exec(arn);
  if (!m || m[3]!.includes("*") || m[3]!.includes("?")) return undefined;
  const d = await findSecret(deps, arn, { ...p, region: m[1]!, accountId: m[2]! });
  if (d?.resourcePolicy === undefined) return undefined;
  try {
    return [compileSecretPolicy(d.resourcePolicy, secretArn(d))];
  } catch {
    return undefined; // checked when put
  }
}
