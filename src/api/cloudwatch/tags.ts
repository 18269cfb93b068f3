import type { Principal } from "../../core/arn.js";
import type { RequestContext } from "../../edge/service.js";
import type { AlarmDoc } from "./alarm-book.js";
import { type CloudWatchDeps, invalidValue, tagResourceNotFound } from "./common.js";

/** The alarm an ARN names (`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`), in the caller's account and Region. */
export function alarmByArn(deps: CloudWatchDeps, arn: string, p: Principal): AlarmDoc {
  const m = /^arn:[^:]+:cloudwatch:([^:]*):(\d{12}):(alarm|insight-rule|metric-stream|dashboard):(.+)$/.exec(arn);
  if (!m) throw invalidValue(`The value ${arn} for parameter ResourceARN is invalid.`);
  const doc = m[3] === "alarm" && m[1] === p.region && m[2] === p.accountId ? deps.alarms.get(p.accountId, p.region, m[4]!) : undefined;
  if (!doc) throw tagResourceNotFound(`${m[3] === "alarm" ? "Alarm" : "Resource"} ${m[4]} does not exist.`);
  return doc;
}

export async function tagResource(deps: CloudWatchDeps, input: { ResourceARN: string; Tags: { Key: string; Value: string }[] }, ctx: RequestContext): Promise<Record<string, never>> {
  const doc = alarmByArn(deps, input.ResourceARN, ctx.principal);
  const tags = { ...doc.tags, ...Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) };
  if (Object.keys(tags).length > 50) throw invalidValue("A resource can have at most 50 tags.");
  await deps.alarms.save({ ...doc, tags });
  return {};
}

export async function untagResource(deps: CloudWatchDeps, input: { ResourceARN: string; TagKeys: string[] }, ctx: RequestContext): Promise<Record<string, never>> {
  const doc = alarmByArn(deps, input.ResourceARN, ctx.principal);
  const tags = { ...doc.tags };
  for (const k of input.TagKeys) delete tags[k];
  await deps.alarms.save({ ...doc, tags });
  return {};
}

export async function listTagsForResource(deps: CloudWatchDeps, input: { ResourceARN: string }, ctx: RequestContext): Promise<unknown> {
  const doc = alarmByArn(deps, input.ResourceARN, ctx.principal);
  return { Tags: Object.entries(doc.tags).map(([Key, Value]) => ({ Key, Value })) };
}
