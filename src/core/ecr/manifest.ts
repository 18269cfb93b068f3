import { createHash } from "node:crypto";

/**
 * Image manifests as ECR reads them: Docker v2 schema 2 and OCI image manifests (config +
 * layers), Docker manifest lists and OCI indexes (child manifests). Pure: bytes in, facts out.
 */

export const MEDIA = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

export const SUPPORTED_MEDIA_TYPES: readonly string[] = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex];

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

export interface ManifestFacts {
  mediaType: string;
  /** The config blob (image manifests). */
  config?: Descriptor;
  /** Layer blobs (image manifests). */
  layers: Descriptor[];
  /** Child manifests (lists and indexes). */
  manifests: Descriptor[];
  /** `artifactMediaType`: the config's media type, as ECR reports it. */
  artifactMediaType?: string;
  /** The subject of a referrer (OCI 1.1), if any. */
  subject?: string;
}

export class ManifestError extends Error {}

/** The manifest's digest: sha256 of its exact bytes. */
export const manifestDigest = (bytes: string | Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

const isDescriptor = (d: unknown): d is Descriptor =>
  !!d && typeof d === "object" && typeof (d as Descriptor).digest === "string" && typeof (d as Descriptor).size === "number";

/**
 * Reads a manifest. The media type comes from the document (`mediaType`), else from the one the
 * pusher declared, else from its shape (a `manifests` array is an index). Throws ManifestError
 * for what is not JSON or not a manifest Wharf serves.
 */
export function parseManifest(text: string, declared?: string): ManifestFacts {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ManifestError("Invalid JSON syntax");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new ManifestError("Invalid JSON syntax");
  if (doc.schemaVersion !== 2) throw new ManifestError("Invalid schemaVersion");
  const own = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  if (own && declared && own !== declared) throw new ManifestError("Manifest media type does not match the declared one");
  const mediaType = own ?? declared ?? (Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (!SUPPORTED_MEDIA_TYPES.includes(mediaType)) throw new ManifestError(`Unsupported media type ${mediaType}`);
  const list = mediaType === MEDIA.dockerList || mediaType === MEDIA.ociIndex;
  if (list) {
    if (!Array.isArray(doc.manifests) || !doc.manifests.every(isDescriptor)) throw new ManifestError("Invalid manifests");
    return { mediaType, layers: [], manifests: doc.manifests as Descriptor[] };
  }
  if (!isDescriptor(doc.config)) throw new ManifestError("Invalid config");
  if (!Array.isArray(doc.layers) || !doc.layers.every(isDescriptor)) throw new ManifestError("Invalid layers");
  const subject = isDescriptor(doc.subject) ? doc.subject.digest : undefined;
  return {
    mediaType,
    config: doc.config,
    layers: doc.layers as Descriptor[],
    manifests: [],
    ...(doc.config.mediaType ? { artifactMediaType: doc.config.mediaType } : {}),
    ...(subject ? { subject } : {}),
  };
}

/** ECR's `imageSizeInBytes` for an image manifest: the sum of its layers (what it reports for schema 2). */
export const imageSize = (m: ManifestFacts): number => m.layers.reduce((n, l) => n + l.size, 0);
