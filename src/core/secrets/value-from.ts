/**
 * A container secret's `valueFrom`, pure (ECS's forms): an SSM parameter name (`/app/db/password`,
 * `name`) or ARN (`arn:aws:ssm:R:A:parameter/app/db/password`), or a Secrets Manager secret ARN
 * with optional `:json-key:version-stage:version-id` after it (an empty part means its default:
 * the whole value, AWSCURRENT).
 */
export type SecretRef =
  | { source: "ssm"; region: string; name: string }
  | { source: "asm"; region: string; secretId: string; jsonKey?: string; versionStage?: string; versionId?: string };

export class ValueFromError extends Error {}

export function parseValueFrom(valueFrom: string, taskRegion: string): SecretRef {
  const asm = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/.exec(valueFrom);
  if (asm) {
    const [name, jsonKey, versionStage, versionId, ...extra] = asm[3]!.split(":");
    if (!name || extra.length) throw new ValueFromError(`invalid Secrets Manager reference: ${valueFrom}`);
    const secretId = valueFrom.slice(0, valueFrom.length - asm[3]!.length) + name;
    return {
      source: "asm",
      region: asm[1]!,
      secretId,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    };
  }
  const ssm = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter(\/.+)$/.exec(valueFrom);
  if (ssm) return { source: "ssm", region: ssm[1]!, name: valueFrom };
  if (valueFrom.startsWith("arn:")) throw new ValueFromError(`invalid secret reference (neither an SSM parameter nor a Secrets Manager secret): ${valueFrom}`);
  return { source: "ssm", region: taskRegion, name: valueFrom };
}

/** The value a reference names out of a fetched secret string (its `jsonKey` member, a string). */
export function pickJsonKey(secretString: string, ref: Extract<SecretRef, { source: "asm" }>): string {
  if (!ref.jsonKey) return secretString;
  let doc: unknown;
  try {
    doc = JSON.parse(secretString);
  } catch {
    throw new ValueFromError(`retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`);
  }
  const v = doc && typeof doc === "object" ? (doc as Record<string, unknown>)[ref.jsonKey] : undefined;
  if (v === undefined) throw new ValueFromError(`retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`);
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The stop reason ECS gives a task whose secrets or registry auth could not be fetched. */
export const RESOURCE_INITIALIZATION = "ResourceInitializationError";
export const secretsFailure = (detail: string): string => `unable to pull secrets or registry auth: execution resource retrieval failed: ${detail}`;
