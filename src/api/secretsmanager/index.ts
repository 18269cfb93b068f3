import { AwsError } from "../../core/errors.js";
import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import { secretsManagerAuthorization } from "./authorization.js";
import { findSecret, type SmDeps } from "./deps.js";
import { secretsmanagerModel } from "./model.generated.js";
import * as policy from "./policy.js";
import * as rotation from "./rotation.js";
import * as secrets from "./secrets.js";
import * as tags from "./tags.js";
import * as values from "./values.js";

export type { SmDeps } from "./deps.js";

export const SECRETSMANAGER_TARGET_PREFIX = "secretsmanager";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SmOperation = (deps: SmDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Operation modules register here: one function per operation. Replication and BatchGetSecretValue are not built. */
export const secretsManagerOperations: Record<string, SmOperation> = {
  CreateSecret: secrets.createSecret,
  DescribeSecret: secrets.describeSecret,
  UpdateSecret: secrets.updateSecretOp,
  DeleteSecret: secrets.deleteSecret,
  RestoreSecret: secrets.restoreSecret,
  ListSecrets: secrets.listSecrets,
  GetSecretValue: values.getSecretValue,
  PutSecretValue: values.putSecretValue,
  UpdateSecretVersionStage: values.updateSecretVersionStage,
  ListSecretVersionIds: values.listSecretVersionIds,
  GetRandomPassword: values.getRandomPassword,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  PutResourcePolicy: policy.putResourcePolicy,
  GetResourcePolicy: policy.getResourcePolicy,
  DeleteResourcePolicy: policy.deleteResourcePolicy,
  ValidateResourcePolicy: policy.validateResourcePolicy,
  RotateSecret: rotation.rotateSecret,
  CancelRotateSecret: rotation.cancelRotateSecret,
};

/** Secrets Manager answers model violations as ValidationException ("1 validation error detected: …"). */
function validate(name: string, input: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateInput(secretsmanagerModel, name, input);
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterException") throw new AwsError("ValidationException", e.message);
    throw e;
  }
}

/** The Secrets Manager JSON 1.1 service (`secretsmanager`, signing name `secretsmanager`). */
export function secretsManagerService(deps: SmDeps): JsonService {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(secretsmanagerModel.operations)) {
    const impl = secretsManagerOperations[name];
    operations[name] = impl
      ? (input, ctx) => impl(deps, validate(name, input), ctx)
      : () => {
          throw notImplemented("Secrets Manager", name);
        };
  }
  return {
    targetPrefix: SECRETSMANAGER_TARGET_PREFIX,
    signingName: "secretsmanager",
    operations,
    authorization: secretsManagerAuthorization(deps),
    resourceTags: async (arn, p) => {
      const d = await findSecret(deps, arn, p).catch(() => undefined);
      return d?.tags.length ? Object.fromEntries(d.tags.map((t) => [t.Key, t.Value])) : undefined;
    },
    resourcePolicies: (arn, p) => policy.secretPoliciesByArn(deps, arn, p),
  };
}
