import type {
  BatchCheckLayerAvailabilityRequest,
  CompleteLayerUploadRequest,
  GetDownloadUrlForLayerRequest,
  InitiateLayerUploadRequest,
  Layer,
  LayerFailure,
  UploadLayerPartRequest,
} from "@aws-sdk/client-ecr";
import { createHash, randomUUID } from "node:crypto";
import { mintToken } from "../../core/ecr/auth-token.js";
import { isDigest } from "../../core/ecr/names.js";
import type { RegistryDataPlane } from "../../core/ecr/registry-contract.js";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { type EcrDeps, ecrInvalidParameter, type RepositoryDoc, requireRepository } from "./common.js";

/**
 * The layer calls (what tools that push without Docker use): blobs go into the registry's own
 * upload sessions, one per `uploadId`, kept in memory (an upload does not survive a restart, as
 * it would not survive ECR's 24-hour limit either); GetDownloadUrlForLayer hands out a URL on the
 * registry that carries a one-hour token, as a presigned URL does.
 */

/** ECR's part size. */
const PART_SIZE = 10 * 1024 * 1024;
const DOWNLOAD_URL_LIFETIME_MS = 3600 * 1000;

interface Upload {
  repoKey: string;
  handle: string;
  received: number;
  hash: ReturnType<typeof createHash>;
  startedAtMs: number;
}
/** Each server's uploads in progress (keyed by its deps); an upload older than a day is dropped, as ECR drops it. */
const uploadsOf = new WeakMap<EcrDeps, Map<string, Upload>>();
const UPLOAD_LIFETIME_MS = 24 * 3600 * 1000;
function uploadsFor(deps: EcrDeps): Map<string, Upload> {
  let m = uploadsOf.get(deps);
  if (!m) uploadsOf.set(deps, (m = new Map()));
  const now = deps.clock.now();
  for (const [id, u] of m) if (now - u.startedAtMs > UPLOAD_LIFETIME_MS) m.delete(id);
  return m;
}

const keyOf = (r: RepositoryDoc) => `${r.accountId}:${r.region}:${r.name}`;
const plane = (deps: EcrDeps): RegistryDataPlane => {
  if (!deps.registry) throw new AwsError("ServerException", "Wharf's registry data plane is not running: layers cannot be stored.", 500);
  return deps.registry;
};

const uploadNotFound = (id: string, r: RepositoryDoc) =>
  new AwsError("UploadNotFoundException", `The upload with id '${id}' does not exist in the repository with name '${r.name}' in the registry with id '${r.accountId}'`);

function session(deps: EcrDeps, id: string, r: RepositoryDoc): Upload {
  const u = uploadsFor(deps).get(id);
  if (!u || u.repoKey !== keyOf(r)) throw uploadNotFound(id, r);
  return u;
}

export async function batchCheckLayerAvailability(deps: EcrDeps, input: BatchCheckLayerAvailabilityRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const digest of input.layerDigests ?? []) {
    if (!isDigest(digest)) {
      failures.push({ layerDigest: digest, failureCode: "InvalidLayerDigest", failureReason: "Invalid layer digest" });
      continue;
    }
    const size = await plane(deps).blobSize(repo, digest);
    if (size === undefined) failures.push({ layerDigest: digest, failureCode: "MissingLayerDigest", failureReason: "Could not find layer with digest" });
    else layers.push({ layerDigest: digest, layerAvailability: "AVAILABLE", layerSize: size });
  }
  return { layers, failures };
}

export async function initiateLayerUpload(deps: EcrDeps, input: InitiateLayerUploadRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const handle = await plane(deps).startUpload(repo);
  const uploadId = randomUUID();
  uploadsFor(deps).set(uploadId, { repoKey: keyOf(repo), handle, received: 0, hash: createHash("sha256"), startedAtMs: deps.clock.now() });
  return { uploadId, partSize: PART_SIZE };
}

export async function uploadLayerPart(deps: EcrDeps, input: UploadLayerPartRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const u = session(deps, input.uploadId!, repo);
  const blob = input.layerPartBlob as unknown;
  const bytes = typeof blob === "string" ? Buffer.from(blob, "base64") : Buffer.from((blob as Uint8Array | undefined) ?? []);
  const first = input.partFirstByte!;
  const last = input.partLastByte!;
  if (first !== u.received || last !== first + bytes.length - 1) {
    throw new AwsError(
      "InvalidLayerPartException",
      `The layer part is invalid: expected partFirstByte ${u.received}, and partLastByte ${first + bytes.length - 1} for a part of ${bytes.length} bytes`,
    );
  }
  u.handle = await plane(deps).uploadPart(repo, u.handle, bytes);
  u.hash.update(bytes);
  u.received += bytes.length;
  return { registryId: repo.accountId, repositoryName: repo.name, uploadId: input.uploadId, lastByteReceived: u.received - 1 };
}

export async function completeLayerUpload(deps: EcrDeps, input: CompleteLayerUploadRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const u = session(deps, input.uploadId!, repo);
  const digests = input.layerDigests ?? [];
  if (digests.length !== 1) throw ecrInvalidParameter("Invalid parameter at 'layerDigests' failed to satisfy constraint: 'exactly one layer digest is required'");
  if (u.received === 0) throw new AwsError("EmptyUploadException", `The upload with id '${input.uploadId}' contains no layer parts`);
  const digest = digests[0]!;
  const actual = `sha256:${u.hash.copy().digest("hex")}`;
  if (digest !== actual) throw new AwsError("InvalidLayerException", `The layer digest '${digest}' does not match the uploaded content's digest '${actual}'`);
  if ((await plane(deps).blobSize(repo, digest)) !== undefined) {
    uploadsFor(deps).delete(input.uploadId!);
    throw new AwsError("LayerAlreadyExistsException", `The layer with digest '${digest}' already exists in the repository with name '${repo.name}' in the registry with id '${repo.accountId}'`);
  }
  const done = await plane(deps).completeUpload(repo, u.handle, digest);
  if (!done.ok) throw new AwsError("InvalidLayerException", done.message);
  uploadsFor(deps).delete(input.uploadId!);
  return { registryId: repo.accountId, repositoryName: repo.name, uploadId: input.uploadId, layerDigest: digest };
}

export async function getDownloadUrlForLayer(deps: EcrDeps, input: GetDownloadUrlForLayerRequest, ctx: RequestContext) {
  const repo = await requireRepository(deps, input, ctx.principal);
  const digest = input.layerDigest!;
  if (!isDigest(digest) || (await plane(deps).blobSize(repo, digest)) === undefined) {
    throw new AwsError("LayersNotFoundException", `The layer with digest '${digest}' does not exist in the repository with name '${repo.name}' in the registry with id '${repo.accountId}'`);
  }
  const token = mintToken(deps.tokenKey, { accountId: repo.accountId, region: repo.region, principalArn: ctx.callerArn, expiresAtMs: deps.clock.now() + DOWNLOAD_URL_LIFETIME_MS });
  return { downloadUrl: `http://${deps.registry!.host}/v2/${repo.name}/blobs/${digest}?X-Wharf-Token=${encodeURIComponent(token)}`, layerDigest: digest };
}
