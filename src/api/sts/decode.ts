import { type AuthorizationMessage, decodeAuthorizationMessage as decode } from "../../core/iam/index.js";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import type { IamDeps } from "../iam/deps.js";

/**
 * sts:DecodeAuthorizationMessage: the JSON behind an "Encoded authorization failure message" of
 * an EC2 UnauthorizedOperation (core/iam/authorize.ts encodes it). The edge has already checked
 * that the caller may call it (the action on `*`; the root always may). A message that is not
 * Wharf's, or names a principal of another account, is refused as STS refuses an invalid one.
 */
export async function decodeAuthorizationMessage(deps: IamDeps, input: { EncodedMessage: string }, _ctx: RequestContext) {
  const text = decode(input.EncodedMessage.trim());
  const account = text ? /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec((JSON.parse(text) as AuthorizationMessage).context.principal.arn)?.[1] : undefined;
  if (!text || account !== deps.dir.accountId) {
    throw new AwsError("InvalidAuthorizationMessageException", "The encoded message is not valid.");
  }
  return { DecodedMessage: text };
}
