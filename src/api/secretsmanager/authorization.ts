import type { Principal } from "../../core/arn.js";
import { parseSecretId, secretArn } from "../../core/secretsmanager/secrets.js";
import { partitionOf } from "../../core/arn.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";
import { findSecret, type SmDeps } from "./deps.js";

/*
 * How each Secrets Manager operation is authorized (Service Authorization Reference, prefix
 * `secretsmanager`): the secret's ARN, with its 6-character suffix when the secret exists (so a
 * resource policy and `secret:NAME-??????` patterns apply); for a secret not made yet (CreateSecret,
 * a wrong name) `secret:NAME-??????` itself. ListSecrets and GetRandomPassword on `*`.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

const tagList = (i: In): CallContext => {
  if (!Array.isArray(i.Tags)) return {};
  const tags: Record<string, string> = {};
  for (const t of i.Tags as { Key?: unknown; Value?: unknown }[]) if (t && typeof t.Key === "string") tags[t.Key] = String(t.Value ?? "");
  return { requestTags: tags };
};
const tagKeys = (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i.TagKeys) ? (i.TagKeys as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});

const unmade = (name: string, p: Principal) => `arn:${partitionOf(p.region)}:secretsmanager:${p.region}:${p.accountId}:secret:${name}-??????`;

export function secretsManagerAuthorization(deps: SmDeps): Record<string, OperationAuthz> {
  const secret = async (i: In, p: Principal): Promise<string[]> => {
    const id = str(i.SecretId);
    const d = id ? await findSecret(deps, id, p).catch(() => undefined) : undefined;
    if (d) return [secretArn(d)];
    const ref = parseSecretId(id, p.accountId, p.region);
    return [id.startsWith("arn:") ? id : unmade(ref.name, p)];
  };
  const created = (i: In, p: Principal) => [unmade(str(i.Name), p)];
  const star = () => ["*"];
  const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
    name,
    { action: `secretsmanager:${name}`, resources, ...(context ? { context } : {}) },
  ];
  return Object.fromEntries([
    a("CreateSecret", created, tagList),
    a("DescribeSecret", secret),
    a("GetSecretValue", secret),
    a("PutSecretValue", secret),
    a("UpdateSecret", secret),
    a("UpdateSecretVersionStage", secret),
    a("ListSecretVersionIds", secret),
    a("DeleteSecret", secret),
    a("RestoreSecret", secret),
    a("RotateSecret", secret),
    a("CancelRotateSecret", secret),
    a("TagResource", secret, tagList),
    a("UntagResource", secret, tagKeys),
    a("PutResourcePolicy", secret),
    a("GetResourcePolicy", secret),
    a("DeleteResourcePolicy", secret),
    a("ValidateResourcePolicy", (i: In, p: Principal) => (i.SecretId ? secret(i, p) : ["*"])),
    a("ListSecrets", star),
    a("GetRandomPassword", star),
  ]);
}
