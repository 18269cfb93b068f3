import { partitionOf } from "../../core/arn.js";
import type {
  ListTagsForResourceRequest,
  ListTagsLogGroupRequest,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-cloudwatch-logs";
import { AwsError, invalidParameter } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { groupNotFound, type LogsDeps, requireGroup, resourceNotFound } from "./common.js";
import type { LogGroupRow } from "./log-store.js";

/**
 * Log group tags: TagResource / UntagResource / ListTagsForResource by ARN, and the older
 * TagLogGroup / UntagLogGroup / ListTagsLogGroup by name. Tags are a map stored on the group.
 */

const MAX_TAGS = 50;
const tooManyTags = () => new AwsError("TooManyTagsException", `A resource can have no more than ${MAX_TAGS} tags.`);

/**
 * CloudWatch's tag rules beyond its model: `aws:` keys are reserved. (At most 50 tags per call,
 * keys of 1–128 and values of up to 256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]` are the
 * model's, checked by the edge.)
 */
export function checkTags(tags: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(tags)) {
    if (k.toLowerCase().startsWith("aws:")) throw invalidParameter(`Tag keys beginning with 'aws:' are reserved: '${k}'.`);
  }
  return { ...tags };
}

/** The log group a taggable ARN names; only log groups are taggable here (destinations are not served). */
function groupByArn(deps: LogsDeps, arn: string, ctx: RequestContext): LogGroupRow {
  const m = /^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):([a-z-]+):(.+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid resource ARN: ${arn}`);
  const [, partition, region, account, type, rest] = m as unknown as [string, string, string, string, string, string];
  if (type !== "log-group") throw invalidParameter(`Resource type '${type}' is not supported for tagging by Wharf.`);
  if (partition !== partitionOf(ctx.principal.region) || region !== ctx.principal.region || account !== ctx.principal.accountId) {
    throw resourceNotFound(`The specified resource does not exist: ${arn}`);
  }
  const name = rest.endsWith(":*") ? rest.slice(0, -2) : rest;
  const group = deps.logs.getGroup(ctx.principal.region, name);
  if (!group) throw resourceNotFound(`The specified resource does not exist: ${arn}`);
  return group;
}

function addTags(deps: LogsDeps, group: LogGroupRow, tags: Record<string, string>): void {
  const merged = { ...group.tags, ...checkTags(tags) };
  if (Object.keys(merged).length > MAX_TAGS) throw tooManyTags();
  deps.logs.setTags(group.gid, merged);
}

function removeTags(deps: LogsDeps, group: LogGroupRow, keys: string[]): void {
  const kept = { ...group.tags };
  for (const k of keys) delete kept[k];
  deps.logs.setTags(group.gid, kept);
}

export async function tagResource(deps: LogsDeps, input: TagResourceRequest, ctx: RequestContext) {
  addTags(deps, groupByArn(deps, input.resourceArn!, ctx), input.tags ?? {});
  return {};
}

export async function untagResource(deps: LogsDeps, input: UntagResourceRequest, ctx: RequestContext) {
  removeTags(deps, groupByArn(deps, input.resourceArn!, ctx), input.tagKeys ?? []);
  return {};
}

export async function listTagsForResource(deps: LogsDeps, input: ListTagsForResourceRequest, ctx: RequestContext) {
  return { tags: groupByArn(deps, input.resourceArn!, ctx).tags };
}

export async function tagLogGroup(deps: LogsDeps, input: TagLogGroupRequest, ctx: RequestContext) {
  addTags(deps, requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal), input.tags ?? {});
  return {};
}

export async function untagLogGroup(deps: LogsDeps, input: UntagLogGroupRequest, ctx: RequestContext) {
  removeTags(deps, requireGroup(deps, { logGroupName: input.logGroupName }, ctx.principal), input.tags ?? []);
  return {};
}

export async function listTagsLogGroup(deps: LogsDeps, input: ListTagsLogGroupRequest, ctx: RequestContext) {
  const group = deps.logs.getGroup(ctx.principal.region, input.logGroupName!);
  if (!group) throw groupNotFound();
  return { tags: group.tags };
}
