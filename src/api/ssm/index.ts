import { AwsError } from "../../core/errors.js";
import { parameterArn } from "../../core/ssm/parameters.js";
import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import { ssmAuthorization } from "./authorization.js";
import { getParameterDoc, type SsmDeps } from "./deps.js";
import * as history from "./history.js";
import * as listing from "./listing.js";
import { ssmModel } from "./model.generated.js";
import * as parameters from "./parameters.js";
import * as tags from "./tags.js";

export type { SsmDeps } from "./deps.js";

export const SSM_TARGET_PREFIX = "AmazonSSM";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SsmOperation = (deps: SsmDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Parameter Store's operations: one function per operation. The rest of Systems Manager is not built. */
export const ssmOperations: Record<string, SsmOperation> = {
  PutParameter: parameters.putParameter,
  GetParameter: parameters.getParameter,
  GetParameters: parameters.getParameters,
  DeleteParameter: parameters.deleteParameter,
  DeleteParameters: parameters.deleteParameters,
  GetParametersByPath: listing.getParametersByPath,
  DescribeParameters: listing.describeParameters,
  GetParameterHistory: history.getParameterHistory,
  LabelParameterVersion: history.labelParameterVersion,
  UnlabelParameterVersion: history.unlabelParameterVersion,
  AddTagsToResource: tags.addTagsToResource,
  RemoveTagsFromResource: tags.removeTagsFromResource,
  ListTagsForResource: tags.listTagsForResource,
};

/** SSM answers model violations as ValidationException, in the same words ("1 validation error detected: …"). */
function validate(name: string, input: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateInput(ssmModel, name, input);
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterException") throw new AwsError("ValidationException", e.message);
    throw e;
  }
}

/** The SSM JSON 1.1 service (`AmazonSSM`, signing name `ssm`): Parameter Store; every other operation of the model answers that it is not built. */
export function ssmService(deps: SsmDeps): JsonService {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(ssmModel.operations)) {
    const impl = ssmOperations[name];
    operations[name] = impl
      ? (input, ctx) => impl(deps, validate(name, input), ctx)
      : () => {
          throw notImplemented("Systems Manager", name);
        };
  }
  return {
    targetPrefix: SSM_TARGET_PREFIX,
    signingName: "ssm",
    operations,
    authorization: ssmAuthorization,
    resourceTags: async (arn) => {
      const m = /^arn:[^:]+:ssm:([^:]+):(\d{12}):parameter\/(.+)$/.exec(arn);
      if (!m) return undefined;
      const name = m[3]!.includes("/") ? `/${m[3]}` : m[3]!;
      const doc = (await getParameterDoc(deps, m[2]!, m[1]!, name)) ?? (await getParameterDoc(deps, m[2]!, m[1]!, `/${m[3]}`));
      return doc?.tags.length && parameterArn(doc.accountId, doc.region, doc.name) === arn ? Object.fromEntries(doc.tags.map((t) => [t.Key, t.Value])) : undefined;
    },
  };
}
