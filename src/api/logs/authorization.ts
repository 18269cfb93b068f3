import { arnBase, type Principal } from "../../core/arn.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";

/*
 * How each CloudWatch Logs operation is authorized (Service Authorization Reference, prefix
 * `logs`). Logs authorizes group-level actions against the group's ARN with an empty stream,
 * `arn:aws:logs:R:A:log-group:NAME:log-stream:` (what its AccessDenied messages name, and why
 * policies grant `log-group:NAME:*`), stream-level ones against
 * `…:log-group:NAME:log-stream:STREAM`, and DescribeLogGroups against
 * `…:log-group::log-stream:`. The input is the parsed request before validation.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** `logGroupName`, or `logGroupIdentifier` as a name or ARN (with or without `:*`) → the group name. */
function groupOf(i: In): string {
  const id = str(i.logGroupName) ?? str(i.logGroupIdentifier) ?? "";
  const m = /^arn:[^:]*:logs:[^:]*:[^:]*:log-group:([^:]+)/.exec(id);
  return m ? m[1]! : id;
}
const groupArn = (p: Principal, group: string) => `${arnBase(p, "logs")}:log-group:${group}:log-stream:`;
const group = (i: In, p: Principal) => [groupArn(p, groupOf(i))];
const stream = (i: In, p: Principal) => [`${groupArn(p, groupOf(i))}${str(i.logStreamName) ?? ""}`];
const given = (i: In) => [str(i.resourceArn) ?? "*"];

/** aws:RequestTag/… and aws:TagKeys from a `tags` map. */
const tagMap = (i: In): CallContext => {
  const t = i.tags;
  if (!t || typeof t !== "object" || Array.isArray(t)) return {};
  return { requestTags: Object.fromEntries(Object.entries(t as In).map(([k, v]) => [k, String(v)])) };
};
/** aws:TagKeys from a list of keys (`tagKeys`, or UntagLogGroup's `tags`). */
const tagKeys = (key: string) => (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i[key]) ? (i[key] as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});

const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
  name,
  { action: `logs:${name}`, resources, ...(context ? { context } : {}) },
];

/** The CloudWatch Logs `Service.authorization` map. */
export const logsAuthorization: Record<string, OperationAuthz> = Object.fromEntries([
  a("CreateLogGroup", group, tagMap),
  a("DeleteLogGroup", group),
  a("DescribeLogGroups", (_i: In, p: Principal) => [groupArn(p, "")]),
  a("PutRetentionPolicy", group),
  a("DeleteRetentionPolicy", group),
  a("CreateLogStream", stream),
  a("DeleteLogStream", stream),
  a("DescribeLogStreams", group),
  a("PutLogEvents", stream),
  a("GetLogEvents", stream),
  a("FilterLogEvents", group),
  a("TagResource", given, tagMap),
  a("UntagResource", given, tagKeys("tagKeys")),
  a("ListTagsForResource", given),
  a("TagLogGroup", group, tagMap),
  a("UntagLogGroup", group, tagKeys("tags")),
  a("ListTagsLogGroup", group),
]);
