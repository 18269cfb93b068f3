import { type CompiledPolicy, loadPolicy, type PolicySet, type RequestPrincipal } from "../../core/iam/index.js";
import type { Caller, IdentityResolver } from "../../edge/identity.js";
import { defaultDocument, groupsOfUser, policyByArn } from "./deps.js";
import { type IamDirectory, nameId } from "./directory.js";
import type { IamTag, RoleDoc, SessionDoc, UserDoc } from "./types.js";

const tagMap = (...lists: (IamTag[] | undefined)[]): Record<string, string> | undefined => {
  const m: Record<string, string> = {};
  for (const l of lists) for (const t of l ?? []) m[t.Key] = t.Value;
  return Object.keys(m).length ? m : undefined;
};

/**
 * IAM's callers for the edge: an IAM user's access key (AKIA…, Active) and STS temporary
 * credentials (ASIA…, until they expire) resolve to a {@link Caller} with the principal and its
 * compiled policies. resolve() is synchronous and reads memory only: callers are cached per key
 * and compiled documents per text, both dropped when the directory's generation moves (any IAM
 * write). An expired session (pruned soon after) resolves, by `expiredSessions`:
 * - "hide" (default): to nothing — the call fails as an unknown key; `expired(id)` tells why;
 * - "answer": to its Caller, `expiresAt` in the past, for an edge that checks `expiresAt` itself and
 *   answers ExpiredToken (the authorizer's session check).
 */
export class IamIdentities implements IdentityResolver {
  private readonly callers = new Map<string, Caller>();
  private readonly compiled = new Map<string, CompiledPolicy>();
  private generation = -1;
  private readonly expiredKeys = new Set<string>();

  constructor(
    private readonly dir: IamDirectory,
    private readonly onExpired: (accessKeyId: string) => void = () => undefined,
    private readonly expiredSessions: "hide" | "answer" = "hide",
  ) {}

  resolve(accessKeyId: string): Caller | undefined {
    if (this.generation !== this.dir.generation) {
      this.callers.clear();
      this.generation = this.dir.generation;
    }
    const cached = this.callers.get(accessKeyId);
    if (cached) {
      if (cached.expiresAt === undefined || cached.expiresAt > this.dir.clock.now()) return cached;
      this.callers.delete(accessKeyId);
      if (this.expiredSessions === "answer") {
        this.expiredKeys.add(accessKeyId);
        this.onExpired(accessKeyId);
        return cached;
      }
    }
    const c = accessKeyId.startsWith("ASIA") ? this.session(accessKeyId) : this.accessKey(accessKeyId);
    if (c) this.callers.set(accessKeyId, c);
    return c;
  }

  /** True when the key was a session that has expired (it may already be pruned). */
  expired(accessKeyId: string): boolean {
    const s = this.dir.get("sts-session", accessKeyId);
    return s ? s.expiresAt <= this.dir.clock.now() : this.expiredKeys.has(accessKeyId);
  }

  /** The principal and policies of an IAM user (what its keys and its GetSessionToken sessions evaluate). */
  userIdentity(u: UserDoc): { principal: RequestPrincipal; policies: PolicySet } {
    const tags = tagMap(u.tags);
    return {
      principal: { kind: "User", arn: u.arn, account: this.dir.accountId, userId: u.id, ...(tags ? { tags } : {}) },
      policies: this.entityPolicies(u),
    };
  }

  /**
   * An entity's own policies (identity and boundary): a role's, what its sessions evaluate before
   * session policies; a user's, with the inline and attached policies of every group it is in.
   */
  entityPolicies(e: UserDoc | RoleDoc): PolicySet {
    const identity: CompiledPolicy[] = [];
    const add = (o: { arn: string; inline: Record<string, string>; attached: string[] }) => {
      for (const [name, text] of Object.entries(o.inline)) identity.push(this.compile(text, "identity", `${o.arn}#${name}`));
      for (const arn of o.attached) {
        const p = policyByArn(this.dir, arn);
        if (p) identity.push(this.compile(defaultDocument(p), "managed", `${arn}#${p.defaultVersion}`));
      }
    };
    add(e);
    if (!("trust" in e)) for (const g of groupsOfUser(this.dir, e.name)) add(g);
    const b = e.permissionsBoundary ? policyByArn(this.dir, e.permissionsBoundary) : undefined;
    return { identity, ...(b ? { boundary: this.compile(defaultDocument(b), "managed", `${b.arn}#${b.defaultVersion}`) } : {}) };
  }

  /** The session policies of a role session: its inline Policy and its PolicyArns (any of them allowing suffices). */
  sessionPolicies(s: Pick<SessionDoc, "policy" | "policyArns">): CompiledPolicy[] {
    const out: CompiledPolicy[] = [];
    if (s.policy !== undefined) out.push(this.compile(s.policy, "identity", "session-policy"));
    for (const arn of s.policyArns ?? []) {
      const p = policyByArn(this.dir, arn);
      // A managed session policy deleted since: it allows nothing (the session keeps needing one to allow).
      out.push(this.compile(p ? defaultDocument(p) : '{"Version":"2012-10-17","Statement":[]}', "identity", arn));
    }
    return out;
  }

  private compile(text: string, kind: "identity" | "managed", id: string): CompiledPolicy {
    const key = `${id}\0${text}`;
    let c = this.compiled.get(key);
    if (!c) {
      if (this.compiled.size > 4096) this.compiled.clear();
      c = loadPolicy(text, kind === "managed" ? "identity" : kind, id);
      this.compiled.set(key, c);
    }
    return c;
  }

  private accessKey(id: string): Caller | undefined {
    const k = this.dir.get("iam-access-key", id);
    if (!k || k.status !== "Active") return undefined;
    const u = this.dir.get("iam-user", nameId(k.userName));
    if (!u) return undefined;
    return { accessKeyId: id, secretAccessKey: this.dir.box.open(k.sealedSecret), ...this.userIdentity(u) };
  }

  private session(id: string): Caller | undefined {
    const s = this.dir.get("sts-session", id);
    if (!s) return undefined;
    const expired = s.expiresAt <= this.dir.clock.now();
    if (expired) {
      this.expiredKeys.add(id);
      if (this.expiredKeys.size > 10_000) this.expiredKeys.clear();
      this.onExpired(id);
      if (this.expiredSessions === "hide") return undefined;
    }
    const base = { accessKeyId: id, secretAccessKey: this.dir.box.open(s.sealedSecret), sessionToken: this.dir.box.open(s.sealedToken), expiresAt: s.expiresAt };
    if (s.kind === "Account") {
      const account = this.dir.accountId;
      return { ...base, principal: { kind: "Account", arn: `arn:aws:iam::${account}:root`, account, userId: account }, policies: {} };
    }
    if (s.kind === "User") {
      const u = this.dir.get("iam-user", nameId(s.userName ?? ""));
      return u ? { ...base, ...this.userIdentity(u) } : undefined;
    }
    const role = this.dir.get("iam-role", nameId(s.roleName ?? ""));
    const tags = tagMap(role?.tags, s.tags);
    const session = this.sessionPolicies(s);
    const own = role && role.id === s.roleId ? this.entityPolicies(role) : { identity: [] };
    return {
      ...base,
      principal: {
        kind: "AssumedRole",
        arn: assumedRoleArn(this.dir.accountId, s.roleName!, s.sessionName!),
        account: this.dir.accountId,
        roleArn: s.roleArn!,
        userId: `${s.roleId}:${s.sessionName}`,
        ...(tags ? { tags } : {}),
      },
      policies: { ...own, ...(session.length ? { session } : {}) },
    };
  }
}

/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (the role's name, never its path). */
export const assumedRoleArn = (account: string, roleName: string, sessionName: string): string =>
  `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
