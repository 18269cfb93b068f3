import type { Principal } from "../../core/arn.js";
import type { ImageDoc } from "../../core/ecr/images.js";
import type { RegistryDataPlane } from "../../core/ecr/registry-contract.js";
import { AwsError } from "../../core/errors.js";
import type { StoreDeps } from "../../records/store-deps.js";
import type { IdentityResolver } from "../../edge/identity.js";

/** What ECR operations are given besides their input. */
export interface EcrDeps extends StoreDeps {
  /** The HMAC key authorization tokens are sealed with (`<dataDir>/ecr.key`). */
  tokenKey: Buffer;
  /** The registry data plane (src/registry/); absent, image pushes through the API are refused. */
  registry?: RegistryDataPlane;
  /** Who holds an access key (the edge's resolvers): registry requests are authorized as the token's signer. */
  identities?: IdentityResolver;
}

/** A stored repository (kind `ecr-repository`, id `<account>:<region>:<name>`, scope `<account>:<region>`). */
export interface RepositoryDoc {
  accountId: string;
  region: string;
  name: string;
  /** Epoch seconds. */
  createdAt: number;
  imageTagMutability: string;
  exclusions?: { filterType: string; filter: string }[];
  scanOnPush: boolean;
  encryption: { encryptionType: string; kmsKey?: string };
  tags: { Key: string; Value: string }[];
  /** The lifecycle policy's text as given, and when it was last applied (epoch seconds). */
  lifecyclePolicy?: { text: string; lastEvaluatedAt?: number };
  /** The last lifecycle policy preview (StartLifecyclePolicyPreview): its text, when it completes (epoch ms), the images it would expire. */
  lifecyclePreview?: { text: string; completesAt: number; expiring: { digest: string; tags: string[]; pushedAt: number; rulePriority: number }[] };
  /** The repository policy's text as given (SetRepositoryPolicy). */
  repositoryPolicy?: string;
}

export const repoScope = (accountId: string, region: string): string => `${accountId}:${region}`;
export const repoId = (accountId: string, region: string, name: string): string => `${accountId}:${region}:${name}`;
/** Images are kind `ecr-image`, id `<repo id>@<digest>`, scope the repository's id, sorted by digest. */
export const imageId = (repo: RepositoryDoc, digest: string): string => `${repoId(repo.accountId, repo.region, repo.name)}@${digest}`;
export const imageScope = (repo: RepositoryDoc): string => repoId(repo.accountId, repo.region, repo.name);
/** The per-repository lock key (every image index write of a repository is under it). */
export const repoLock = (accountId: string, region: string, name: string): string => `ecr:${repoId(accountId, region, name)}`;

/** The registry a call names (`registryId`, default the caller's account). */
export const registryOf = (input: { registryId?: string }, p: Principal): string => input.registryId ?? p.accountId;

// ---- ECR's errors (names and messages as the service sends them) ----

export const repositoryNotFound = (name: string, registry: string): AwsError =>
  new AwsError("RepositoryNotFoundException", `The repository with name '${name}' does not exist in the registry with id '${registry}'`);
export const repositoryAlreadyExists = (name: string, registry: string): AwsError =>
  new AwsError("RepositoryAlreadyExistsException", `The repository with name '${name}' already exists in the registry with id '${registry}'`);
export const repositoryNotEmpty = (name: string, registry: string): AwsError =>
  new AwsError("RepositoryNotEmptyException", `The repository with name '${name}' in registry with id '${registry}' cannot be deleted because it still contains images`);
export const ecrInvalidParameter = (message: string): AwsError => new AwsError("InvalidParameterException", message);
export const invalidTagParameter = (message: string): AwsError => new AwsError("InvalidTagParameterException", message);
export const tooManyTags = (): AwsError => new AwsError("TooManyTagsException", "A repository can have no more than 50 tags.");

export async function getRepository(deps: EcrDeps, accountId: string, region: string, name: string): Promise<RepositoryDoc | undefined> {
  return (await deps.store.get<RepositoryDoc>("ecr-repository", repoId(accountId, region, name)))?.value;
}

/** The repository a call names, in the caller's Region; RepositoryNotFoundException otherwise. */
export async function requireRepository(deps: EcrDeps, input: { registryId?: string; repositoryName?: string }, p: Principal): Promise<RepositoryDoc> {
  const registry = registryOf(input, p);
  const name = input.repositoryName!;
  const repo = registry === p.accountId ? await getRepository(deps, registry, p.region, name) : undefined;
  if (!repo) throw repositoryNotFound(name, registry);
  return repo;
}

export async function listImages(deps: EcrDeps, repo: RepositoryDoc): Promise<ImageDoc[]> {
  return (await deps.store.list<ImageDoc>("ecr-image", { scope: imageScope(repo) })).map((r) => r.value);
}

/** ECR's `maxResults` default: 100 (the model bounds it to 1–1000). */
export const DEFAULT_PAGE = 100;
