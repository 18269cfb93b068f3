import type { DeleteLifecyclePolicyRequest, GetLifecyclePolicyRequest, PutLifecyclePolicyRequest } from "@aws-sdk/client-ecr";
import type { ImageDoc } from "../../core/ecr/images.js";
import { expiredImages, LifecyclePolicyError, type LifecycleRule, parseLifecyclePolicy } from "../../core/ecr/lifecycle.js";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import {
  type EcrDeps,
  ecrInvalidParameter,
  getRepository,
  imageId,
  listImages,
  repoId,
  repoLock,
  repoScope,
  type RepositoryDoc,
  requireRepository,
} from "./common.js";

/**
 * Lifecycle policies (src/core/ecr/lifecycle.ts decides): stored on the repository, enforced
 * when the policy is put, after every push, and by a periodic sweep (for age rules). ECR
 * enforces within 24 hours; Wharf at once. Expired images are deleted as BatchDeleteImage
 * deletes them (manifest out of the registry, record out of the index).
 */

/** The rules of a policy text; InvalidParameterException in ECR's words when it breaks them. */
export function checkedRules(text: string): LifecycleRule[] {
  try {
    return parseLifecyclePolicy(text);
  } catch (err) {
    if (err instanceof LifecyclePolicyError) throw ecrInvalidParameter(`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${err.message}'`);
    throw err;
  }
}

export const lifecyclePolicyNotFound = (r: RepositoryDoc) =>
  new AwsError("LifecyclePolicyNotFoundException", `Lifecycle policy does not exist for the repository with name '${r.name}' in the registry with id '${r.accountId}'`);

const putRepo = (deps: EcrDeps, r: RepositoryDoc) =>
  deps.store.write([{ op: "put", kind: "ecr-repository", id: repoId(r.accountId, r.region, r.name), scope: repoScope(r.accountId, r.region), sort: r.name, value: r }]);

export async function putLifecyclePolicy(deps: EcrDeps, input: PutLifecyclePolicyRequest, ctx: RequestContext) {
  const text = input.lifecyclePolicyText!;
  checkedRules(text);
  const p = ctx.principal;
  const r = await deps.lock(repoLock(p.accountId, p.region, input.repositoryName!), async () => {
    const repo = await requireRepository(deps, input, p);
    const next: RepositoryDoc = { ...repo, lifecyclePolicy: { text } };
    await putRepo(deps, next);
    return next;
  });
  await enforceLifecycle(deps, r.accountId, r.region, r.name);
  return { registryId: r.accountId, repositoryName: r.name, lifecyclePolicyText: text };
}

export async function getLifecyclePolicy(deps: EcrDeps, input: GetLifecyclePolicyRequest, ctx: RequestContext) {
  const r = await requireRepository(deps, input, ctx.principal);
  if (!r.lifecyclePolicy) throw lifecyclePolicyNotFound(r);
  return {
    registryId: r.accountId,
    repositoryName: r.name,
    lifecyclePolicyText: r.lifecyclePolicy.text,
    ...(r.lifecyclePolicy.lastEvaluatedAt !== undefined ? { lastEvaluatedAt: r.lifecyclePolicy.lastEvaluatedAt } : {}),
  };
}

export async function deleteLifecyclePolicy(deps: EcrDeps, input: DeleteLifecyclePolicyRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(repoLock(p.accountId, p.region, input.repositoryName!), async () => {
    const r = await requireRepository(deps, input, p);
    if (!r.lifecyclePolicy) throw lifecyclePolicyNotFound(r);
    const { lifecyclePolicy, ...rest } = r;
    await putRepo(deps, rest);
    return {
      registryId: r.accountId,
      repositoryName: r.name,
      lifecyclePolicyText: lifecyclePolicy.text,
      ...(lifecyclePolicy.lastEvaluatedAt !== undefined ? { lastEvaluatedAt: lifecyclePolicy.lastEvaluatedAt } : {}),
    };
  });
}

/** Digests other images of the repository (manifest lists, indexes) name: never expired while named. */
function referenced(images: readonly { mediaType: string; manifest: string }[]): Set<string> {
  const refs = new Set<string>();
  for (const i of images) {
    if (!/list|index/.test(i.mediaType)) continue;
    try {
      for (const m of (JSON.parse(i.manifest) as { manifests?: { digest?: string }[] }).manifests ?? []) if (m.digest) refs.add(m.digest);
    } catch {
      /* parsed when pushed */
    }
  }
  return refs;
}

/** What a policy expires of these images now: the rule engine's choice, less images a manifest list names. What enforcement deletes and a preview shows. */
export function wouldExpire(images: readonly ImageDoc[], rules: readonly LifecycleRule[], nowSeconds: number): { digest: string; rulePriority: number }[] {
  const keep = referenced(images);
  return expiredImages(images, rules, nowSeconds).filter((e) => !keep.has(e.digest));
}

/** Applies the repository's lifecycle policy now; resolves the digests it expired. */
export async function enforceLifecycle(deps: EcrDeps, accountId: string, region: string, name: string): Promise<string[]> {
  return deps.lock(repoLock(accountId, region, name), async () => {
    const repo = await getRepository(deps, accountId, region, name);
    if (!repo?.lifecyclePolicy) return [];
    const images = await listImages(deps, repo);
    const now = Math.floor(deps.clock.now()) / 1000;
    const expired = wouldExpire(images, parseLifecyclePolicy(repo.lifecyclePolicy.text), now);
    for (const e of expired) {
      await deps.registry?.deleteManifest(repo, e.digest);
      await deps.store.write([{ op: "delete", kind: "ecr-image", id: imageId(repo, e.digest) }]);
    }
    await putRepo(deps, { ...repo, lifecyclePolicy: { ...repo.lifecyclePolicy, lastEvaluatedAt: now } });
    return expired.map((e) => e.digest);
  });
}

/** Every repository's policy, every `intervalMs` (age rules expire images with no push to trigger them). */
export function startLifecycleSweeper(deps: EcrDeps, intervalMs: number, log?: (line: Record<string, unknown>) => void): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    for (const row of await deps.store.list<RepositoryDoc>("ecr-repository")) {
      const r = row.value;
      if (r.lifecyclePolicy) await enforceLifecycle(deps, r.accountId, r.region, r.name).catch((err) => log?.({ level: "warn", msg: "lifecycle policy sweep failed", repository: r.name, err: String(err) }));
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
