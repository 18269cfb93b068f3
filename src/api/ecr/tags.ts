import type { ListTagsForResourceRequest, Tag, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-ecr";
import { partitionOf } from "../../core/arn.js";
import type { RequestContext } from "../../edge/service.js";
import {
  type EcrDeps,
  ecrInvalidParameter,
  getRepository,
  invalidTagParameter,
  repoId,
  repoLock,
  repoScope,
  type RepositoryDoc,
  repositoryNotFound,
  tooManyTags,
} from "./common.js";

const MAX_TAGS = 50;

/** ECR's tag rules beyond its model: `aws:` keys are reserved, at most 50 tags, one value per key (the last wins). */
export function checkTags(tags: Tag[]): { Key: string; Value: string }[] {
  const merged = new Map<string, string>();
  for (const t of tags) {
    if (t.Key!.toLowerCase().startsWith("aws:")) throw invalidTagParameter(`Tag keys beginning with 'aws:' are reserved: '${t.Key}'`);
    merged.set(t.Key!, t.Value ?? "");
  }
  if (merged.size > MAX_TAGS) throw tooManyTags();
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** The repository an ARN names (`arn:aws:ecr:<region>:<account>:repository/<name>`). */
async function repoByArn(deps: EcrDeps, arn: string, ctx: RequestContext): Promise<RepositoryDoc> {
  const m = /^arn:(aws[a-z-]*):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn);
  if (!m) throw ecrInvalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
  const [, partition, region, account, name] = m as unknown as [string, string, string, string, string];
  const p = ctx.principal;
  const repo = partition === partitionOf(p.region) && region === p.region && account === p.accountId ? await getRepository(deps, account, region, name) : undefined;
  if (!repo) throw repositoryNotFound(name, account);
  return repo;
}

async function rewriteTags(deps: EcrDeps, arn: string, ctx: RequestContext, change: (tags: Map<string, string>) => void): Promise<void> {
  const first = await repoByArn(deps, arn, ctx);
  await deps.lock(repoLock(first.accountId, first.region, first.name), async () => {
    const repo = await repoByArn(deps, arn, ctx);
    const tags = new Map(repo.tags.map((t) => [t.Key, t.Value]));
    change(tags);
    if (tags.size > MAX_TAGS) throw tooManyTags();
    const value: RepositoryDoc = { ...repo, tags: [...tags].map(([Key, Value]) => ({ Key, Value })) };
    await deps.store.write([{ op: "put", kind: "ecr-repository", id: repoId(repo.accountId, repo.region, repo.name), scope: repoScope(repo.accountId, repo.region), sort: repo.name, value }]);
  });
}

export async function tagResource(deps: EcrDeps, input: TagResourceRequest, ctx: RequestContext) {
  const add = checkTags(input.tags ?? []);
  await rewriteTags(deps, input.resourceArn!, ctx, (tags) => {
    for (const t of add) tags.set(t.Key, t.Value);
  });
  return {};
}

export async function untagResource(deps: EcrDeps, input: UntagResourceRequest, ctx: RequestContext) {
  await rewriteTags(deps, input.resourceArn!, ctx, (tags) => {
    for (const k of input.tagKeys ?? []) tags.delete(k);
  });
  return {};
}

export async function listTagsForResource(deps: EcrDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  return { tags: (await repoByArn(deps, input.resourceArn!, ctx)).tags };
}
