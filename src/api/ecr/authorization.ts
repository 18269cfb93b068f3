import type { Principal } from "../../core/arn.js";
import { repositoryArn } from "../../core/ecr/names.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";

/*
 * How each ECR operation is authorized (Service Authorization Reference, prefix `ecr`): the
 * repository's ARN (`arn:aws:ecr:R:A:repository/NAME`, A the call's registryId when given),
 * GetAuthorizationToken on `*`, the tag operations on the ARN given. The input is the parsed
 * request before validation.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const repo = (i: In, p: Principal) => [repositoryArn({ accountId: str(i.registryId) ?? p.accountId, region: p.region }, str(i.repositoryName) ?? "")];
const given = (i: In) => [str(i.resourceArn) ?? "*"];
const star = () => ["*"];

/** aws:RequestTag/… and aws:TagKeys from ECR's `tags` list ([{Key, Value}]). */
const tagList = (i: In): CallContext => {
  if (!Array.isArray(i.tags)) return {};
  const tags: Record<string, string> = {};
  for (const t of i.tags as { Key?: unknown; Value?: unknown }[]) if (t && typeof t.Key === "string") tags[t.Key] = String(t.Value ?? "");
  return { requestTags: tags };
};
const tagKeys = (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i.tagKeys) ? (i.tagKeys as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});

const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
  name,
  { action: `ecr:${name}`, resources, ...(context ? { context } : {}) },
];

/** The ECR `Service.authorization` map. */
export const ecrAuthorization: Record<string, OperationAuthz> = Object.fromEntries([
  a("CreateRepository", repo, tagList),
  a("DescribeRepositories", (i: In, p: Principal) =>
    Array.isArray(i.repositoryNames) && i.repositoryNames.length
      ? (i.repositoryNames as unknown[]).map((n) => repositoryArn({ accountId: str(i.registryId) ?? p.accountId, region: p.region }, String(n)))
      : [repositoryArn({ accountId: str(i.registryId) ?? p.accountId, region: p.region }, "*")],
  ),
  a("DeleteRepository", repo),
  a("PutImageTagMutability", repo),
  a("PutImageScanningConfiguration", repo),
  a("GetAuthorizationToken", star),
  a("DescribeImages", repo),
  a("ListImages", repo),
  a("BatchGetImage", repo),
  a("BatchDeleteImage", repo),
  a("PutImage", repo),
  a("BatchCheckLayerAvailability", repo),
  a("InitiateLayerUpload", repo),
  a("UploadLayerPart", repo),
  a("CompleteLayerUpload", repo),
  a("GetDownloadUrlForLayer", repo),
  a("PutLifecyclePolicy", repo),
  a("GetLifecyclePolicy", repo),
  a("DeleteLifecyclePolicy", repo),
  a("StartLifecyclePolicyPreview", repo),
  a("GetLifecyclePolicyPreview", repo),
  a("SetRepositoryPolicy", repo),
  a("GetRepositoryPolicy", repo),
  a("DeleteRepositoryPolicy", repo),
  a("TagResource", given, tagList),
  a("UntagResource", given, tagKeys),
  a("ListTagsForResource", given),
]);
