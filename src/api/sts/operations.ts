import type { PolicySet, RequestPrincipal } from "../../core/iam/index.js";
import type { RequestContext } from "../../edge/service.js";
import type { IamDeps } from "../iam/deps.js";
import { nameId } from "../iam/directory.js";
import { tagsIn } from "../iam/deps.js";
import { accessDenied } from "./errors.js";
import { assumeRole as assume, issueSession } from "./sessions.js";

/** The signing caller (Wharf's own calls, without one, are the root). */
function callerOf(deps: IamDeps, ctx: RequestContext): { principal: RequestPrincipal; policies: PolicySet; sessionToken?: string } {
  const account = deps.dir.accountId;
  return ctx.caller ?? { principal: { kind: "Account" as const, arn: `arn:aws:iam::${account}:root`, account, userId: account }, policies: {} };
}

/** GetCallerIdentity: the root (`arn:aws:iam::A:root`, UserId = the account), a user (AIDA…), a role session (`AROA…:session`, the assumed-role ARN). */
export async function getCallerIdentity(deps: IamDeps, _input: unknown, ctx: RequestContext) {
  const p = callerOf(deps, ctx).principal;
  return { UserId: p.userId ?? deps.dir.accountId, Account: p.account ?? deps.dir.accountId, Arn: p.arn };
}

interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  ExternalId?: string;
  Policy?: string;
  PolicyArns?: { arn?: string }[];
  Tags?: { Key: string; Value: string }[];
  TransitiveTagKeys?: string[];
  SourceIdentity?: string;
}

export async function assumeRole(deps: IamDeps, input: AssumeRoleInput, ctx: RequestContext) {
  const caller = callerOf(deps, ctx);
  const session = ctx.caller?.sessionToken ? deps.dir.get("sts-session", ctx.accessKeyId) : undefined;
  return assume(deps.dir, {
    caller,
    ...(session ? { callerSession: session } : {}),
    roleArn: input.RoleArn,
    sessionName: input.RoleSessionName,
    ...(input.DurationSeconds !== undefined ? { durationSeconds: input.DurationSeconds } : {}),
    ...(input.ExternalId !== undefined ? { externalId: input.ExternalId } : {}),
    ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
    ...(input.PolicyArns?.length ? { policyArns: input.PolicyArns.map((p) => p.arn ?? "") } : {}),
    ...(input.Tags?.length ? { tags: tagsIn(input.Tags) } : {}),
    ...(input.TransitiveTagKeys?.length ? { transitiveTagKeys: input.TransitiveTagKeys } : {}),
    ...(input.SourceIdentity !== undefined ? { sourceIdentity: input.SourceIdentity } : {}),
  });
}

/** Root sessions are limited to an hour (a longer request gets an hour); users' default to 12 hours. */
export const ROOT_SESSION_MAX = 3600;

export async function getSessionToken(deps: IamDeps, input: { DurationSeconds?: number }, ctx: RequestContext) {
  const caller = callerOf(deps, ctx);
  if (caller.sessionToken !== undefined || caller.principal.kind === "AssumedRole") throw accessDenied("Cannot call GetSessionToken with session credentials");
  const p = caller.principal;
  if (p.kind === "Account") {
    const duration = Math.min(input.DurationSeconds ?? ROOT_SESSION_MAX, ROOT_SESSION_MAX);
    return { Credentials: await issueSession(deps.dir, duration, { kind: "Account" }) };
  }
  const userName = deps.dir.all("iam-user").find((u) => u.arn === p.arn)?.name;
  if (!userName || !deps.dir.get("iam-user", nameId(userName))) throw accessDenied("Cannot call GetSessionToken: the user no longer exists");
  return { Credentials: await issueSession(deps.dir, input.DurationSeconds ?? 43_200, { kind: "User", userName }) };
}
