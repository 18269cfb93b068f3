import type { AddTagsToResourceRequest, ListTagsForResourceRequest, RemoveTagsFromResourceRequest, Tag } from "@aws-sdk/client-ssm";
import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { ParameterDoc } from "../../core/ssm/parameters.js";
import type { RequestContext } from "../../edge/service.js";
import { getParameterDoc, paramLock, nameOf, putParameterDoc, type SsmDeps } from "./deps.js";

/** Tags on parameters (ResourceType `Parameter`, ResourceId the name): at most 50, `aws:` keys reserved. */

const MAX_TAGS = 50;
const tooMany = () => new AwsError("TooManyTagsError", "The Targets parameter includes too many tags. Remove one or more tags and try the command again.");

export function checkSsmTags(tags: Tag[]): { Key: string; Value: string }[] {
  const merged = new Map<string, string>();
  for (const t of tags) {
    if (t.Key!.toLowerCase().startsWith("aws:")) throw new AwsError("InvalidParameterValueException", `Tag keys beginning with 'aws:' are reserved: '${t.Key}'.`);
    merged.set(t.Key!, t.Value ?? "");
  }
  if (merged.size > MAX_TAGS) throw tooMany();
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

async function parameterOf(deps: SsmDeps, input: { ResourceType?: string; ResourceId?: string }, p: Principal): Promise<ParameterDoc> {
  if (input.ResourceType !== "Parameter") {
    throw new AwsError("InvalidResourceType", `The resource type ${input.ResourceType} is not supported by Wharf: only Parameter (Systems Manager's other resources do not exist here).`);
  }
  const doc = await getParameterDoc(deps, p.accountId, p.region, nameOf(input.ResourceId!, p));
  if (!doc) throw new AwsError("InvalidResourceId", "The resource ID isn't valid. Verify that you entered the correct ID and try again.");
  return doc;
}

async function rewrite(deps: SsmDeps, input: { ResourceType?: string; ResourceId?: string }, ctx: RequestContext, change: (tags: Map<string, string>) => void) {
  const p = ctx.principal;
  const first = await parameterOf(deps, input, p);
  await deps.lock(paramLock(p.accountId, p.region, first.name), async () => {
    const doc = await parameterOf(deps, input, p);
    const tags = new Map(doc.tags.map((t) => [t.Key, t.Value]));
    change(tags);
    if (tags.size > MAX_TAGS) throw tooMany();
    await putParameterDoc(deps, { ...doc, tags: [...tags].map(([Key, Value]) => ({ Key, Value })) });
  });
}

export async function addTagsToResource(deps: SsmDeps, input: AddTagsToResourceRequest, ctx: RequestContext) {
  const add = checkSsmTags(input.Tags ?? []);
  await rewrite(deps, input, ctx, (tags) => {
    for (const t of add) tags.set(t.Key, t.Value);
  });
  return {};
}

export async function removeTagsFromResource(deps: SsmDeps, input: RemoveTagsFromResourceRequest, ctx: RequestContext) {
  await rewrite(deps, input, ctx, (tags) => {
    for (const k of input.TagKeys ?? []) tags.delete(k);
  });
  return {};
}

export async function listTagsForResource(deps: SsmDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  return { TagList: (await parameterOf(deps, input, ctx.principal)).tags };
}
