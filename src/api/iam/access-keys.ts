import type { RequestContext } from "../../edge/service.js";
import { type IamDeps, nowSeconds, userNamed } from "./deps.js";
import { limitExceeded, noSuchAccessKey } from "./errors.js";
import { accessKeyId, secretAccessKey } from "./ids.js";
import { iamPage } from "./paging.js";
import type { AccessKeyDoc } from "./types.js";
import { accessKeyMetaOut } from "./views.js";

/** IAM's quota: two access keys per user. */
export const ACCESS_KEYS_PER_USER = 2;

/** The user an access-key call is about: the named one, or the signing IAM user. */
const userOf = (input: { UserName?: string }, ctx: RequestContext): string =>
  input.UserName ?? (ctx.caller?.principal.kind === "User" ? ctx.caller.principal.arn.split("/").pop()! : "");

export async function createAccessKey(deps: IamDeps, input: { UserName?: string }, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    const u = userNamed(d, userOf(input, ctx));
    if (d.all("iam-access-key").filter((k) => k.userName === u.name).length >= ACCESS_KEYS_PER_USER) {
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    const secret = secretAccessKey();
    const k: AccessKeyDoc = { id: accessKeyId("AKIA"), userName: u.name, status: "Active", createDate: nowSeconds(d), sealedSecret: d.box.seal(secret) };
    await d.commit([{ kind: "iam-access-key", id: k.id, value: k }]);
    return { AccessKey: { ...accessKeyMetaOut(k), SecretAccessKey: secret } };
  });
}

export async function listAccessKeys(deps: IamDeps, input: { UserName?: string; Marker?: string; MaxItems?: number }, ctx: RequestContext) {
  const u = userNamed(deps.dir, userOf(input, ctx));
  const page = iamPage(deps.dir.all("iam-access-key").filter((k) => k.userName === u.name), (k) => `${k.createDate}`.padStart(12, "0") + k.id, input);
  return { AccessKeyMetadata: page.items.map(accessKeyMetaOut), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

function keyOf(deps: IamDeps, input: { UserName?: string; AccessKeyId: string }, ctx: RequestContext): AccessKeyDoc {
  const u = userNamed(deps.dir, userOf(input, ctx));
  const k = deps.dir.get("iam-access-key", input.AccessKeyId);
  if (!k || k.userName !== u.name) throw noSuchAccessKey(input.AccessKeyId);
  return k;
}

export async function updateAccessKey(deps: IamDeps, input: { UserName?: string; AccessKeyId: string; Status: "Active" | "Inactive" }, ctx: RequestContext) {
  return deps.dir.write(async () => {
    const k = keyOf(deps, input, ctx);
    await deps.dir.commit([{ kind: "iam-access-key", id: k.id, value: { ...k, status: input.Status } }]);
    return {};
  });
}

export async function deleteAccessKey(deps: IamDeps, input: { UserName?: string; AccessKeyId: string }, ctx: RequestContext) {
  return deps.dir.write(async () => {
    const k = keyOf(deps, input, ctx);
    await deps.dir.commit([{ kind: "iam-access-key", id: k.id, value: undefined }]);
    return {};
  });
}

export async function getAccessKeyLastUsed(deps: IamDeps, input: { AccessKeyId: string }) {
  const k = deps.dir.get("iam-access-key", input.AccessKeyId);
  if (!k) throw noSuchAccessKey(input.AccessKeyId);
  return { UserName: k.userName, AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } };
}
