/**
 * The request context IAM evaluates against (IAM User Guide, "The request context"): who asks
 * (the principal), what (action), on what (resource ARN), and the context keys. Key names are
 * case-insensitive, so the context is stored with lower-cased keys. Values are strings or lists
 * of strings, as the condition operators read them (booleans "true"/"false", numbers and dates
 * as their text). Time is passed in: nothing here reads a clock.
 */

export type ContextValue = string | readonly string[];

/** Which kind of principal signs the request (the aws:PrincipalType values). */
export type PrincipalKind = "Account" | "User" | "AssumedRole" | "FederatedUser" | "Service" | "Anonymous";

export interface RequestPrincipal {
  readonly kind: PrincipalKind;
  /** The caller's ARN: `arn:aws:iam::A:root`, `…:user/path/name`, `arn:aws:sts::A:assumed-role/name/session`. */
  readonly arn: string;
  /** The caller's account (absent for a service or anonymous caller). */
  readonly account?: string;
  /** For an assumed-role session: the role's ARN (`arn:aws:iam::A:role/path/name`). */
  readonly roleArn?: string;
  /** For a service caller: its service principal, e.g. `ecs-tasks.amazonaws.com`. */
  readonly service?: string;
  /** aws:userid: the user's AIDA… id, or `AROA…:session` for a role session. */
  readonly userId?: string;
  /** The principal's tags (aws:PrincipalTag/…): a user's or role's tags, with session tags over them. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AuthzRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, e.g. `ecs:CreateCluster`. */
  readonly action: string;
  /** The resource ARN the action authorizes against, or `*` for actions without one. */
  readonly resource: string;
  /** The account that owns the resource; absent = the caller's own account. */
  readonly resourceAccount?: string;
  /** Context keys, any case (lower-cased by {@link ContextMap}). */
  readonly context?: Readonly<Record<string, ContextValue | undefined>>;
}

/** A request context with its keys lower-cased: what conditions and variables read. */
export class ContextMap {
  private readonly m = new Map<string, ContextValue>();
  constructor(entries?: Readonly<Record<string, ContextValue | undefined>>) {
    if (entries) for (const [k, v] of Object.entries(entries)) if (v !== undefined) this.m.set(k.toLowerCase(), v);
  }
  get(key: string): ContextValue | undefined {
    return this.m.get(key.toLowerCase());
  }
  /** Keys must already be lower-case (compiled conditions lower-case theirs). */
  getLower(key: string): ContextValue | undefined {
    return this.m.get(key);
  }
  set(key: string, v: ContextValue): void {
    this.m.set(key.toLowerCase(), v);
  }
  has(key: string): boolean {
    return this.m.has(key.toLowerCase());
  }
}

/** Extra request facts the edge knows (all optional). */
export interface RequestFacts {
  /** Now, in ms since the epoch: aws:CurrentTime and aws:EpochTime. */
  readonly now: number;
  readonly sourceIp?: string;
  readonly secureTransport?: boolean;
  readonly mfaPresent?: boolean;
  readonly requestTags?: Readonly<Record<string, string>>;
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly calledVia?: readonly string[];
  /** Service keys such as `ecs:cluster` or `iam:PassedToService`. */
  readonly keys?: Readonly<Record<string, ContextValue | undefined>>;
}

const PRINCIPAL_TYPE: Record<PrincipalKind, string | undefined> = {
  Account: "Account",
  User: "User",
  AssumedRole: "AssumedRole",
  FederatedUser: "FederatedUser",
  Service: undefined,
  Anonymous: "Anonymous",
};

/**
 * The global context keys AWS puts in every request for this principal and these facts
 * (IAM User Guide, "AWS global condition context keys"): aws:PrincipalArn is the role's ARN for a
 * role session, aws:username exists only for IAM users, aws:TagKeys only when the request
 * carries tags, aws:MultiFactorAuthPresent only when the credentials could carry MFA.
 */
export function buildContext(p: RequestPrincipal, f: RequestFacts): Record<string, ContextValue> {
  const c: Record<string, ContextValue> = {};
  const principalArn = p.kind === "AssumedRole" && p.roleArn ? p.roleArn : p.arn;
  if (p.kind !== "Service" && p.kind !== "Anonymous") {
    c["aws:PrincipalArn"] = principalArn;
    if (p.account) c["aws:PrincipalAccount"] = p.account;
  }
  if (p.kind === "Service" && p.service) c["aws:PrincipalServiceName"] = p.service;
  const type = PRINCIPAL_TYPE[p.kind];
  if (type) c["aws:PrincipalType"] = type;
  if (p.userId) c["aws:userid"] = p.userId;
  if (p.kind === "User") c["aws:username"] = p.arn.slice(p.arn.lastIndexOf("/") + 1);
  for (const [k, v] of Object.entries(p.tags ?? {})) c[`aws:PrincipalTag/${k}`] = v;
  c["aws:CurrentTime"] = new Date(f.now).toISOString().replace(/\.\d{3}Z$/, "Z");
  c["aws:EpochTime"] = String(Math.floor(f.now / 1000));
  if (f.sourceIp !== undefined) c["aws:SourceIp"] = f.sourceIp;
  if (f.secureTransport !== undefined) c["aws:SecureTransport"] = String(f.secureTransport);
  if (f.mfaPresent !== undefined) c["aws:MultiFactorAuthPresent"] = String(f.mfaPresent);
  if (f.requestTags) {
    for (const [k, v] of Object.entries(f.requestTags)) c[`aws:RequestTag/${k}`] = v;
    c["aws:TagKeys"] = Object.keys(f.requestTags);
  }
  for (const [k, v] of Object.entries(f.resourceTags ?? {})) c[`aws:ResourceTag/${k}`] = v;
  if (f.calledVia && f.calledVia.length > 0) {
    c["aws:CalledVia"] = f.calledVia;
    c["aws:CalledViaFirst"] = f.calledVia[0]!;
    c["aws:CalledViaLast"] = f.calledVia[f.calledVia.length - 1]!;
  }
  for (const [k, v] of Object.entries(f.keys ?? {})) if (v !== undefined) c[k] = v;
  return c;
}
