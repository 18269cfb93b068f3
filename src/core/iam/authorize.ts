/**
 * The authorizer's decision for one API call (pure): every (action, resource) the call needs —
 * its own action on each resource it authorizes against, then further checks such as
 * iam:PassRole — evaluated against the caller's policies in one request context. The first
 * that is not allowed is the answer; the caller's service words it (src/edge/authorize.ts).
 */
import { buildContext, ContextMap, type ContextValue, type RequestFacts, type RequestPrincipal } from "./context.js";
import type { CompiledPolicy } from "./compile.js";
import { type Decision, evaluate, type PolicySet } from "./evaluate.js";

/**
 * The identity policies that can name an action of `service` (the others cannot change the
 * decision: evaluate reads only a policy's statements for the action's service), cached per
 * policy list — a caller's list is built once by its resolver, so with 100 attached policies of
 * which one is about ECS, an ECS call evaluates one. Boundaries and session policies are kept
 * whole: one that says nothing about the service still denies by its silence.
 */
const narrowed = new WeakMap<readonly CompiledPolicy[], Map<string, readonly CompiledPolicy[]>>();
function identityFor(policies: PolicySet, service: string): PolicySet {
  const all = policies.identity;
  if (!all || all.length < 4) return policies;
  let byService = narrowed.get(all);
  if (!byService) narrowed.set(all, (byService = new Map()));
  let some = byService.get(service);
  if (!some) byService.set(service, (some = all.filter((p) => p.forService(service).length > 0)));
  return some.length === all.length ? policies : { ...policies, identity: some };
}

const serviceOf = (action: string): string => {
  const i = action.indexOf(":");
  return (i < 0 ? action : action.slice(0, i)).toLowerCase();
};

export interface AuthzItem {
  readonly action: string;
  readonly resource: string;
  /** Keys of this item only (iam:PassedToService for a PassRole check). */
  readonly keys?: Readonly<Record<string, ContextValue | undefined>>;
  /** The resource-based policies of this item's resource (an ECR repository policy), evaluated with the caller's. */
  readonly resourcePolicies?: readonly CompiledPolicy[];
}

export interface AuthzFailure {
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
}

/**
 * Evaluates each item; undefined when all are allowed. The root (`kind: "Account"`) is allowed
 * without reading a policy. `facts` are the call's request facts (time, source IP, request tags,
 * service keys) shared by every item.
 */
export function authorizeCall(
  principal: RequestPrincipal,
  policies: PolicySet,
  items: readonly AuthzItem[],
  facts: RequestFacts,
): AuthzFailure | undefined {
  if (principal.kind === "Account") return undefined;
  const base = buildContext(principal, facts);
  let shared: ContextMap | undefined;
  for (const item of items) {
    const ctx = item.keys ? new ContextMap({ ...base, ...item.keys }) : (shared ??= new ContextMap(base));
    const own = identityFor(policies, serviceOf(item.action));
    const set = item.resourcePolicies?.length ? { ...own, resource: item.resourcePolicies } : own;
    const decision = evaluate({ principal, action: item.action, resource: item.resource }, set, ctx);
    if (decision.decision !== "Allow") return { action: item.action, resource: item.resource, decision };
  }
  return undefined;
}

/**
 * The decoded form of EC2's "Encoded authorization failure message" (what
 * sts:DecodeAuthorizationMessage returns as DecodedMessage): allowed, explicitDeny, the
 * matched statements, and the request context.
 */
export interface AuthorizationMessage {
  allowed: false;
  explicitDeny: boolean;
  matchedStatements: { items: { statementId?: string; effect: "DENY"; policyId: string; policyType: string }[] };
  failures: { items: never[] };
  context: {
    principal: { id?: string; arn: string };
    action: string;
    resource: string;
    conditions: { items: { key: string; values: { items: { value: string }[] } }[] };
  };
}

const ENCODED_PREFIX = "wharf1.";

/** The opaque encoded message EC2 appends to an UnauthorizedOperation (base64url of the decoded JSON). */
export function encodeAuthorizationMessage(principal: RequestPrincipal, failure: AuthzFailure, facts: RequestFacts): string {
  const ctx = buildContext(principal, facts);
  const d = failure.decision;
  const msg: AuthorizationMessage = {
    allowed: false,
    explicitDeny: d.decision === "ExplicitDeny",
    matchedStatements: {
      items:
        d.decision === "ExplicitDeny" && d.deciding
          ? [{ ...(d.deciding.statementSid ? { statementId: d.deciding.statementSid } : {}), effect: "DENY", policyId: d.deciding.policyId, policyType: d.deciding.policyType }]
          : [],
    },
    failures: { items: [] },
    context: {
      principal: { ...(principal.userId ? { id: principal.userId } : {}), arn: principal.arn },
      action: failure.action,
      resource: failure.resource,
      conditions: {
        items: Object.entries(ctx).map(([key, v]) => ({ key, values: { items: (typeof v === "string" ? [v] : [...v]).map((value) => ({ value })) } })),
      },
    },
  };
  return ENCODED_PREFIX + Buffer.from(JSON.stringify(msg)).toString("base64url");
}

/** sts:DecodeAuthorizationMessage's work: the JSON text of an encoded message, or undefined if it is not one of Wharf's. */
export function decodeAuthorizationMessage(encoded: string): string | undefined {
  if (!encoded.startsWith(ENCODED_PREFIX)) return undefined;
  try {
    const text = Buffer.from(encoded.slice(ENCODED_PREFIX.length), "base64url").toString("utf8");
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}
