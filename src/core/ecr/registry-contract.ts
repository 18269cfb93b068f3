import type { TokenCheck, TokenClaims } from "./auth-token.js";

/**
 * What the ECR API (src/api/ecr/) and the registry data plane (src/registry/) exchange. The API
 * owns repositories, tags and the image index; the data plane stores blobs and manifests (by
 * digest) in a distribution registry behind a front that checks ECR's tokens. Neither imports
 * the other: src/server.ts wires them through these two interfaces.
 */

export interface RegistryRepo {
  accountId: string;
  region: string;
  name: string;
}

/** A registry error as the Docker Registry HTTP API sends it (`{"errors":[{code,message}]}`). */
export interface RegistryRefusal {
  status: number;
  code: string;
  message: string;
}

export interface PushedManifest {
  digest: string;
  tag?: string;
  mediaType: string;
  bytes: string;
}

/** What the registry front asks the ECR side. */
export interface RegistryCatalog {
  checkToken(token: string): TokenCheck;
  /** Whether the token's principal may do `action` (`ecr:BatchGetImage`, …) on the repository; a DENIED refusal otherwise. */
  authorize(claims: TokenClaims, action: string, repo: RegistryRepo): Promise<RegistryRefusal | undefined>;
  /** The repository, or a NAME_UNKNOWN refusal in ECR's words. */
  repository(accountId: string, region: string, name: string): Promise<RegistryRepo | RegistryRefusal>;
  /** Checked before the manifest is stored (immutable tags); undefined: go on. */
  checkPush(repo: RegistryRepo, digest: string, tag: string | undefined): Promise<RegistryRefusal | undefined>;
  /** Records a manifest the registry has stored (moving the tag). */
  recordPush(repo: RegistryRepo, manifest: PushedManifest): Promise<RegistryRefusal | undefined>;
  /** A tag or digest of the repository → the digest, if the repository has it. */
  resolve(repo: RegistryRepo, reference: string): Promise<string | undefined>;
  tags(repo: RegistryRepo): Promise<string[]>;
  /** A manifest was pulled (lastRecordedPullTime). */
  recordPull(repo: RegistryRepo, digest: string): Promise<void>;
}

export type PutManifestResult = { ok: true } | { ok: false; missingLayers: string[]; missingManifests: string[]; message: string };

/** What the ECR API asks the registry data plane. */
export interface RegistryDataPlane {
  /** `host:port` of the registry Docker talks to (repositoryUri, proxyEndpoint). */
  readonly host: string;
  /** Stores a manifest by digest (PutImage); the registry checks that what it references exists. */
  putManifest(repo: RegistryRepo, digest: string, mediaType: string, bytes: string): Promise<PutManifestResult>;
  /** Forgets a manifest (BatchDeleteImage, DeleteRepository with force); a missing one is fine. */
  deleteManifest(repo: RegistryRepo, digest: string): Promise<void>;
  /** A blob's size, if the repository has it (BatchCheckLayerAvailability). */
  blobSize(repo: RegistryRepo, digest: string): Promise<number | undefined>;
  /** Starts a blob upload (InitiateLayerUpload): the session's opaque handle. */
  startUpload(repo: RegistryRepo): Promise<string>;
  /** Appends bytes to an upload (UploadLayerPart): the session's next handle. */
  uploadPart(repo: RegistryRepo, handle: string, bytes: Buffer): Promise<string>;
  /** Finishes an upload as `digest` (CompleteLayerUpload); a digest that does not match is refused. */
  completeUpload(repo: RegistryRepo, handle: string, digest: string): Promise<{ ok: true } | { ok: false; message: string }>;
}
