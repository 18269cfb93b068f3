import type { Principal } from "../../core/arn.js";
import { nameFromArn, parameterArn, parseSelector } from "../../core/ssm/parameters.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";

/*
 * How each Parameter Store operation is authorized (Service Authorization Reference, prefix `ssm`):
 * the parameter's ARN (`arn:aws:ssm:R:A:parameter/NAME`, the name's leading slash dropped; a
 * `:version` or `:label` selector is not part of it), GetParametersByPath on the path's ARN,
 * DescribeParameters on `*`. The input is the parsed request before validation.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const arnOf = (given: string, p: Principal) => parameterArn(p.accountId, p.region, nameFromArn(parseSelector(given).name, p.accountId, p.region));

const one = (i: In, p: Principal) => [arnOf(str(i.Name), p)];
const many = (i: In, p: Principal) => (Array.isArray(i.Names) && i.Names.length ? (i.Names as unknown[]).map((n) => arnOf(str(n), p)) : ["*"]);
const path = (i: In, p: Principal) => [parameterArn(p.accountId, p.region, str(i.Path).replace(/\/$/, "") || "/")];
const resource = (i: In, p: Principal) => (i.ResourceType === "Parameter" ? [arnOf(str(i.ResourceId), p)] : ["*"]);
const star = () => ["*"];

const tagList = (i: In): CallContext => {
  if (!Array.isArray(i.Tags)) return {};
  const tags: Record<string, string> = {};
  for (const t of i.Tags as { Key?: unknown; Value?: unknown }[]) if (t && typeof t.Key === "string") tags[t.Key] = String(t.Value ?? "");
  return { requestTags: tags };
};
const tagKeys = (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i.TagKeys) ? (i.TagKeys as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});

const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
  name,
  { action: `ssm:${name}`, resources, ...(context ? { context } : {}) },
];

/** The SSM `Service.authorization` map. */
export const ssmAuthorization: Record<string, OperationAuthz> = Object.fromEntries([
  a("PutParameter", one, tagList),
  a("GetParameter", one),
  a("GetParameters", many),
  a("GetParametersByPath", path),
  a("DescribeParameters", star),
  a("GetParameterHistory", one),
  a("LabelParameterVersion", one),
  a("UnlabelParameterVersion", one),
  a("DeleteParameter", one),
  a("DeleteParameters", many),
  a("AddTagsToResource", resource, tagList),
  a("RemoveTagsFromResource", resource, tagKeys),
  a("ListTagsForResource", resource),
]);
