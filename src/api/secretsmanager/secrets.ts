import type {
  CreateSecretRequest,
  DeleteSecretRequest,
  DescribeSecretRequest,
  ListSecretsRequest,
  RestoreSecretRequest,
  SecretListEntry,
  UpdateSecretRequest,
} from "@aws-sdk/client-secrets-manager";
import { AwsError } from "../../core/errors.js";
import { decodeToken, encodeToken } from "../../core/pagination.js";
import { secretPasses, type SecretFilter } from "../../core/secretsmanager/filters.js";
import {
  addVersion,
  checkSecretName,
  invalidParameter,
  invalidRequest,
  newSuffix,
  newVersionId,
  purged,
  type SecretDoc,
  secretArn,
  versionsToStages,
} from "../../core/secretsmanager/secrets.js";
import type { RequestContext } from "../../edge/service.js";
import { getDocByName, putSecretDoc, requireSecret, SECRET_KIND, secondsNow, secretId, secretLock, secretScope, type SmDeps, updateSecret } from "./deps.js";
import { checkSecretTags } from "./tags.js";
import { sealValue } from "./values.js";

/** A secret's life: CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret (a recovery window, or at once), RestoreSecret, ListSecrets. */

const noReplicas = () =>
  invalidRequest("Wharf does not replicate secrets to other Regions: each Region of a Wharf is its own store.");

export async function createSecret(deps: SmDeps, input: CreateSecretRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const name = input.Name!;
  checkSecretName(name);
  if (input.AddReplicaRegions?.length) throw noReplicas();
  const value = sealValue(deps, input);
  const tags = checkSecretTags(input.Tags ?? []);
  const now = secondsNow(deps);
  return deps.lock(secretLock(p.accountId, p.region, name), async () => {
    const existing = await getDocByName(deps, p, name);
    if (existing?.deletedDate !== undefined) throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    if (existing) throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
    const versionId = input.ClientRequestToken ?? newVersionId(deps.random);
    const doc: SecretDoc = {
      accountId: p.accountId,
      region: p.region,
      name,
      suffix: newSuffix(deps.random),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
      createdDate: now,
      lastChangedDate: now,
      tags,
      versions: value ? addVersion([], { id: versionId, ...value, createdDate: now }) : [],
    };
    await putSecretDoc(deps, doc);
    return { ARN: secretArn(doc), Name: name, ...(value ? { VersionId: versionId } : {}) };
  });
}

export function describe(d: SecretDoc): SecretListEntry & { VersionIdsToStages?: Record<string, string[]> } {
  return {
    ARN: secretArn(d),
    Name: d.name,
    ...(d.description !== undefined ? { Description: d.description } : {}),
    ...(d.kmsKeyId !== undefined ? { KmsKeyId: d.kmsKeyId } : {}),
    RotationEnabled: false,
    LastChangedDate: d.lastChangedDate as unknown as Date,
    ...(d.lastAccessedDate !== undefined ? { LastAccessedDate: d.lastAccessedDate as unknown as Date } : {}),
    ...(d.deletedDate !== undefined ? { DeletedDate: d.deletedDate as unknown as Date } : {}),
    Tags: d.tags,
    CreatedDate: d.createdDate as unknown as Date,
  };
}

export async function describeSecret(deps: SmDeps, input: DescribeSecretRequest, ctx: RequestContext) {
  const d = await requireSecret(deps, input.SecretId!, ctx.principal);
  const out = describe(d);
  return { ...out, VersionIdsToStages: versionsToStages(d) };
}

export async function updateSecretOp(deps: SmDeps, input: UpdateSecretRequest, ctx: RequestContext) {
  const value = sealValue(deps, input);
  const now = secondsNow(deps);
  return updateSecret(deps, input.SecretId!, ctx.principal, (d) => {
    const versionId = input.ClientRequestToken ?? newVersionId(deps.random);
    if (value && d.versions.some((v) => v.id === versionId)) throw new AwsError("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
    const doc: SecretDoc = {
      ...d,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
      lastChangedDate: now,
      versions: value ? addVersion(d.versions, { id: versionId, ...value, createdDate: now }) : d.versions,
    };
    return { doc, out: { ARN: secretArn(d), Name: d.name, ...(value ? { VersionId: versionId } : {}) } };
  });
}

export async function deleteSecret(deps: SmDeps, input: DeleteSecretRequest, ctx: RequestContext) {
  const p = ctx.principal;
  if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  const days = input.RecoveryWindowInDays ?? 30;
  if (!input.ForceDeleteWithoutRecovery && (days < 7 || days > 30)) {
    throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  const now = secondsNow(deps);
  const first = await requireSecret(deps, input.SecretId!, p);
  return deps.lock(secretLock(p.accountId, p.region, first.name), async () => {
    const d = await requireSecret(deps, input.SecretId!, p);
    if (input.ForceDeleteWithoutRecovery) {
      await deps.store.write([{ op: "delete", kind: SECRET_KIND, id: secretId(d.accountId, d.region, d.name) }]);
      return { ARN: secretArn(d), Name: d.name, DeletionDate: now };
    }
    if (d.deletedDate !== undefined) throw invalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.");
    const deletionDate = now + days * 86400;
    await putSecretDoc(deps, { ...d, deletedDate: now, deletionDate });
    return { ARN: secretArn(d), Name: d.name, DeletionDate: deletionDate };
  });
}

export async function restoreSecret(deps: SmDeps, input: RestoreSecretRequest, ctx: RequestContext) {
  return updateSecret(
    deps,
    input.SecretId!,
    ctx.principal,
    (d) => {
      const { deletedDate: _a, deletionDate: _b, ...rest } = d;
      return { doc: { ...rest, lastChangedDate: secondsNow(deps) }, out: { ARN: secretArn(d), Name: d.name } };
    },
    false,
  );
}

const SORT_KEYS: Record<string, (d: SecretDoc) => string | number> = {
  "created-date": (d) => d.createdDate,
  "last-accessed-date": (d) => d.lastAccessedDate ?? 0,
  "last-changed-date": (d) => d.lastChangedDate,
  name: (d) => d.name,
};

export async function listSecrets(deps: SmDeps, input: ListSecretsRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const now = secondsNow(deps);
  const filters = (input.Filters ?? []) as SecretFilter[];
  const rows = (await deps.store.list<SecretDoc>(SECRET_KIND, { scope: secretScope(p.accountId, p.region) })).map((r) => r.value);
  const keyOf = SORT_KEYS[(input as { SortBy?: string }).SortBy ?? "created-date"] ?? SORT_KEYS["created-date"]!;
  const desc = input.SortOrder === "desc";
  const docs = rows
    .filter((d) => !purged(d, now) && (input.IncludePlannedDeletion || d.deletedDate === undefined) && secretPasses(d, filters))
    .sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return desc ? -c : c;
    });
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
  const items = docs.slice(start, start + size);
  const more = start + size < docs.length;
  return {
    SecretList: items.map((d) => ({ ...describe(d), SecretVersionsToStages: versionsToStages(d) })),
    ...(more ? { NextToken: encodeToken(String(start + size)) } : {}),
  };
}
