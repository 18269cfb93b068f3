/**
 * IAM's policy evaluation logic for one request (IAM User Guide, "Policy evaluation logic",
 * "How AWS enforcement code logic evaluates requests", "Policy evaluation for requests within a
 * single account", "Cross-account policy evaluation logic"), for an account without SCPs/RCPs:
 *
 * 1. An explicit Deny in any applicable policy — identity-based, resource-based, the permissions
 *    boundary, a session policy — is the decision.
 * 2. The account's root user is allowed (no identity policies, boundary or session apply to it).
 * 3. Same account: a resource-based policy whose Allow names the caller itself (user ARN, role
 *    session ARN, service) allows, whatever the other policies say. Otherwise an Allow is needed
 *    from the identity-based policies or from a resource-based policy naming the caller's role
 *    or `*` (a resource policy naming the account only delegates to identity policies); then,
 *    when present, the permissions boundary and a session policy must each allow too:
 *    effective = (identity ∪ resource) ∩ boundary ∩ session.
 * 4. Cross-account (resourceAccount ≠ the caller's): both the caller's side (identity ∩ boundary
 *    ∩ session) and the resource-based policy (any way of naming the caller) must allow.
 *
 * Order of policies and statements never changes the decision; it only picks which matching
 * statement is reported as deciding (the first in identity, resource, boundary, session order).
 */
import { ContextMap, type AuthzRequest } from "./context.js";
import type { CompiledPolicy, CompiledStatement } from "./compile.js";
import { matchPrincipal, type PrincipalMatch } from "./principal.js";

export interface PolicySet {
  /** User or role inline policies, attached managed policies, and the user's groups' policies. */
  readonly identity?: readonly CompiledPolicy[];
  /** Resource-based policies of the resource (a role's trust policy for sts:AssumeRole). */
  readonly resource?: readonly CompiledPolicy[];
  /** The principal's permissions boundary, if it has one. */
  readonly boundary?: CompiledPolicy;
  /** Session policies (AssumeRole's Policy and PolicyArns); absent or empty = none. */
  readonly session?: readonly CompiledPolicy[];
}

export type PolicyType = "identity" | "resource" | "boundary" | "session";
export type DecisionKind = "Allow" | "ExplicitDeny" | "ImplicitDeny";

export interface DecidingStatement {
  readonly policyType: PolicyType;
  readonly policyId: string;
  readonly statementIndex: number;
  readonly statementSid?: string;
}

export interface Decision {
  readonly decision: DecisionKind;
  /** The statement that denied explicitly, or the Allow the decision rests on. */
  readonly deciding?: DecidingStatement;
  /** For ImplicitDeny: which kind of policy had no Allow. */
  readonly missing?: PolicyType;
}

/** Does the statement cover the request (action, resource, condition)? Its effect and principal aside. */
export function applies(st: CompiledStatement, req: AuthzRequest, ctx: ContextMap): boolean {
  return st.action(req.action) && st.resource(req.resource, ctx) && (st.condition === undefined || st.condition(ctx));
}

/** How a resource-policy statement names the caller (NotPrincipal: everyone not listed). */
function principalOf(st: CompiledStatement, req: AuthzRequest): PrincipalMatch | undefined {
  if (st.principal) return matchPrincipal(st.principal, req.principal);
  if (st.notPrincipal) return matchPrincipal(st.notPrincipal, req.principal) ? undefined : "everyone";
  return undefined;
}

const decided = (policyType: PolicyType, p: CompiledPolicy, st: CompiledStatement): DecidingStatement => ({
  policyType,
  policyId: p.id,
  statementIndex: st.index,
  ...(st.sid !== undefined ? { statementSid: st.sid } : {}),
});

function findIn(
  type: PolicyType,
  policies: readonly CompiledPolicy[],
  effect: "Allow" | "Deny",
  req: AuthzRequest,
  ctx: ContextMap,
): DecidingStatement | undefined {
  for (const p of policies) {
    if (effect === "Deny" && !p.hasDeny) continue;
    for (const st of p.forService(serviceOf(req.action))) if (st.effect === effect && applies(st, req, ctx)) return decided(type, p, st);
  }
  return undefined;
}

const serviceOf = (action: string): string => {
  const i = action.indexOf(":");
  return (i < 0 ? action : action.slice(0, i)).toLowerCase();
};

const RANK: Record<PrincipalMatch, number> = { exact: 4, role: 3, everyone: 2, account: 1 };

/** The strongest resource-policy Allow for the caller. */
/** The best-matching Allow of the resource policies naming the caller (any way), if one applies. */
export function resourceGrant(
  policies: readonly CompiledPolicy[],
  req: AuthzRequest,
  ctx: ContextMap,
): { match: PrincipalMatch; at: DecidingStatement } | undefined {
  let best: { match: PrincipalMatch; at: DecidingStatement } | undefined;
  for (const p of policies) {
    for (const st of p.forService(serviceOf(req.action))) {
      if (st.effect !== "Allow") continue;
      const m = principalOf(st, req);
      if (!m || (best && RANK[m] <= RANK[best.match])) continue;
      if (applies(st, req, ctx)) best = { match: m, at: decided("resource", p, st) };
    }
  }
  return best;
}

/** Evaluates one request against its policies. Pure: the context carries the time. */
export function evaluate(req: AuthzRequest, policies: PolicySet, context?: ContextMap): Decision {
  const ctx = context ?? new ContextMap(req.context);
  const p = req.principal;
  const isRoot = p.kind === "Account";
  const identity = isRoot ? [] : (policies.identity ?? []);
  const resource = policies.resource ?? [];
  const boundary = isRoot || !policies.boundary ? [] : [policies.boundary];
  const session = isRoot ? [] : (policies.session ?? []);

  // 1. Explicit deny anywhere.
  const deny =
    findIn("identity", identity, "Deny", req, ctx) ??
    findResourceDeny(resource, req, ctx) ??
    findIn("boundary", boundary, "Deny", req, ctx) ??
    findIn("session", session, "Deny", req, ctx);
  if (deny) return { decision: "ExplicitDeny", deciding: deny };

  const crossAccount = req.resourceAccount !== undefined && p.account !== undefined && req.resourceAccount !== p.account;
  const grant = resourceGrant(resource, req, ctx);

  // 2. The root user of the resource's account.
  if (isRoot && !crossAccount) return { decision: "Allow" };

  if (!crossAccount) {
    // 3. A resource policy naming the caller itself is enough.
    if (grant?.match === "exact") return { decision: "Allow", deciding: grant.at };
    const base =
      findIn("identity", identity, "Allow", req, ctx) ?? (grant && grant.match !== "account" ? grant.at : undefined);
    if (!base) return { decision: "ImplicitDeny", missing: "identity" };
    if (boundary.length > 0 && !findIn("boundary", boundary, "Allow", req, ctx)) return { decision: "ImplicitDeny", missing: "boundary" };
    if (session.length > 0 && !findIn("session", session, "Allow", req, ctx)) return { decision: "ImplicitDeny", missing: "session" };
    return { decision: "Allow", deciding: base };
  }

  // 4. Cross-account: both sides.
  const mine = isRoot ? ({ policyType: "identity", policyId: "root", statementIndex: -1 } as const) : findIn("identity", identity, "Allow", req, ctx);
  if (!mine) return { decision: "ImplicitDeny", missing: "identity" };
  if (boundary.length > 0 && !findIn("boundary", boundary, "Allow", req, ctx)) return { decision: "ImplicitDeny", missing: "boundary" };
  if (session.length > 0 && !findIn("session", session, "Allow", req, ctx)) return { decision: "ImplicitDeny", missing: "session" };
  if (!grant) return { decision: "ImplicitDeny", missing: "resource" };
  return { decision: "Allow", deciding: grant.at };
}

function findResourceDeny(policies: readonly CompiledPolicy[], req: AuthzRequest, ctx: ContextMap): DecidingStatement | undefined {
  for (const p of policies) {
    if (!p.hasDeny) continue;
    for (const st of p.forService(serviceOf(req.action))) {
      if (st.effect === "Deny" && principalOf(st, req) && applies(st, req, ctx)) return decided("resource", p, st);
    }
  }
  return undefined;
}

const POLICY_WORDS: Record<PolicyType, string> = {
  identity: "identity-based policy",
  resource: "resource-based policy",
  boundary: "permissions boundary",
  session: "session policy",
};

/**
 * The reason AWS appends to an AccessDenied message for this decision (e.g. "because no
 * identity-based policy allows the ecs:CreateCluster action", "with an explicit deny in an
 * identity-based policy"); each service wraps it in its own error code and sentence.
 */
export function denialReason(action: string, d: Decision): string {
  if (d.decision === "ExplicitDeny") return `with an explicit deny in a${d.deciding!.policyType === "identity" ? "n" : ""} ${POLICY_WORDS[d.deciding!.policyType]}`;
  return `because no ${POLICY_WORDS[d.missing ?? "identity"]} allows the ${action} action`;
}
