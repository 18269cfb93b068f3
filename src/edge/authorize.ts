import type { Principal } from "../core/arn.js";
import { AwsError } from "../core/errors.js";
import {
  type AuthzFailure,
  type AuthzItem,
  authorizeCall,
  denialReason,
  encodeAuthorizationMessage,
  type RequestFacts,
} from "../core/iam/index.js";
import { type Caller, isRoot, type RoleDirectory } from "./identity.js";
import type { OperationAuthz, Service } from "./service.js";

/** What the edge knows of one signed call when it authorizes it. */
export interface CallToAuthorize {
  caller: Caller;
  service: Service;
  operation: string;
  /** The parsed input (before the operation's own validation). */
  input: Record<string, unknown>;
  principal: Principal;
  /** The request's X-Amz-Security-Token, if any. */
  sessionToken?: string;
  sourceIp?: string;
  now: number;
  /** IAM's roles, when served: RunTask's roles must exist and trust ecs-tasks. */
  roles?: RoleDirectory;
}

const invalidToken = () => new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
const expiredToken = () => new AwsError("ExpiredTokenException", "The security token included in the request is expired", 400);

/**
 * Temporary credentials must carry their session token and be unexpired; long-term keys must
 * carry none. Errors in ECS's words; the Query protocols translate them (InvalidClientTokenId /
 * ExpiredToken, EC2's AuthFailure / RequestExpired).
 */
export function checkSessionToken(caller: Caller, given: string | undefined, now: number): void {
  if ((caller.sessionToken ?? undefined) !== given) throw invalidToken();
  if (caller.expiresAt !== undefined && now >= caller.expiresAt) throw expiredToken();
}

const readsResourceTags = (c: Caller): boolean =>
  (c.policies.identity ?? []).some((p) => p.readsResourceTags) || !!c.policies.boundary?.readsResourceTags || (c.policies.session ?? []).some((p) => p.readsResourceTags);

/** aws:ResourceTag/K and SERVICE:ResourceTag/K (ECS's `ecs:ResourceTag/…`) for each stored tag. */
function resourceTagKeys(service: string, tags: Readonly<Record<string, string>>): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    keys[`aws:ResourceTag/${k}`] = v;
    keys[`${service}:ResourceTag/${k}`] = v;
  }
  return keys;
}

/** An operation without a declared spec: `SIGNINGNAME:Operation` on `*`. */
const fallback = (service: Service, operation: string): OperationAuthz => ({ action: `${service.signingName}:${operation}`, resources: () => ["*"] });

/**
 * The authorizer: after SigV4, before the operation runs. Checks the session token; for a
 * non-root caller evaluates the call's action on each resource it authorizes against, then the
 * further checks (iam:PassRole), in one request context (aws:SourceIp, aws:CurrentTime, the
 * principal's keys, aws:RequestTag/…, service keys, aws:SecureTransport false: Wharf serves
 * HTTP). Roles handed to tasks must exist and trust ecs-tasks when a role directory is given.
 * Throws the service's own AccessDenied error.
 */
export async function authorize(call: CallToAuthorize): Promise<void> {
  const { caller, service, operation, input, principal } = call;
  checkSessionToken(caller, call.sessionToken, call.now);
  const root = isRoot(caller);
  const spec = service.authorization?.[operation] ?? fallback(service, operation);
  if (root && !(spec.also && call.roles)) return;
  const extra = spec.also ? await spec.also(input, principal) : [];
  if (!root) {
    const ctx = spec.context?.(input, principal) ?? {};
    const facts: RequestFacts = {
      now: call.now,
      secureTransport: false,
      ...(call.sourceIp !== undefined ? { sourceIp: call.sourceIp } : {}),
      ...(ctx.requestTags ? { requestTags: ctx.requestTags } : {}),
      ...(ctx.keys ? { keys: ctx.keys } : {}),
    };
    const resources = await spec.resources(input, principal);
    const items: AuthzItem[] = [];
    const tagsOf = service.resourceTags && readsResourceTags(caller) ? service.resourceTags : undefined;
    for (const resource of resources) {
      const tags = tagsOf && resource !== "*" ? await tagsOf(resource, principal) : undefined;
      const held = service.resourcePolicies && resource !== "*" ? await service.resourcePolicies(resource, principal) : undefined;
      items.push({
        action: spec.action,
        resource,
        ...(tags ? { keys: resourceTagKeys(service.signingName, tags) } : {}),
        ...(held?.length ? { resourcePolicies: held } : {}),
      });
    }
    for (const e of extra) items.push({ action: e.action, resource: e.resource, ...(e.keys ? { keys: e.keys } : {}) });
    const failure = authorizeCall(caller.principal, caller.policies, items, facts);
    if (failure) throw accessDenied(service, caller, failure, facts);
  }
  if (call.roles) {
    for (const e of extra) {
      if (e.requireTrust && call.roles.trusts(e.resource, e.requireTrust.service) !== true) throw e.requireTrust.refusal;
    }
  }
}

/**
 * The denial in the service's words: ECS and Logs `AccessDeniedException` (400) "User: ARN is
 * not authorized to perform: ACTION on resource: RESOURCE because no identity-based policy
 * allows the ACTION action"; ELBv2 `AccessDenied` (403), without "on resource" for `*`; EC2
 * `UnauthorizedOperation` (403) "You are not authorized to perform this operation. User: …",
 * with an encoded authorization failure message for resource-level actions.
 */
export function accessDenied(service: Service, caller: Caller, f: AuthzFailure, facts: RequestFacts): AwsError {
  const who = `User: ${caller.principal.arn} is not authorized to perform: ${f.action}`;
  const reason = denialReason(f.action, f.decision);
  if (service.protocol === "ec2") {
    const onResource = f.resource === "*" ? "" : ` on resource: ${f.resource}`;
    const encoded = f.resource === "*" ? "" : `. Encoded authorization failure message: ${encodeAuthorizationMessage(caller.principal, f, facts)}`;
    return new AwsError("UnauthorizedOperation", `You are not authorized to perform this operation. ${who}${onResource} ${reason}${encoded}`, 403);
  }
  if (service.protocol === "query") {
    return new AwsError("AccessDenied", `${who}${f.resource === "*" ? "" : ` on resource: ${f.resource}`} ${reason}`, 403);
  }
  return new AwsError("AccessDeniedException", `${who} on resource: ${f.resource} ${reason}`, 400);
}
