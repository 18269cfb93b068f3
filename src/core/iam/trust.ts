/**
 * May this caller assume this role? (IAM User Guide, "Granting a user permissions to switch
 * roles", "How to use an external ID", "Passing session tags in STS".) sts:AssumeRole is
 * evaluated with the role's trust policy as the resource-based policy and the role's ARN as the
 * resource: a trust policy naming the caller (or a service principal such as
 * ecs-tasks.amazonaws.com) is enough within the account; naming the account
 * (`arn:aws:iam::A:root`) lets any principal of that account whose identity policies allow
 * sts:AssumeRole on the role; across accounts both sides must allow. Session tags need
 * sts:TagSession allowed as well. The root user cannot assume a role.
 */
import { ContextMap, type ContextValue, type RequestPrincipal } from "./context.js";
import type { CompiledPolicy } from "./compile.js";
import { evaluate, resourceGrant, type Decision, type PolicySet } from "./evaluate.js";

export interface AssumeRoleCheck {
  readonly caller: RequestPrincipal;
  readonly roleArn: string;
  readonly trustPolicy: CompiledPolicy;
  /** The caller's identity-side policies (identity, boundary, session); none for a service. */
  readonly callerPolicies?: Omit<PolicySet, "resource">;
  /** The caller's request context (aws:SourceIp, aws:CurrentTime, …; see buildContext). */
  readonly context?: Readonly<Record<string, ContextValue | undefined>>;
  readonly externalId?: string;
  readonly sessionTags?: Readonly<Record<string, string>>;
  /** Default sts:AssumeRole (sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML alike). */
  readonly action?: string;
}

export interface AssumeRoleDecision {
  readonly allowed: boolean;
  readonly assume: Decision;
  /** Present when session tags were passed. */
  readonly tagSession?: Decision;
  /** Why the root user was refused (STS: "Roles may not be assumed by root accounts."). */
  readonly rootRefused?: true;
}

export function checkAssumeRole(c: AssumeRoleCheck): AssumeRoleDecision {
  const action = c.action ?? "sts:AssumeRole";
  if (c.caller.kind === "Account") {
    return { allowed: false, assume: { decision: "ImplicitDeny", missing: "resource" }, rootRefused: true };
  }
  const ctx = new ContextMap(c.context);
  if (c.externalId !== undefined) ctx.set("sts:ExternalId", c.externalId);
  if (c.sessionTags && Object.keys(c.sessionTags).length > 0) {
    for (const [k, v] of Object.entries(c.sessionTags)) ctx.set(`aws:RequestTag/${k}`, v);
    ctx.set("aws:TagKeys", Object.keys(c.sessionTags));
  }
  const roleAccount = c.roleArn.split(":")[4];
  const policies: PolicySet = { ...(c.callerPolicies ?? {}), resource: [c.trustPolicy] };
  const req = (a: string) => ({ principal: c.caller, action: a, resource: c.roleArn, ...(roleAccount ? { resourceAccount: roleAccount } : {}) });
  // A role is assumable only if its trust policy itself allows the caller (naming it, its account,
  // or `*`): identity policies alone never suffice (IAM User Guide, "Roles terms and concepts").
  const trusted = (a: string, d: Decision): Decision =>
    d.decision === "Allow" && !resourceGrant([c.trustPolicy], req(a), ctx) ? { decision: "ImplicitDeny", missing: "resource" } : d;
  const assume = trusted(action, evaluate(req(action), policies, ctx));
  if (!c.sessionTags || Object.keys(c.sessionTags).length === 0) return { allowed: assume.decision === "Allow", assume };
  const tagSession = trusted("sts:TagSession", evaluate(req("sts:TagSession"), policies, ctx));
  return { allowed: assume.decision === "Allow" && tagSession.decision === "Allow", assume, tagSession };
}
