import type {
  BatchDeleteImageRequest,
  BatchGetImageRequest,
  DescribeImagesRequest,
  Image,
  ImageDetail,
  ImageFailure,
  ImageIdentifier,
  ListImagesRequest,
  PutImageRequest,
} from "@aws-sdk/client-ecr";
import { type ImageDoc, matchesTagStatus } from "../../core/ecr/images.js";
import { AwsError } from "../../core/errors.js";
import { decodeToken, page } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import { DEFAULT_PAGE, type EcrDeps, ecrInvalidParameter, imageId, imageScope, listImages, repoLock, type RepositoryDoc, requireRepository } from "./common.js";
import { storeManifest } from "./push.js";

/** `{imageDigest:'null', imageTag:'v1'}`: how ECR prints an image id in its messages. */
const idText = (id: ImageIdentifier) => `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;

const imageNotFound = (id: ImageIdentifier, repo: RepositoryDoc) =>
  new AwsError("ImageNotFoundException", `The image with imageId ${idText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.accountId}'`);

type Lookup = { image: ImageDoc } | { failure: ImageFailure };

/** One imageId → the image, or ECR's failure for it (BatchGetImage, BatchDeleteImage). */
function lookup(images: readonly ImageDoc[], id: ImageIdentifier): Lookup {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return { failure: { imageId: id, failureCode: "MissingDigestAndTag", failureReason: "Invalid request parameters: both tag and digest cannot be null" } };
  }
  if (id.imageDigest !== undefined && !/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(id.imageDigest)) {
    return { failure: { imageId: id, failureCode: "InvalidImageDigest", failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'" } };
  }
  const byDigest = id.imageDigest !== undefined ? images.find((i) => i.digest === id.imageDigest) : undefined;
  const byTag = id.imageTag !== undefined ? images.find((i) => i.tags.includes(id.imageTag!)) : undefined;
  if (id.imageDigest !== undefined && id.imageTag !== undefined && byDigest && byTag && byDigest !== byTag) {
    return { failure: { imageId: id, failureCode: "ImageTagDoesNotMatchDigest", failureReason: "Invalid request parameters: image tag does not match digest" } };
  }
  const image = id.imageDigest !== undefined ? byDigest : byTag;
  if (!image || (id.imageTag !== undefined && !image.tags.includes(id.imageTag))) {
    return { failure: { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" } };
  }
  return { image };
}

function renderDetail(repo: RepositoryDoc, i: ImageDoc): ImageDetail {
  return {
    registryId: repo.accountId,
    repositoryName: repo.name,
    imageDigest: i.digest,
    ...(i.tags.length ? { imageTags: i.tags } : {}),
    imageSizeInBytes: i.size,
    imagePushedAt: i.pushedAt as unknown as Date,
    imageManifestMediaType: i.mediaType,
    ...(i.artifactMediaType ? { artifactMediaType: i.artifactMediaType } : {}),
    ...(i.lastPull !== undefined ? { lastRecordedPullTime: i.lastPull as unknown as Date } : {}),
    ...(i.subject ? { subjectManifestDigest: i.subject } : {}),
    imageStatus: "ACTIVE",
  };
}

const pagingWithIds = () => ecrInvalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'imageIds cannot be used with maxResults, nextToken or filter'");

export async function describeImages(deps: EcrDeps, input: DescribeImagesRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const images = await listImages(deps, repo);
  if (input.imageIds) {
    if (input.nextToken !== undefined || input.maxResults !== undefined || input.filter !== undefined) throw pagingWithIds();
    const found: ImageDetail[] = [];
    const seen = new Set<string>();
    for (const id of input.imageIds) {
      const r = lookup(images, id);
      if ("failure" in r) {
        if (r.failure.failureCode === "ImageNotFound" || r.failure.failureCode === "ImageTagDoesNotMatchDigest") throw imageNotFound(id, repo);
        throw ecrInvalidParameter(r.failure.failureReason!);
      }
      if (!seen.has(r.image.digest)) found.push(renderDetail(repo, r.image));
      seen.add(r.image.digest);
    }
    return { imageDetails: found };
  }
  const after = decodeToken(input.nextToken);
  const rows = images.filter((i) => matchesTagStatus(i, input.filter?.tagStatus) && (after === undefined || i.digest > after));
  const cut = page(rows, input.maxResults ?? DEFAULT_PAGE, (i) => i.digest);
  return { imageDetails: cut.items.map((i) => renderDetail(repo, i)), ...(cut.nextToken ? { nextToken: cut.nextToken } : {}) };
}

export async function listImagesOp(deps: EcrDeps, input: ListImagesRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const images = await listImages(deps, repo);
  // One entry per tag; an untagged image is one entry with its digest alone.
  const ids: { key: string; id: ImageIdentifier }[] = [];
  for (const i of images) {
    if (!matchesTagStatus(i, input.filter?.tagStatus)) continue;
    if (i.tags.length === 0) ids.push({ key: `${i.digest}|`, id: { imageDigest: i.digest } });
    for (const t of [...i.tags].sort()) ids.push({ key: `${i.digest}|${t}`, id: { imageDigest: i.digest, imageTag: t } });
  }
  const after = decodeToken(input.nextToken);
  const cut = page(after === undefined ? ids : ids.filter((x) => x.key > after), input.maxResults ?? DEFAULT_PAGE, (x) => x.key);
  return { imageIds: cut.items.map((x) => x.id), ...(cut.nextToken ? { nextToken: cut.nextToken } : {}) };
}

export async function batchGetImage(deps: EcrDeps, input: BatchGetImageRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const images = await listImages(deps, repo);
  const out: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds ?? []) {
    const r = lookup(images, id);
    if ("failure" in r) {
      failures.push(r.failure);
      continue;
    }
    out.push({
      registryId: repo.accountId,
      repositoryName: repo.name,
      imageId: { imageDigest: r.image.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
      imageManifest: r.image.manifest,
      imageManifestMediaType: r.image.mediaType,
    });
  }
  return { images: out, failures };
}

/** Digests other images (manifest lists, OCI indexes) of the repository name as children. */
function referencedByLists(images: readonly ImageDoc[]): Set<string> {
  const refs = new Set<string>();
  for (const i of images) {
    if (!/list|index/.test(i.mediaType)) continue;
    try {
      for (const m of (JSON.parse(i.manifest) as { manifests?: { digest?: string }[] }).manifests ?? []) if (m.digest) refs.add(m.digest);
    } catch {
      /* stored manifests parsed when pushed */
    }
  }
  return refs;
}

/**
 * BatchDeleteImage: a tag removes that tag (the image goes with its last tag); a digest removes
 * the image and all its tags. An image a manifest list still names is not deleted.
 */
export async function batchDeleteImage(deps: EcrDeps, input: BatchDeleteImageRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(repoLock(p.accountId, p.region, input.repositoryName!), async () => {
    const repo = await requireRepository(deps, input, p);
    let images = await listImages(deps, repo);
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of input.imageIds ?? []) {
      const r = lookup(images, id);
      if ("failure" in r) {
        failures.push(r.failure);
        continue;
      }
      const image = r.image;
      const dropWhole = id.imageTag === undefined || image.tags.length === 1;
      if (dropWhole && referencedByLists(images.filter((i) => i !== image)).has(image.digest)) {
        failures.push({ imageId: id, failureCode: "ImageReferencedByManifestList", failureReason: "Requested image referenced by a manifest list" });
        continue;
      }
      if (dropWhole) {
        await deps.registry?.deleteManifest(repo, image.digest);
        await deps.store.write([{ op: "delete", kind: "ecr-image", id: imageId(repo, image.digest) }]);
        images = images.filter((i) => i !== image);
        if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
        for (const t of image.tags) deleted.push({ imageDigest: image.digest, imageTag: t });
      } else {
        const kept: ImageDoc = { ...image, tags: image.tags.filter((t) => t !== id.imageTag) };
        await deps.store.write([{ op: "put", kind: "ecr-image", id: imageId(repo, image.digest), scope: imageScope(repo), sort: image.digest, value: kept }]);
        images = images.map((i) => (i === image ? kept : i));
        deleted.push({ imageDigest: image.digest, imageTag: id.imageTag! });
      }
    }
    return { imageIds: deleted, failures };
  });
}

export async function putImage(deps: EcrDeps, input: PutImageRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const stored = await storeManifest(deps, repo, {
    bytes: input.imageManifest!,
    ...(input.imageManifestMediaType !== undefined ? { mediaType: input.imageManifestMediaType } : {}),
    ...(input.imageTag !== undefined ? { tag: input.imageTag } : {}),
    ...(input.imageDigest !== undefined ? { digest: input.imageDigest } : {}),
    strict: true,
    toRegistry: true,
  });
  return {
    image: {
      registryId: repo.accountId,
      repositoryName: repo.name,
      imageId: { imageDigest: stored.digest, ...(input.imageTag !== undefined ? { imageTag: input.imageTag } : {}) },
      imageManifest: input.imageManifest,
      imageManifestMediaType: stored.mediaType,
    },
  };
}
