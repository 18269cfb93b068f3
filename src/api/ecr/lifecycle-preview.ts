import type { GetLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewRequest } from "@aws-sdk/client-ecr";
import { AwsError } from "../../core/errors.js";
import { decodeToken, encodeToken, pageSize } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import { type EcrDeps, ecrInvalidParameter, listImages, registryOf, repoId, repoLock, repoScope, type RepositoryDoc, requireRepository } from "./common.js";
import { checkedRules, lifecyclePolicyNotFound, wouldExpire } from "./lifecycle.js";

/**
 * Lifecycle policy previews: what a policy (the one given, else the repository's) would expire,
 * decided by the same engine that enforces policies (`wouldExpire`) on the images as they are
 * when the preview starts, deleting nothing. Like ECR's, a preview runs for a while: it is
 * IN_PROGRESS for PREVIEW_DURATION_MS on the injected clock, then COMPLETE with its results.
 */

export const PREVIEW_DURATION_MS = 3000;

const previewNotFound = (r: RepositoryDoc) =>
  new AwsError("LifecyclePolicyPreviewNotFoundException", `Lifecycle policy preview does not exist for the repository with name '${r.name}' in the registry with id '${r.accountId}'`);
const inProgress = () => new AwsError("LifecyclePolicyPreviewInProgressException", "The previous lifecycle policy preview request has not completed. Wait and try again.");

export async function startLifecyclePolicyPreview(deps: EcrDeps, input: StartLifecyclePolicyPreviewRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(repoLock(registryOf(input, p), p.region, input.repositoryName!), async () => {
    const repo = await requireRepository(deps, input, p);
    const text = input.lifecyclePolicyText ?? repo.lifecyclePolicy?.text;
    if (text === undefined) throw lifecyclePolicyNotFound(repo);
    const rules = checkedRules(text);
    const now = deps.clock.now();
    if (repo.lifecyclePreview && now < repo.lifecyclePreview.completesAt) throw inProgress();
    const images = await listImages(deps, repo);
    const byDigest = new Map(images.map((i) => [i.digest, i]));
    const expiring = wouldExpire(images, rules, Math.floor(now) / 1000).map((e) => {
      const i = byDigest.get(e.digest)!;
      return { digest: e.digest, tags: [...i.tags], pushedAt: i.pushedAt, rulePriority: e.rulePriority };
    });
    const next: RepositoryDoc = { ...repo, lifecyclePreview: { text, completesAt: now + PREVIEW_DURATION_MS, expiring } };
    await deps.store.write([{ op: "put", kind: "ecr-repository", id: repoId(repo.accountId, repo.region, repo.name), scope: repoScope(repo.accountId, repo.region), sort: repo.name, value: next }]);
    return { registryId: repo.accountId, repositoryName: repo.name, lifecyclePolicyText: text, status: "IN_PROGRESS" };
  });
}

export async function getLifecyclePolicyPreview(deps: EcrDeps, input: GetLifecyclePolicyPreviewRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const preview = repo.lifecyclePreview;
  if (!preview) throw previewNotFound(repo);
  if (input.imageIds?.length && (input.nextToken !== undefined || input.maxResults !== undefined)) {
    throw ecrInvalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'imageIds cannot be used with maxResults or nextToken'");
  }
  const base = { registryId: repo.accountId, repositoryName: repo.name, lifecyclePolicyText: preview.text };
  if (deps.clock.now() < preview.completesAt) return { ...base, status: "IN_PROGRESS", previewResults: [] };
  const status = input.filter?.tagStatus;
  const wanted = (e: (typeof preview.expiring)[number]) =>
    (status !== "TAGGED" || e.tags.length > 0) &&
    (status !== "UNTAGGED" || e.tags.length === 0) &&
    (!input.imageIds?.length || input.imageIds.some((id) => (id.imageDigest === undefined || id.imageDigest === e.digest) && (id.imageTag === undefined || e.tags.includes(id.imageTag))));
  const all = preview.expiring.filter(wanted);
  const size = pageSize(input.maxResults, 100, 100);
  const start = input.nextToken !== undefined ? Number(decodeToken(input.nextToken)) : 0;
  if (!Number.isInteger(start) || start < 0) throw ecrInvalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid nextToken'");
  const items = all.slice(start, start + size);
  return {
    ...base,
    status: "COMPLETE",
    previewResults: items.map((e) => ({
      ...(e.tags.length ? { imageTags: e.tags } : {}),
      imageDigest: e.digest,
      imagePushedAt: e.pushedAt,
      action: { type: "EXPIRE" },
      appliedRulePriority: e.rulePriority,
    })),
    summary: { expiringImageTotalCount: preview.expiring.length },
    ...(start + size < all.length ? { nextToken: encodeToken(String(start + size)) } : {}),
  };
}
