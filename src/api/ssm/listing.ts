import type { DescribeParametersRequest, GetParametersByPathRequest, ParameterMetadata } from "@aws-sdk/client-ssm";
import { AwsError } from "../../core/errors.js";
import { decodeToken, page } from "../../core/pagination.js";
import { BY_PATH_KEYS, checkFilters, DESCRIBE_KEYS, legacyFilters, passes, type StringFilter } from "../../core/ssm/filters.js";
import { checkPath, latest, type ParameterDoc, parameterArn, underPath } from "../../core/ssm/parameters.js";
import type { RequestContext } from "../../edge/service.js";
import { listParameterDocs, type SsmDeps } from "./deps.js";
import { renderParameter } from "./parameters.js";

/** GetParametersByPath and DescribeParameters: the parameters of the caller's account and Region, filtered, by name, paged. */

const invalidToken = () => new AwsError("InvalidNextToken", "The specified token isn't valid.");

function after(token: string | undefined): string | undefined {
  try {
    return decodeToken(token);
  } catch {
    throw invalidToken();
  }
}

function cut(docs: ParameterDoc[], token: string | undefined, size: number) {
  const from = after(token);
  const rest = docs.filter((d) => from === undefined || d.name > from).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return page(rest, size, (d) => d.name);
}

export async function getParametersByPath(deps: SsmDeps, input: GetParametersByPathRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const path = input.Path!;
  checkPath(path);
  const filters = (input.ParameterFilters ?? []) as StringFilter[];
  checkFilters(filters, BY_PATH_KEYS);
  const recursive = input.Recursive ?? false;
  const labels = filters.filter((f) => f.Key === "Label").flatMap((f) => f.Values ?? []);
  const docs = (await listParameterDocs(deps, p.accountId, p.region)).filter((d) => underPath(d.name, path, recursive) && passes(d, filters));
  const { items, nextToken } = cut(docs, input.NextToken, input.MaxResults ?? 10);
  return {
    Parameters: items.map((d) => {
      // A Label filter answers the version carrying the label.
      const v = labels.length ? [...d.versions].reverse().find((x) => x.labels.some((l) => labels.includes(l)))! : latest(d);
      return renderParameter(deps, d, v, input.WithDecryption ?? false);
    }),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export function renderMetadata(d: ParameterDoc): ParameterMetadata {
  const v = latest(d);
  return {
    Name: d.name,
    ARN: parameterArn(d.accountId, d.region, d.name),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: v.lastModifiedDate as unknown as Date,
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

export async function describeParameters(deps: SsmDeps, input: DescribeParametersRequest, ctx: RequestContext) {
  const p = ctx.principal;
  if (input.Filters?.length && input.ParameterFilters?.length) {
    throw new AwsError("ValidationException", "You can use either Filters or ParameterFilters in a single request.");
  }
  if (input.Shared) throw new AwsError("UnsupportedFeatureException", "Shared parameters (AWS RAM) are not supported by Wharf: there is one account.");
  const filters = input.Filters?.length ? legacyFilters(input.Filters) : ((input.ParameterFilters ?? []) as StringFilter[]);
  checkFilters(filters, DESCRIBE_KEYS);
  const docs = (await listParameterDocs(deps, p.accountId, p.region)).filter((d) => passes(d, filters));
  const { items, nextToken } = cut(docs, input.NextToken, input.MaxResults ?? 10);
  return { Parameters: items.map(renderMetadata), ...(nextToken ? { NextToken: nextToken } : {}) };
}
