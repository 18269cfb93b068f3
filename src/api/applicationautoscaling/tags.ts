import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-application-auto-scaling";
import { resourceNotFound, tooManyTags, validation } from "../../core/autoscaling/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { aasLock, listTargets, storeOf, targetKey, targetOp, type AasDeps } from "./deps.js";
import type { TargetDoc } from "./docs.js";

const MAX_TAGS = 50;

/** Tag rules beyond the model: `aws:` keys reserved. */
export function checkTags(tags: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(tags)) if (k.toLowerCase().startsWith("aws:")) throw validation(`Tag keys beginning with 'aws:' are reserved: ${k}`);
  return tags;
}

/** Only scalable targets take tags (as in AWS). */
async function resolve(deps: AasDeps, ctx: RequestContext, arn: string): Promise<TargetDoc> {
  const t = (await listTargets(deps, ctx.principal)).find((x) => x.ScalableTargetARN === arn);
  if (!t) throw resourceNotFound(`Scalable target with ARN ${arn} not found.`, arn);
  return t;
}

async function retag(deps: AasDeps, ctx: RequestContext, arn: string, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const t0 = await resolve(deps, ctx, arn);
  await deps.ecs.lock(aasLock(targetKey(ctx.principal, t0.ServiceNamespace, t0.ResourceId, t0.ScalableDimension)), async () => {
    const t = await resolve(deps, ctx, arn);
    const tags = change(t.tags);
    if (Object.keys(tags).length > MAX_TAGS) throw tooManyTags(`The number of tags exceeds the limit of ${MAX_TAGS}.`, arn);
    await storeOf(deps).write([targetOp({ ...t, tags })]);
  });
}

export async function tagResource(deps: AasDeps, input: TagResourceRequest, ctx: RequestContext) {
  const added = checkTags(input.Tags ?? {});
  await retag(deps, ctx, input.ResourceARN!, (tags) => ({ ...tags, ...added }));
  return {};
}

export async function untagResource(deps: AasDeps, input: UntagResourceRequest, ctx: RequestContext) {
  const drop = new Set(input.TagKeys ?? []);
  await retag(deps, ctx, input.ResourceARN!, (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !drop.has(k))));
  return {};
}

export async function listTagsForResource(deps: AasDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  return { Tags: (await resolve(deps, ctx, input.ResourceARN!)).tags };
}

/** The authorizer's aws:ResourceTag/… of a scalable target. */
export async function tagsOf(deps: AasDeps, ctx: Pick<RequestContext, "principal">, arn: string): Promise<Record<string, string> | undefined> {
  const t = (await listTargets(deps, ctx.principal)).find((x) => x.ScalableTargetARN === arn);
  return t && Object.keys(t.tags).length ? t.tags : undefined;
}
