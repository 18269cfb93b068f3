import type {
  GetRandomPasswordRequest,
  GetSecretValueRequest,
  ListSecretVersionIdsRequest,
  PutSecretValueRequest,
  UpdateSecretVersionStageRequest,
} from "@aws-sdk/client-secrets-manager";
import { AwsError } from "../../core/errors.js";
import { decodeToken, encodeToken } from "../../core/pagination.js";
import { randomPassword } from "../../core/secretsmanager/password.js";
import {
  addVersion,
  dayOf,
  invalidParameter,
  moveStage,
  newVersionId,
  type SecretDoc,
  secretArn,
  type SecretVersion,
  selectSecretVersion,
} from "../../core/secretsmanager/secrets.js";
import type { RequestContext } from "../../edge/service.js";
import { putSecretDoc, requireLiveSecret, requireSecret, secondsNow, secretLock, type SmDeps, updateSecret } from "./deps.js";

/** A secret's values: GetSecretValue, PutSecretValue, UpdateSecretVersionStage, ListSecretVersionIds, and GetRandomPassword. */

/** The sealed value a request carries (SecretString, or SecretBinary's base64), or undefined when it carries none. */
export function sealValue(deps: SmDeps, input: { SecretString?: string; SecretBinary?: unknown }): { sealed: string; binary: boolean } | undefined {
  const hasString = input.SecretString !== undefined;
  const hasBinary = input.SecretBinary !== undefined;
  if (hasString && hasBinary) throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  if (hasString) return { sealed: deps.box.seal(input.SecretString!), binary: false };
  if (hasBinary) return { sealed: deps.box.seal(String(input.SecretBinary)), binary: true };
  return undefined;
}

/** The value of one version, opened: `SecretString` or `SecretBinary` (base64 on the wire). */
export function openValue(deps: SmDeps, v: SecretVersion): { SecretString: string } | { SecretBinary: string } {
  const plain = deps.box.open(v.sealed);
  return v.binary ? { SecretBinary: plain } : { SecretString: plain };
}

export async function getSecretValue(deps: SmDeps, input: GetSecretValueRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const d = await requireLiveSecret(deps, input.SecretId!, p);
  const v = selectSecretVersion(d, input.VersionId, input.VersionStage);
  // LastAccessedDate is a day: written once a day at most.
  const today = dayOf(secondsNow(deps));
  if (d.lastAccessedDate !== today) {
    await deps.lock(secretLock(d.accountId, d.region, d.name), async () => {
      const cur = await requireLiveSecret(deps, input.SecretId!, p);
      await putSecretDoc(deps, { ...cur, lastAccessedDate: today, versions: cur.versions.map((x) => (x.id === v.id ? { ...x, lastAccessedDate: today } : x)) });
    });
  }
  return { ARN: secretArn(d), Name: d.name, VersionId: v.id, ...openValue(deps, v), VersionStages: v.stages, CreatedDate: v.createdDate };
}

export async function putSecretValue(deps: SmDeps, input: PutSecretValueRequest, ctx: RequestContext) {
  const value = sealValue(deps, input);
  if (!value) throw invalidParameter("You must provide either SecretString or SecretBinary.");
  if ((input as { RotationToken?: string }).RotationToken !== undefined) {
    throw invalidParameter("RotationToken is for rotation functions, which Wharf does not run.");
  }
  const now = secondsNow(deps);
  return updateSecret(deps, input.SecretId!, ctx.principal, (d) => {
    const versionId = input.ClientRequestToken ?? newVersionId(deps.random);
    const same = d.versions.find((v) => v.id === versionId);
    if (same) {
      // A retry of the same request is answered again; another value under the same id is refused.
      if (same.binary !== value.binary || deps.box.open(same.sealed) !== deps.box.open(value.sealed)) {
        throw new AwsError("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
      }
      return { doc: d, out: { ARN: secretArn(d), Name: d.name, VersionId: same.id, VersionStages: same.stages } };
    }
    const versions = addVersion(d.versions, { id: versionId, ...value, createdDate: now }, input.VersionStages?.length ? input.VersionStages : undefined);
    const doc: SecretDoc = { ...d, lastChangedDate: now, versions };
    return { doc, out: { ARN: secretArn(d), Name: d.name, VersionId: versionId, VersionStages: versions.find((v) => v.id === versionId)!.stages } };
  });
}

export async function updateSecretVersionStage(deps: SmDeps, input: UpdateSecretVersionStageRequest, ctx: RequestContext) {
  const now = secondsNow(deps);
  return updateSecret(deps, input.SecretId!, ctx.principal, (d) => ({
    doc: { ...d, lastChangedDate: now, versions: moveStage(d.versions, input.VersionStage!, input.RemoveFromVersionId, input.MoveToVersionId) },
    out: { ARN: secretArn(d), Name: d.name },
  }));
}

export async function listSecretVersionIds(deps: SmDeps, input: ListSecretVersionIdsRequest, ctx: RequestContext) {
  const d = await requireSecret(deps, input.SecretId!, ctx.principal);
  const versions = d.versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0).reverse();
  let start = 0;
  if (input.NextToken !== undefined) {
    let k: string | undefined;
    try {
      k = decodeToken(input.NextToken);
    } catch {
      /* below */
    }
    if (k === undefined || !/^\d+$/.test(k)) throw new AwsError("InvalidNextTokenException", "The NextToken value is invalid.");
    start = Number(k);
  }
  const size = input.MaxResults ?? 100;
  const items = versions.slice(start, start + size);
  return {
    ARN: secretArn(d),
    Name: d.name,
    Versions: items.map((v) => ({
      VersionId: v.id,
      VersionStages: v.stages,
      ...(v.lastAccessedDate !== undefined ? { LastAccessedDate: v.lastAccessedDate } : {}),
      CreatedDate: v.createdDate,
      KmsKeyIds: [d.kmsKeyId ?? "DefaultEncryptionKey"],
    })),
    ...(start + size < versions.length ? { NextToken: encodeToken(String(start + size)) } : {}),
  };
}

export async function getRandomPassword(deps: SmDeps, input: GetRandomPasswordRequest) {
  return { RandomPassword: randomPassword(input, deps.random) };
}
