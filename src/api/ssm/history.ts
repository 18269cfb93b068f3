import type { GetParameterHistoryRequest, LabelParameterVersionRequest, ParameterHistory, UnlabelParameterVersionRequest } from "@aws-sdk/client-ssm";
import { AwsError } from "../../core/errors.js";
import { decodeToken } from "../../core/pagination.js";
import { labelVersion, parameterNotFound, unlabelVersion } from "../../core/ssm/parameters.js";
import type { RequestContext } from "../../edge/service.js";
import { getParameterDoc, paramLock, nameOf, putParameterDoc, type SsmDeps } from "./deps.js";

/** GetParameterHistory (every kept version, oldest first, paged) and the version labels. */

export async function getParameterHistory(deps: SsmDeps, input: GetParameterHistoryRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const doc = await getParameterDoc(deps, p.accountId, p.region, nameOf(input.Name!, p));
  if (!doc) throw parameterNotFound();
  let from = 0;
  if (input.NextToken !== undefined) {
    let key: string | undefined;
    try {
      key = decodeToken(input.NextToken);
    } catch {
      /* below */
    }
    if (key === undefined || !/^\d+$/.test(key)) throw new AwsError("InvalidNextToken", "The specified token isn't valid.");
    from = Number(key);
  }
  const size = input.MaxResults ?? 50;
  const rest = doc.versions.filter((v) => v.version > from);
  const items = rest.slice(0, size);
  const history: ParameterHistory[] = items.map((v) => ({
    Name: doc.name,
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: v.lastModifiedDate as unknown as Date,
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    Value: v.type === "SecureString" && input.WithDecryption ? deps.box.open(v.value) : v.value,
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Labels: v.labels,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  }));
  const more = rest.length > size;
  return { Parameters: history, ...(more ? { NextToken: Buffer.from(JSON.stringify({ k: String(items[items.length - 1]!.version) })).toString("base64url") } : {}) };
}

export async function labelParameterVersion(deps: SsmDeps, input: LabelParameterVersionRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const name = nameOf(input.Name!, p);
  return deps.lock(paramLock(p.accountId, p.region, name), async () => {
    const doc = await getParameterDoc(deps, p.accountId, p.region, name);
    if (!doc) throw parameterNotFound();
    const r = labelVersion(doc, input.ParameterVersion, input.Labels ?? []);
    await putParameterDoc(deps, r.doc);
    return { InvalidLabels: r.invalid, ParameterVersion: r.version };
  });
}

export async function unlabelParameterVersion(deps: SsmDeps, input: UnlabelParameterVersionRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const name = nameOf(input.Name!, p);
  return deps.lock(paramLock(p.accountId, p.region, name), async () => {
    const doc = await getParameterDoc(deps, p.accountId, p.region, name);
    if (!doc) throw parameterNotFound();
    const r = unlabelVersion(doc, input.ParameterVersion!, input.Labels ?? []);
    await putParameterDoc(deps, r.doc);
    return { RemovedLabels: r.removed, InvalidLabels: r.invalid };
  });
}
