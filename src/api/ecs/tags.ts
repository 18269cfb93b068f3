import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-ecs";
import { isOwn, parseArn } from "../../core/arn.js";
import { AwsError, clusterNotFound, invalidParameter } from "../../core/errors.js";
import { mergeTags, validateTags } from "../../core/tags.js";
import type { RequestContext } from "../../edge/service.js";
import type { Kind } from "../../store/store.js";
import type { EcsDeps } from "./deps.js";
import { putTagsOp, readTags } from "../../records/tag-store.js";

/**
 * TagResource / UntagResource / ListTagsForResource for every taggable ECS resource.
 * Tags live in the shared tag store keyed by ARN; these operations only check that the ARN
 * names a resource that exists (in this account and Region) before touching them.
 */

/** ARN resource types ECS can tag, and the store kind their records live under (id = ARN). */
const TAGGABLE: Record<string, Kind> = {
  cluster: "cluster",
  "task-definition": "taskdef",
  task: "task",
  "container-instance": "container-instance",
  service: "service",
  "capacity-provider": "capacity-provider",
};

/** Resource types whose long ARN carries the cluster name (`service/CLUSTER/NAME`). */
const CLUSTER_SCOPED = new Set(["service", "task", "container-instance"]);

const invalidArn = (arn: string) => invalidParameter(`The ARN provided is invalid: '${arn}'.`);
const resourceNotFound = (arn: string) =>
  new AwsError("ResourceNotFoundException", `The specified resource could not be found: '${arn}'.`);

/**
 * Resolves `resourceArn` to an existing resource or throws what ECS throws: a malformed or
 * foreign ARN → InvalidParameterException; a short (old-format) service ARN → "Long arn format
 * must be used for tagging operations"; a missing cluster → ClusterNotFoundException and an
 * INACTIVE one → "The specified cluster is inactive"; any other missing resource →
 * ResourceNotFoundException.
 */
export async function requireTaggable(deps: EcsDeps, arn: string, ctx: RequestContext): Promise<string> {
  const parsed = parseArn(arn);
  if (!parsed) throw invalidArn(arn);
  const kind = TAGGABLE[parsed.resourceType];
  if (!kind) throw invalidParameter(`The resource type '${parsed.resourceType}' does not support tagging.`);
  if (!isOwn(ctx.principal, parsed)) {
    throw invalidParameter(`The ARN '${arn}' does not belong to this account and Region.`);
  }
  if (!arn.includes(`:${parsed.resourceType}/`)) throw invalidArn(arn);
  if (CLUSTER_SCOPED.has(parsed.resourceType) && !parsed.resource.includes("/")) {
    throw invalidParameter("Long arn format must be used for tagging operations");
  }
  if (parsed.resourceType === "task-definition" && !/^[^:/]+:\d+$/.test(parsed.resource)) throw invalidArn(arn);

  const record = (await deps.store.get<{ status?: string }>(kind, arn))?.value;
  if (kind === "cluster") {
    if (!record) throw clusterNotFound();
    if (record.status === "INACTIVE") {
      throw invalidParameter("The specified cluster is inactive. Specify an active cluster and try again.");
    }
    return arn;
  }
  if (!record) throw resourceNotFound(arn);
  return arn;
}

export async function tagResource(deps: EcsDeps, input: TagResourceRequest, ctx: RequestContext) {
  const arn = await requireTaggable(deps, input.resourceArn!, ctx);
  const added = validateTags(input.tags);
  if (added.length === 0) throw invalidParameter("Tags can not be empty.");
  return deps.lock(arn, async () => {
    await requireTaggable(deps, arn, ctx);
    const merged = mergeTags(await readTags(deps.store, arn), added);
    await deps.store.write([putTagsOp(arn, merged)]);
    return {};
  });
}

export async function untagResource(deps: EcsDeps, input: UntagResourceRequest, ctx: RequestContext) {
  const arn = await requireTaggable(deps, input.resourceArn!, ctx);
  const keys = new Set(input.tagKeys ?? []);
  for (const k of keys) {
    if (k.length < 1 || k.length > 128) throw invalidParameter("Tag keys must be between 1 and 128 characters.");
    if (k.toLowerCase().startsWith("aws:")) {
      throw invalidParameter(`Tag keys beginning with 'aws:' are reserved for AWS use: '${k}'.`);
    }
  }
  return deps.lock(arn, async () => {
    await requireTaggable(deps, arn, ctx);
    const kept = (await readTags(deps.store, arn)).filter((t) => !keys.has(t.key ?? ""));
    await deps.store.write([putTagsOp(arn, kept)]);
    return {};
  });
}

export async function listTagsForResource(deps: EcsDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  const arn = await requireTaggable(deps, input.resourceArn!, ctx);
  return { tags: await readTags(deps.store, arn) };
}
