/**
 * IAM policy documents: parsed and validated as IAM validates them on CreatePolicy,
 * PutUserPolicy/PutRolePolicy, CreateRole (trust policy) and resource policies, with IAM's
 * MalformedPolicyDocument messages (IAM User Guide, "IAM JSON policy element reference" and
 * "Grammar of the IAM JSON policy language"). The result is a normalized document: every
 * list-or-string element becomes a list, condition values become strings.
 */
import { AwsError } from "../errors.js";
import { CONDITION_OPERATORS } from "./operators.js";

export type PolicyKind =
  /** An inline identity policy, a session policy, a permissions boundary: no Principal. */
  | "identity"
  /** A managed policy (CreatePolicy / CreatePolicyVersion): identity rules, and Version 2012-10-17. */
  | "managed"
  /** A role's trust policy: Principal required, Resource prohibited. */
  | "trust"
  /** A resource-based policy: Principal required. */
  | "resource";

export type PolicyVersion = "2012-10-17" | "2008-10-17";
export type Effect = "Allow" | "Deny";

/** Principal element: `*`, or per type (AWS, Service, Federated, CanonicalUser) a list of ids. */
export type PrincipalElement = "*" | Readonly<Record<string, readonly string[]>>;

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  /** operator → key → values (strings). */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly Statement[];
}

export const malformed = (message: string): AwsError => new AwsError("MalformedPolicyDocument", message);

const TOP = new Set(["Version", "Id", "Statement"]);
const STMT = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const SYNTAX = "Syntax errors in policy.";

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

class Syntax extends Error {}
const need = (ok: boolean): void => {
  if (!ok) throw new Syntax();
};

function strList(v: Json): string[] {
  if (typeof v === "string") return [v];
  need(Array.isArray(v) && v.every((x) => typeof x === "string"));
  return v as string[];
}

function conditionValues(v: Json): string[] {
  const one = (x: Json): string => {
    need(typeof x === "string" || typeof x === "number" || typeof x === "boolean");
    return String(x);
  };
  return Array.isArray(v) ? v.map(one) : [one(v)];
}

function principalElement(v: Json): PrincipalElement {
  if (v === "*") return "*";
  need(isObj(v));
  const out: Record<string, string[]> = {};
  for (const [k, ids] of Object.entries(v as Record<string, Json>)) {
    need(PRINCIPAL_TYPES.has(k));
    out[k] = strList(ids);
  }
  return out;
}

function statementSyntax(s: Json): Statement {
  need(isObj(s));
  const o = s as Record<string, Json>;
  for (const k of Object.keys(o)) need(STMT.has(k));
  need(!("Action" in o && "NotAction" in o));
  need(!("Resource" in o && "NotResource" in o));
  need(!("Principal" in o && "NotPrincipal" in o));
  need(typeof o.Effect === "string" && ["allow", "deny"].includes((o.Effect as string).toLowerCase()));
  if ("Sid" in o) need(typeof o.Sid === "string");
  let condition: Record<string, Record<string, string[]>> | undefined;
  if ("Condition" in o) {
    need(isObj(o.Condition));
    condition = {};
    for (const [op, block] of Object.entries(o.Condition as Record<string, Json>)) {
      need(isObj(block));
      const keys: Record<string, string[]> = {};
      for (const [key, vals] of Object.entries(block as Record<string, Json>)) keys[key] = conditionValues(vals);
      // An unknown operator is a syntax error unless its block is empty.
      if (!CONDITION_OPERATORS.has(stripOperator(op)) && Object.keys(keys).length > 0) need(false);
      condition[op] = keys;
    }
  }
  return {
    ...(typeof o.Sid === "string" ? { sid: o.Sid } : {}),
    effect: o.Effect as Effect,
    ...("Action" in o ? { action: strList(o.Action) } : {}),
    ...("NotAction" in o ? { notAction: strList(o.NotAction) } : {}),
    ...("Resource" in o ? { resource: strList(o.Resource) } : {}),
    ...("NotResource" in o ? { notResource: strList(o.NotResource) } : {}),
    ...("Principal" in o ? { principal: principalElement(o.Principal) } : {}),
    ...("NotPrincipal" in o ? { notPrincipal: principalElement(o.NotPrincipal) } : {}),
    ...(condition ? { condition } : {}),
  };
}

/** `ForAnyValue:StringLikeIfExists` → `StringLike`. */
export function stripOperator(op: string): string {
  let s = op;
  if (s.startsWith("ForAnyValue:")) s = s.slice(12);
  else if (s.startsWith("ForAllValues:")) s = s.slice(13);
  if (s.endsWith("IfExists")) s = s.slice(0, -8);
  return s;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i;
/** A Date operator's value: ISO 8601 (date, optional time and zone) or epoch seconds. */
export function parseDateValue(v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const m = DATE_RE.exec(v);
  if (!m) return undefined;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
  if ((mo !== undefined && (mo < 1 || mo > 12)) || (d !== undefined && (d < 1 || d > 31))) return undefined;
  if ((h !== undefined && h > 23) || (mi !== undefined && mi > 59) || (s !== undefined && s > 59)) return undefined;
  let iso = v.toUpperCase();
  if (m[2] === undefined) iso += "-01-01";
  else if (m[3] === undefined) iso += "-01";
  if (m[4] === undefined) iso += "T00:00:00Z";
  else if (m[7] === undefined) iso += "Z";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

const ACCOUNT_RE = /^\d{12}$/;
const AWS_PRINCIPAL_RE =
  /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/.+|role\/.+)|sts::\d{12}:(assumed-role\/[^/]+\/.+|federated-user\/.+))$/;

function checkPrincipal(p: PrincipalElement): void {
  if (p === "*") return;
  for (const [type, ids] of Object.entries(p)) {
    for (const id of ids) {
      const ok =
        type === "AWS"
          ? id === "*" || ACCOUNT_RE.test(id) || AWS_PRINCIPAL_RE.test(id)
          : type === "Service"
            ? /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/.test(id) || id === "*"
            : id.length > 0;
      if (!ok) throw malformed(`Invalid principal in policy: "${type === "Service" ? "SERVICE" : type}":"${id}"`);
    }
  }
}

function checkAction(a: string): void {
  if (a === "*") return;
  const parts = a.split(":");
  if (parts.length === 1) throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  if (parts.length > 2) throw malformed("Actions/Condition can contain only one colon.");
  if (/[^a-zA-Z0-9\-.*?]/.test(parts[0]!)) throw malformed(`Vendor ${parts[0]} is not valid`);
}

function checkResource(r: string): void {
  if (r === "*") return;
  if (!r.includes(":")) throw malformed(`Resource ${r} must be in ARN format or "*".`);
  const parts = r.split(":");
  // IAM's legacy parser takes a short ARN (`arn:aws:ecs:*`) as long as it has no empty segment.
  if (parts[0] !== "arn") throw malformed(`Resource ${r} must be in ARN format or "*".`);
  if (parts.length < 6 && r.includes("::")) throw malformed("The policy failed legacy parsing");
  if (parts[2] === "" || /[*?]/.test(parts[2]!)) throw malformed("Resource vendor must be fully qualified and cannot contain regexes.");
  if (parts[2] === "iam" && parts.length > 3 && parts[3] !== "") throw malformed(`IAM resource ${r} cannot contain region information.`);
}

/**
 * Parses and validates a policy document (the JSON text IAM receives). Throws
 * MalformedPolicyDocument with IAM's message for the first problem, in IAM's order of checks:
 * syntax, principal placement, version, legacy parsing, Sid uniqueness, actions, resources,
 * then the formats of resources, principals and actions.
 */
export function parsePolicy(text: string, kind: PolicyKind): PolicyDocument {
  let doc: PolicyDocument;
  try {
    const j: Json = JSON.parse(text);
    need(isObj(j));
    const o = j as Record<string, Json>;
    for (const k of Object.keys(o)) need(TOP.has(k));
    if ("Version" in o) need(o.Version === "2012-10-17" || o.Version === "2008-10-17");
    if ("Id" in o) need(typeof o.Id === "string");
    need("Statement" in o && (isObj(o.Statement) || Array.isArray(o.Statement)));
    const raw = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
    need(raw.length > 0);
    doc = {
      version: (o.Version as PolicyVersion | undefined) ?? "2008-10-17",
      ...(typeof o.Id === "string" ? { id: o.Id } : {}),
      statements: raw.map(statementSyntax),
    };
  } catch (e) {
    if (e instanceof Syntax || e instanceof SyntaxError) throw malformed(SYNTAX);
    throw e;
  }
  const sts = doc.statements;
  const principalAllowed = kind === "trust" || kind === "resource";
  if (!principalAllowed && sts.some((s) => s.principal || s.notPrincipal)) {
    throw malformed("Policy document should not specify a principal.");
  }
  if (kind === "managed" && doc.version !== "2012-10-17") throw malformed("Policy document must be version 2012-10-17 or greater.");
  // Legacy parsing: Effect is case-sensitive there, and Date values must parse.
  for (const s of sts) {
    if (s.effect !== "Allow" && s.effect !== "Deny") throw malformed("The policy failed legacy parsing");
    for (const [op, block] of Object.entries(s.condition ?? {})) {
      if (!stripOperator(op).startsWith("Date")) continue;
      for (const vals of Object.values(block)) {
        if (vals.some((v) => parseDateValue(v) === undefined)) throw malformed("The policy failed legacy parsing");
      }
    }
  }
  const sids = new Set<string>();
  for (const s of sts) {
    if (!s.sid) continue;
    if (sids.has(s.sid)) throw malformed("Statement IDs (SID) in a single policy must be unique.");
    sids.add(s.sid);
  }
  for (const s of sts) {
    const acts = s.action ?? s.notAction;
    if (!acts || acts.length === 0) throw malformed("Policy statement must contain actions.");
  }
  for (const s of sts) {
    const res = s.resource ?? s.notResource;
    if (kind === "trust") {
      if (s.resource) throw malformed("Has prohibited field Resource");
      if (s.notResource) throw malformed("Has prohibited field NotResource");
    } else if (!res || res.length === 0) throw malformed("Policy statement must contain resources.");
    for (const r of res ?? []) checkResource(r);
  }
  if (principalAllowed) {
    for (const s of sts) {
      const p = s.principal ?? s.notPrincipal;
      if (!p || (p !== "*" && Object.values(p).every((ids) => ids.length === 0))) {
        throw malformed(
          "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
        );
      }
      checkPrincipal(p);
    }
  }
  for (const s of sts) for (const a of s.action ?? s.notAction ?? []) checkAction(a);
  return doc;
}
