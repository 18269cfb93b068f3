import { AwsError } from "../../core/errors.js";
import type { QueryService } from "../../edge/service.js";
import type { IamDeps } from "../iam/deps.js";
import { authorizationOf, type OperationSpec } from "../operation-spec.js";
import { queryOperations } from "../query-operations.js";
import { stsModel } from "./model.generated.js";
import { decodeAuthorizationMessage } from "./decode.js";
import * as ops from "./operations.js";

type Spec = OperationSpec<IamDeps>;

/**
 * STS operations Wharf serves, each with its IAM action. DecodeAuthorizationMessage is evaluated
 * on `*`; the others name no resource for the edge to evaluate (`resources: () => []`): GetCallerIdentity and GetSessionToken need no permission on
 * AWS, and AssumeRole authorizes itself (the role's trust policy as its resource policy together
 * with the caller's policies, `checkAssumeRole`) — an identity-only check at the edge would refuse
 * a user the trust policy names directly.
 */
export const stsOperations: Record<string, Spec> = {
  GetCallerIdentity: { run: ops.getCallerIdentity, action: "sts:GetCallerIdentity", resources: () => [] },
  AssumeRole: { run: ops.assumeRole, action: "sts:AssumeRole", resources: () => [] },
  GetSessionToken: { run: ops.getSessionToken, action: "sts:GetSessionToken", resources: () => [] },
  // Needs the permission (IAM users and roles do not have it by default).
  DecodeAuthorizationMessage: { run: decodeAuthorizationMessage, action: "sts:DecodeAuthorizationMessage", resources: () => ["*"] },
};

/** The STS service (Query protocol, signing name `sts`). */
export function stsService(deps: IamDeps): QueryService {
  const operations = queryOperations(stsModel, stsOperations, deps, (name) => new AwsError("NotImplemented", `Wharf's STS does not implement ${name}.`, 501));
  return { protocol: "query", signingName: "sts", model: stsModel, operations, authorization: authorizationOf(stsOperations) };
}
