import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-servicediscovery";
import { invalidInput, resourceNotFound, tooManyTags } from "../../core/servicediscovery/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { getNamespace, getService, namespaceOp, sdLock, serviceOp, type SdDeps } from "./deps.js";
import type { NamespaceDoc, SdServiceDoc, SdTag } from "./docs.js";

const MAX_TAGS = 50;

/** Cloud Map's tag rules beyond the model: `aws:` keys reserved, keys unique, at most 50. */
export function checkTags(tags: readonly { Key?: string; Value?: string }[], resourceName: string): SdTag[] {
  const out = new Map<string, SdTag>();
  for (const t of tags) {
    if (t.Key!.toLowerCase().startsWith("aws:")) throw invalidInput(`Tag keys beginning with 'aws:' are reserved: ${t.Key}`);
    out.set(t.Key!, { Key: t.Key!, Value: t.Value ?? "" });
  }
  if (out.size > MAX_TAGS) throw tooManyTags(resourceName);
  return [...out.values()];
}

type Tagged = { kind: "namespace"; doc: NamespaceDoc } | { kind: "service"; doc: SdServiceDoc };

async function resolve(deps: SdDeps, ctx: RequestContext, arn: string): Promise<Tagged> {
  const p = ctx.principal;
  const m = /^arn:[^:]+:servicediscovery:([^:]*):(\d{12}):(namespace|service)\/(.+)$/.exec(arn);
  if (m && m[1] === p.region && m[2] === p.accountId) {
    if (m[3] === "namespace") {
      const doc = await getNamespace(deps, p, m[4]!);
      if (doc) return { kind: "namespace", doc };
    } else {
      const doc = await getService(deps, p, m[4]!);
      if (doc) return { kind: "service", doc };
    }
  }
  throw resourceNotFound(arn);
}

async function retag(deps: SdDeps, ctx: RequestContext, arn: string, change: (tags: SdTag[]) => SdTag[]): Promise<void> {
  await deps.lock(sdLock(ctx.principal.region), async () => {
    const r = await resolve(deps, ctx, arn);
    const tags = change(r.doc.tags);
    if (tags.length > MAX_TAGS) throw tooManyTags(arn);
    await deps.store.write([r.kind === "namespace" ? namespaceOp({ ...r.doc, tags }) : serviceOp({ ...(r.doc as SdServiceDoc), tags })]);
  });
}

export async function tagResource(deps: SdDeps, input: TagResourceRequest, ctx: RequestContext) {
  const added = checkTags(input.Tags ?? [], input.ResourceARN!);
  await retag(deps, ctx, input.ResourceARN!, (tags) => {
    const byKey = new Map(tags.map((t) => [t.Key, t]));
    for (const t of added) byKey.set(t.Key, t);
    return [...byKey.values()];
  });
  return {};
}

export async function untagResource(deps: SdDeps, input: UntagResourceRequest, ctx: RequestContext) {
  const drop = new Set(input.TagKeys ?? []);
  await retag(deps, ctx, input.ResourceARN!, (tags) => tags.filter((t) => !drop.has(t.Key)));
  return {};
}

export async function listTagsForResource(deps: SdDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  const r = await resolve(deps, ctx, input.ResourceARN!);
  return { Tags: r.doc.tags };
}

/** The stored tags of a namespace or service by ARN (the authorizer's aws:ResourceTag/…). */
export async function tagsOf(deps: SdDeps, ctx: Pick<RequestContext, "principal">, arn: string): Promise<Record<string, string> | undefined> {
  try {
    const r = await resolve(deps, ctx as RequestContext, arn);
    return r.doc.tags.length ? Object.fromEntries(r.doc.tags.map((t) => [t.Key, t.Value])) : undefined;
  } catch {
    return undefined;
  }
}
