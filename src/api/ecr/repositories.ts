import type {
  CreateRepositoryRequest,
  DeleteRepositoryRequest,
  DescribeRepositoriesRequest,
  PutImageScanningConfigurationRequest,
  PutImageTagMutabilityRequest,
  Repository,
} from "@aws-sdk/client-ecr";
import { repositoryArn } from "../../core/ecr/names.js";
import { decodeToken, page } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import {
  DEFAULT_PAGE,
  type EcrDeps,
  ecrInvalidParameter,
  imageId,
  listImages,
  registryOf,
  repoId,
  repoLock,
  repoScope,
  repositoryAlreadyExists,
  type RepositoryDoc,
  repositoryNotEmpty,
  repositoryNotFound,
  requireRepository,
} from "./common.js";
import { checkTags } from "./tags.js";

/** `<registry host>/<name>`: Wharf's registry when it runs (what `docker push` talks to), else ECR's host form. */
export function repositoryUri(deps: EcrDeps, r: RepositoryDoc): string {
  const host = deps.registry?.host ?? `${r.accountId}.dkr.ecr.${r.region}.amazonaws.com`;
  return `${host}/${r.name}`;
}

export function renderRepository(deps: EcrDeps, r: RepositoryDoc): Repository {
  return {
    repositoryArn: repositoryArn({ accountId: r.accountId, region: r.region }, r.name),
    registryId: r.accountId,
    repositoryName: r.name,
    repositoryUri: repositoryUri(deps, r),
    createdAt: r.createdAt as unknown as Date,
    imageTagMutability: r.imageTagMutability as Repository["imageTagMutability"],
    ...(r.exclusions?.length ? { imageTagMutabilityExclusionFilters: r.exclusions as Repository["imageTagMutabilityExclusionFilters"] } : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryption as Repository["encryptionConfiguration"],
  };
}

/** The exclusion filters, checked against the mutability they go with (only the `_WITH_EXCLUSION` forms take them, and need them). */
function checkMutability(mutability: string, filters: PutImageTagMutabilityRequest["imageTagMutabilityExclusionFilters"]): { filterType: string; filter: string }[] {
  const exclusions = (filters ?? []).map((f) => ({ filterType: f.filterType!, filter: f.filter! }));
  const withExclusion = mutability.endsWith("_WITH_EXCLUSION");
  if (withExclusion && exclusions.length === 0) {
    throw ecrInvalidParameter(`Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'Exclusion filters are required when image tag mutability is ${mutability}'`);
  }
  if (!withExclusion && exclusions.length > 0) {
    throw ecrInvalidParameter(`Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'Exclusion filters are only allowed when image tag mutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION'`);
  }
  return exclusions;
}

/** Rewrites a repository's record under its lock. */
async function updateRepository(deps: EcrDeps, input: { registryId?: string; repositoryName?: string }, ctx: RequestContext, change: (r: RepositoryDoc) => RepositoryDoc): Promise<RepositoryDoc> {
  const p = ctx.principal;
  return deps.lock(repoLock(registryOf(input, p), p.region, input.repositoryName!), async () => {
    const next = change(await requireRepository(deps, input, p));
    await deps.store.write([{ op: "put", kind: "ecr-repository", id: repoId(next.accountId, next.region, next.name), scope: repoScope(next.accountId, next.region), sort: next.name, value: next }]);
    return next;
  });
}

export async function putImageTagMutability(deps: EcrDeps, input: PutImageTagMutabilityRequest, ctx: RequestContext) {
  const mutability = input.imageTagMutability!;
  const exclusions = checkMutability(mutability, input.imageTagMutabilityExclusionFilters);
  const r = await updateRepository(deps, input, ctx, (doc) => {
    const { exclusions: _old, ...rest } = doc;
    return { ...rest, imageTagMutability: mutability, ...(exclusions.length ? { exclusions } : {}) };
  });
  return {
    registryId: r.accountId,
    repositoryName: r.name,
    imageTagMutability: r.imageTagMutability,
    ...(r.exclusions ? { imageTagMutabilityExclusionFilters: r.exclusions } : {}),
  };
}

/** Stored and returned; Wharf does not scan images. */
export async function putImageScanningConfiguration(deps: EcrDeps, input: PutImageScanningConfigurationRequest, ctx: RequestContext) {
  const scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
  const r = await updateRepository(deps, input, ctx, (doc) => ({ ...doc, scanOnPush }));
  return { registryId: r.accountId, repositoryName: r.name, imageScanningConfiguration: { scanOnPush: r.scanOnPush } };
}

export async function createRepository(deps: EcrDeps, input: CreateRepositoryRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const registry = registryOf(input, p);
  if (registry !== p.accountId) throw ecrInvalidParameter(`Invalid parameter at 'registryId' failed to satisfy constraint: 'The registry id must be the caller's account ${p.accountId}'`);
  const name = input.repositoryName!;
  const mutability = input.imageTagMutability ?? "MUTABLE";
  const exclusions = checkMutability(mutability, input.imageTagMutabilityExclusionFilters);
  const enc = input.encryptionConfiguration;
  if (enc && enc.encryptionType === "AES256" && enc.kmsKey !== undefined) {
    throw ecrInvalidParameter("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'KMS key should not be specified for AES256 encryption type'");
  }
  const doc: RepositoryDoc = {
    accountId: registry,
    region: p.region,
    name,
    createdAt: Math.floor(deps.clock.now()) / 1000,
    imageTagMutability: mutability,
    ...(exclusions.length ? { exclusions } : {}),
    scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
    encryption: enc ? { encryptionType: enc.encryptionType!, ...(enc.kmsKey !== undefined ? { kmsKey: enc.kmsKey } : {}) } : { encryptionType: "AES256" },
    tags: checkTags(input.tags ?? []),
  };
  return deps.lock(repoLock(registry, p.region, name), async () => {
    const id = repoId(registry, p.region, name);
    if (await deps.store.get("ecr-repository", id)) throw repositoryAlreadyExists(name, registry);
    await deps.store.write([{ op: "put", kind: "ecr-repository", id, scope: repoScope(registry, p.region), sort: name, value: doc }]);
    return { repository: renderRepository(deps, doc) };
  });
}

export async function describeRepositories(deps: EcrDeps, input: DescribeRepositoriesRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const registry = registryOf(input, p);
  if (input.repositoryNames) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw ecrInvalidParameter("Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'repositoryNames cannot be used with maxResults or nextToken'");
    }
    const out: Repository[] = [];
    for (const name of input.repositoryNames) out.push(renderRepository(deps, await requireRepository(deps, { registryId: registry, repositoryName: name }, p)));
    return { repositories: out };
  }
  if (registry !== p.accountId) return { repositories: [] };
  const after = decodeToken(input.nextToken);
  const rows = await deps.store.list<RepositoryDoc>("ecr-repository", { scope: repoScope(registry, p.region), ...(after !== undefined ? { after } : {}) });
  const cut = page(rows.map((r) => r.value), input.maxResults ?? DEFAULT_PAGE, (r) => r.name);
  return { repositories: cut.items.map((r) => renderRepository(deps, r)), ...(cut.nextToken ? { nextToken: cut.nextToken } : {}) };
}

export async function deleteRepository(deps: EcrDeps, input: DeleteRepositoryRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const registry = registryOf(input, p);
  const name = input.repositoryName!;
  return deps.lock(repoLock(registry, p.region, name), async () => {
    const repo = await requireRepository(deps, input, p);
    const images = await listImages(deps, repo);
    if (images.length > 0 && !input.force) throw repositoryNotEmpty(name, registry);
    for (const img of images) await deps.registry?.deleteManifest(repo, img.digest);
    await deps.store.write([
      ...images.map((img) => ({ op: "delete" as const, kind: "ecr-image" as const, id: imageId(repo, img.digest) })),
      { op: "delete", kind: "ecr-repository", id: repoId(registry, p.region, name) },
    ]);
    return { repository: renderRepository(deps, repo) };
  });
}

export { repositoryNotFound };
