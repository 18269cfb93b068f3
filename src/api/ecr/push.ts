import { applyPush, type ImageDoc } from "../../core/ecr/images.js";
import { imageSize, ManifestError, manifestDigest, parseManifest } from "../../core/ecr/manifest.js";
import { AwsError } from "../../core/errors.js";
import { enforceLifecycle } from "./lifecycle.js";
import { type EcrDeps, ecrInvalidParameter, imageId, imageScope, listImages, repoLock, type RepositoryDoc } from "./common.js";

/**
 * A manifest entering a repository — by PutImage, or by `docker push` through the registry
 * front — checked and recorded in the image index under the repository's lock.
 */

export const tagImmutableMessage = (tag: string, repo: string) =>
  `The image tag '${tag}' already exists in the '${repo}' repository and cannot be overwritten because the tag is immutable.`;

export interface ManifestPush {
  bytes: string;
  mediaType?: string;
  tag?: string;
  /** The digest the caller says the manifest has (PutImage's imageDigest). */
  digest?: string;
  /** PutImage's rule: the same digest and tag again is ImageAlreadyExistsException. */
  strict: boolean;
  /** Store the manifest in the registry too (PutImage); the front has already stored it. */
  toRegistry: boolean;
}

export async function storeManifest(deps: EcrDeps, repo: RepositoryDoc, push: ManifestPush): Promise<{ digest: string; mediaType: string; unchanged: boolean }> {
  let facts;
  try {
    facts = parseManifest(push.bytes, push.mediaType);
  } catch (err) {
    if (err instanceof ManifestError) throw ecrInvalidParameter(`Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${err.message}'`);
    throw err;
  }
  const digest = manifestDigest(push.bytes);
  if (push.digest !== undefined && push.digest !== digest) {
    throw new AwsError("ImageDigestDoesNotMatchException", `The digest '${push.digest}' does not match the digest of the manifest '${digest}'`);
  }
  const stored = await deps.lock(repoLock(repo.accountId, repo.region, repo.name), async () => {
    const images = await listImages(deps, repo);
    const pushed: Omit<ImageDoc, "tags"> = {
      digest,
      mediaType: facts.mediaType,
      manifest: push.bytes,
      size: imageSize(facts),
      pushedAt: Math.floor(deps.clock.now()) / 1000,
      ...(facts.artifactMediaType ? { artifactMediaType: facts.artifactMediaType } : {}),
      ...(facts.subject ? { subject: facts.subject } : {}),
    };
    const outcome = applyPush(images, pushed, push.tag, { imageTagMutability: repo.imageTagMutability, ...(repo.exclusions ? { exclusions: repo.exclusions } : {}) }, push.strict);
    if (outcome.kind === "refused") {
      if (outcome.reason === "tag-immutable") throw new AwsError("ImageTagAlreadyExistsException", tagImmutableMessage(push.tag!, repo.name));
      throw new AwsError(
        "ImageAlreadyExistsException",
        `Image with digest '${digest}' ${push.tag !== undefined ? `and tag '${push.tag}' ` : ""}already exists in the repository with name '${repo.name}' in registry with id '${repo.accountId}'`,
      );
    }
    if (push.toRegistry && !outcome.unchanged) {
      if (!deps.registry) throw new AwsError("ServerException", "Wharf's registry data plane is not running: images cannot be stored.", 500);
      const r = await deps.registry.putManifest(repo, digest, facts.mediaType, push.bytes);
      if (!r.ok && r.missingLayers.length) {
        throw new AwsError(
          "LayersNotFoundException",
          `Layers with digests '[${r.missingLayers.join(", ")}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${repo.accountId}' do not exist`,
        );
      }
      if (!r.ok && r.missingManifests.length) {
        throw new AwsError("ReferencedImagesNotFoundException", `Manifests with digests '[${r.missingManifests.join(", ")}]' referenced by the manifest list do not exist in the repository with name '${repo.name}' in the registry with id '${repo.accountId}'`);
      }
      if (!r.ok) throw ecrInvalidParameter(`Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${r.message}'`);
    }
    if (outcome.writes.length) {
      await deps.store.write(
        outcome.writes.map((value) => ({ op: "put" as const, kind: "ecr-image" as const, id: imageId(repo, value.digest), scope: imageScope(repo), sort: value.digest, value })),
      );
    }
    return { digest, mediaType: facts.mediaType, unchanged: outcome.unchanged };
  });
  if (!stored.unchanged) await enforceLifecycle(deps, repo.accountId, repo.region, repo.name);
  return stored;
}
