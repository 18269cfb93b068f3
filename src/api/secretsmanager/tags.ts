import type { Tag, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-secrets-manager";
import { invalidParameter, secretArn } from "../../core/secretsmanager/secrets.js";
import type { RequestContext } from "../../edge/service.js";
import { type SmDeps, updateSecret } from "./deps.js";

/** Tags on secrets: at most 50, `aws:` keys reserved, one value per key (the last wins). */

const MAX_TAGS = 50;
const tooMany = () => invalidParameter("Number of tags exceeds secret tag limit of 50.");

export function checkSecretTags(tags: Tag[]): { Key: string; Value: string }[] {
  const merged = new Map<string, string>();
  for (const t of tags) {
    if ((t.Key ?? "").toLowerCase().startsWith("aws:")) throw invalidParameter("Invalid tag key: tag keys beginning with aws: are reserved.");
    merged.set(t.Key ?? "", t.Value ?? "");
  }
  if (merged.size > MAX_TAGS) throw tooMany();
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

export async function tagResource(deps: SmDeps, input: TagResourceRequest, ctx: RequestContext) {
  const add = checkSecretTags(input.Tags ?? []);
  await updateSecret(
    deps,
    input.SecretId!,
    ctx.principal,
    (d) => {
      const tags = new Map(d.tags.map((t) => [t.Key, t.Value]));
      for (const t of add) tags.set(t.Key, t.Value);
      if (tags.size > MAX_TAGS) throw tooMany();
      return { doc: { ...d, tags: [...tags].map(([Key, Value]) => ({ Key, Value })) }, out: secretArn(d) };
    },
    false,
  );
  return {};
}

export async function untagResource(deps: SmDeps, input: UntagResourceRequest, ctx: RequestContext) {
  await updateSecret(
    deps,
    input.SecretId!,
    ctx.principal,
    (d) => ({ doc: { ...d, tags: d.tags.filter((t) => !(input.TagKeys ?? []).includes(t.Key)) }, out: secretArn(d) }),
    false,
  );
  return {};
}
