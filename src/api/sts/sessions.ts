import { buildContext, checkAssumeRole, loadPolicy, parsePolicy, type PolicySet, type RequestPrincipal } from "../../core/iam/index.js";
import { nameId, type IamDirectory } from "../iam/directory.js";
import { accessKeyId, secretAccessKey, sessionToken } from "../iam/ids.js";
import { assumedRoleArn } from "../iam/resolver.js";
import type { IamTag, RoleDoc, SessionDoc } from "../iam/types.js";
import { notAuthorized, packedPolicyTooLarge, validationError, accessDenied } from "./errors.js";

/** Role chaining (a role session assuming a role) is limited to one hour. */
export const CHAINED_MAX_SECONDS = 3600;
/** What STS packs session policies and tags into (Wharf's estimate: characters without whitespace against this budget). */
export const PACKED_BUDGET = 2048;

export interface TemporaryCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** Epoch seconds. */
  Expiration: number;
}

/** The role an ARN names, if it exists with exactly that ARN (path included). */
export function roleByArn(d: IamDirectory, arn: string): RoleDoc | undefined {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m || m[1] !== d.accountId) return undefined;
  const r = d.get("iam-role", nameId(m[2]!));
  return r && r.arn === arn ? r : undefined;
}

/** Stores a new session (secret and token sealed) and returns its credentials. */
export async function issueSession(d: IamDirectory, durationS: number, fields: Omit<SessionDoc, "accessKeyId" | "sealedSecret" | "sealedToken" | "expiresAt" | "createdAt">): Promise<TemporaryCredentials> {
  const now = d.clock.now();
  const id = accessKeyId("ASIA");
  const secret = secretAccessKey();
  const token = sessionToken();
  const expiresAt = now + durationS * 1000;
  const doc: SessionDoc = { ...fields, accessKeyId: id, sealedSecret: d.box.seal(secret), sealedToken: d.box.seal(token), expiresAt, createdAt: now };
  await d.write(() => d.commit([{ kind: "sts-session", id, value: doc }]));
  return { AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: Math.floor(expiresAt / 1000) };
}

/** Deletes every session past its expiry; returns how many. */
export async function pruneSessions(d: IamDirectory): Promise<number> {
  return d.write(async () => {
    const now = d.clock.now();
    const gone = d.all("sts-session").filter((s) => s.expiresAt <= now);
    await d.commit(gone.map((s) => ({ kind: "sts-session" as const, id: s.accessKeyId, value: undefined })));
    return gone.length;
  });
}

export interface AssumeRoleRequest {
  caller: { principal: RequestPrincipal; policies: PolicySet; sessionToken?: string };
  /** The caller's own session, when it is one (role chaining: duration limit, transitive tags). */
  callerSession?: SessionDoc;
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  externalId?: string;
  policy?: string;
  policyArns?: string[];
  tags?: IamTag[];
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  sourceIp?: string;
}

export interface AssumedRole {
  Credentials: TemporaryCredentials;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
  PackedPolicySize?: number;
  SourceIdentity?: string;
}

/**
 * sts:AssumeRole as STS decides it: the root user is refused; the role must exist and its trust
 * policy (checkAssumeRole, with sts:ExternalId and session tags in the context) together with the
 * caller's identity policies must allow; a role that does not exist is refused with the same
 * AccessDenied (STS does not tell them apart). DurationSeconds is at most the role's
 * MaxSessionDuration, and one hour when chaining. Session policies and tags must fit the packed
 * budget.
 */
export async function assumeRole(d: IamDirectory, req: AssumeRoleRequest): Promise<AssumedRole> {
  const p = req.caller.principal;
  if (p.kind === "Account") throw accessDenied("Roles may not be assumed by root accounts.");
  const role = roleByArn(d, req.roleArn);
  const denied = notAuthorized(p.arn, "sts:AssumeRole", req.roleArn);
  if (!role) throw denied;
  const inherited = transitiveTags(req.callerSession);
  const tags = [...(req.tags ?? [])];
  for (const t of inherited) {
    if (tags.some((x) => x.Key.toLowerCase() === t.Key.toLowerCase())) {
      throw validationError(`Cannot specify transitive tag key ${t.Key} in the request. Transitive tags cannot be overridden.`);
    }
  }
  const tagRecord = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  const decision = checkAssumeRole({
    caller: p,
    roleArn: role.arn,
    trustPolicy: loadPolicy(role.trust, "trust", `${role.arn}#trust`),
    callerPolicies: { ...(req.caller.policies.identity ? { identity: req.caller.policies.identity } : {}), ...(req.caller.policies.boundary ? { boundary: req.caller.policies.boundary } : {}), ...(req.caller.policies.session ? { session: req.caller.policies.session } : {}) },
    context: buildContext(p, { now: d.clock.now(), ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}) }),
    ...(req.externalId !== undefined ? { externalId: req.externalId } : {}),
    ...(tags.length ? { sessionTags: tagRecord } : {}),
  });
  if (!decision.allowed) {
    if (decision.tagSession && decision.tagSession.decision !== "Allow" && decision.assume.decision === "Allow") {
      throw notAuthorized(p.arn, "sts:TagSession", role.arn);
    }
    throw denied;
  }
  const chained = p.kind === "AssumedRole";
  const duration = req.durationSeconds ?? 3600;
  if (chained && duration > CHAINED_MAX_SECONDS) {
    throw validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (duration > role.maxSessionDuration) throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  if (req.policy !== undefined) parsePolicy(req.policy, "identity");
  for (const key of req.transitiveTagKeys ?? []) {
    if (!tags.some((t) => t.Key === key)) throw validationError(`The specified transitive tag key ${key} must be included in the requested tags.`);
  }
  const packedChars =
    (req.policy ?? "").replace(/\s/g, "").length + (req.policyArns ?? []).reduce((n, a) => n + a.length, 0) + [...tags, ...inherited].reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  const packed = Math.ceil((100 * packedChars) / PACKED_BUDGET);
  if (packed > 100) throw packedPolicyTooLarge(packed);
  const allTags = [...inherited, ...tags];
  const transitive = [...new Set([...inherited.map((t) => t.Key), ...(req.transitiveTagKeys ?? [])])];
  const creds = await issueSession(d, duration, {
    kind: "AssumedRole",
    roleName: role.name,
    roleArn: role.arn,
    roleId: role.id,
    sessionName: req.sessionName,
    ...(req.policy !== undefined ? { policy: req.policy } : {}),
    ...(req.policyArns?.length ? { policyArns: req.policyArns } : {}),
    ...(allTags.length ? { tags: allTags } : {}),
    ...(transitive.length ? { transitiveTagKeys: transitive } : {}),
    ...(req.sourceIdentity !== undefined ? { sourceIdentity: req.sourceIdentity } : {}),
    ...(chained ? { chained: true } : {}),
  });
  const withPacked = req.policy !== undefined || !!req.policyArns?.length || allTags.length > 0;
  return {
    Credentials: creds,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${req.sessionName}`, Arn: assumedRoleArn(d.accountId, role.name, req.sessionName) },
    ...(withPacked ? { PackedPolicySize: packed } : {}),
    ...(req.sourceIdentity !== undefined ? { SourceIdentity: req.sourceIdentity } : {}),
  };
}

function transitiveTags(s: SessionDoc | undefined): IamTag[] {
  if (!s?.transitiveTagKeys?.length) return [];
  return (s.tags ?? []).filter((t) => s.transitiveTagKeys!.includes(t.Key));
}

/** Whether a service principal may assume the role: undefined when there is no such role. */
export function roleTrusts(d: IamDirectory, roleArn: string, service: string): boolean | undefined {
  const role = roleByArn(d, roleArn);
  if (!role) return undefined;
  return checkAssumeRole({ caller: { kind: "Service", arn: service, service }, roleArn: role.arn, trustPolicy: loadPolicy(role.trust, "trust", `${role.arn}#trust`) }).allowed;
}

/**
 * Credentials of a role for a service principal (ECS tasks: `ecs-tasks.amazonaws.com`), with no
 * caller signing: the role's trust policy must allow the service to sts:AssumeRole. For the
 * agent's task-role credentials endpoint.
 */
export async function assumeRoleForService(d: IamDirectory, roleArn: string, service: string, sessionName: string, durationS = 3600): Promise<AssumedRole> {
  const principal: RequestPrincipal = { kind: "Service", arn: service, service };
  const role = roleByArn(d, roleArn);
  if (!role) throw notAuthorized(service, "sts:AssumeRole", roleArn);
  return assumeRole(d, { caller: { principal, policies: {} }, roleArn, sessionName, durationSeconds: Math.min(durationS, role.maxSessionDuration) });
}
