import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import * as auth from "./auth.js";
import { ecrAuthorization } from "./authorization.js";
import { type EcrDeps, getRepository } from "./common.js";
import * as images from "./images.js";
import * as layers from "./layers.js";
import * as lifecycle from "./lifecycle.js";
import * as lifecyclePreview from "./lifecycle-preview.js";
import { ecrModel } from "./model.generated.js";
import * as repositories from "./repositories.js";
import * as repositoryPolicy from "./repository-policy.js";
import * as tags from "./tags.js";

export type { EcrDeps } from "./common.js";
export { ecrCatalog } from "./catalog.js";
export { startLifecycleSweeper } from "./lifecycle.js";

export const ECR_TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921";

/** An UploadLayerPart body carries up to 20 MiB (the model's limit) in base64. */
export const ECR_MAX_BODY_BYTES = 28 * 1024 * 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EcrOperation = (deps: EcrDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Operation modules register here: one function per operation. */
export const ecrOperations: Record<string, EcrOperation> = {
  CreateRepository: repositories.createRepository,
  DescribeRepositories: repositories.describeRepositories,
  DeleteRepository: repositories.deleteRepository,
  PutImageTagMutability: repositories.putImageTagMutability,
  PutImageScanningConfiguration: repositories.putImageScanningConfiguration,
  GetAuthorizationToken: auth.getAuthorizationToken,
  DescribeImages: images.describeImages,
  ListImages: images.listImagesOp,
  BatchGetImage: images.batchGetImage,
  BatchDeleteImage: images.batchDeleteImage,
  PutImage: images.putImage,
  BatchCheckLayerAvailability: layers.batchCheckLayerAvailability,
  InitiateLayerUpload: layers.initiateLayerUpload,
  UploadLayerPart: layers.uploadLayerPart,
  CompleteLayerUpload: layers.completeLayerUpload,
  GetDownloadUrlForLayer: layers.getDownloadUrlForLayer,
  PutLifecyclePolicy: lifecycle.putLifecyclePolicy,
  GetLifecyclePolicy: lifecycle.getLifecyclePolicy,
  DeleteLifecyclePolicy: lifecycle.deleteLifecyclePolicy,
  StartLifecyclePolicyPreview: lifecyclePreview.startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: lifecyclePreview.getLifecyclePolicyPreview,
  SetRepositoryPolicy: repositoryPolicy.setRepositoryPolicy,
  GetRepositoryPolicy: repositoryPolicy.getRepositoryPolicy,
  DeleteRepositoryPolicy: repositoryPolicy.deleteRepositoryPolicy,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
};

/** The ECR JSON 1.1 service: every operation of the model, the unbuilt ones answering so. */
export function ecrService(deps: EcrDeps): JsonService {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(ecrModel.operations)) {
    const impl = ecrOperations[name];
    operations[name] = impl
      ? (input, ctx) => impl(deps, validateInput(ecrModel, name, input), ctx)
      : () => {
          throw notImplemented("ECR", name);
        };
  }
  return {
    targetPrefix: ECR_TARGET_PREFIX,
    signingName: "ecr",
    operations,
    authorization: ecrAuthorization,
    resourceTags: async (arn) => {
      const m = /^arn:[^:]+:ecr:([^:]+):(\d{12}):repository\/(.+)$/.exec(arn);
      const repo = m ? await getRepository(deps, m[2]!, m[1]!, m[3]!) : undefined;
      return repo?.tags.length ? Object.fromEntries(repo.tags.map((t) => [t.Key, t.Value])) : undefined;
    },
    resourcePolicies: (arn, p) => repositoryPolicy.repositoryPoliciesByArn(deps, arn, p),
    maxBodyBytes: ECR_MAX_BODY_BYTES,
  };
}
