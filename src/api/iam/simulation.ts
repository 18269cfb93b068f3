import { type ContextValue, parsePolicy, type PolicyDocument, type RequestPrincipal, simulate, type SimPolicy } from "../../core/iam/index.js";
import type { RequestContext } from "../../edge/service.js";
import { nameId } from "./directory.js";
import { accountOf, defaultDocument, groupsOfUser, type IamDeps, isAwsManaged, policyByArn } from "./deps.js";
import { invalidInput, noSuchGroup, noSuchRole, noSuchUser } from "./errors.js";
import { iamPage } from "./paging.js";
import type { GroupDoc, RoleDoc, UserDoc } from "./types.js";

/**
 * IAM's policy simulator: SimulatePrincipalPolicy (a user's, group's or role's policies — a
 * user's with its groups' — plus PolicyInputList), SimulateCustomPolicy (the given policies
 * only), and GetContextKeysFor{Principal,Custom}Policy. The decision is the authorizer's own
 * evaluation (core/iam/simulate.ts). Context keys come from ContextEntries only, as in IAM's
 * simulator: `${aws:username}` and friends must be given there.
 */

interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
  ContextKeyType?: string;
}

interface SimInput {
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
  Marker?: string;
  MaxItems?: number;
}

type Entity = { kind: "user"; doc: UserDoc } | { kind: "role"; doc: RoleDoc } | { kind: "group"; doc: GroupDoc };

/** The user, group or role an ARN names (`arn:aws:iam::A:user/PATH/NAME`). */
function entityOf(deps: IamDeps, arn: string): Entity {
  const m = /^arn:aws[\w-]*:iam::(\d{12}):(user|group|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) throw invalidInput(`Invalid ARN: ${arn}`);
  const [, account, kind, name] = m as unknown as [string, string, "user" | "group" | "role", string];
  const d = deps.dir;
  const miss = () => (kind === "user" ? noSuchUser(name) : kind === "role" ? noSuchRole(name) : noSuchGroup(name));
  if (account !== d.accountId) throw miss();
  const doc = d.get(kind === "user" ? "iam-user" : kind === "role" ? "iam-role" : "iam-group", nameId(name));
  if (!doc || doc.arn !== arn) throw miss();
  return { kind, doc } as Entity;
}

/** An entity's policies as the simulator names them: inline ones by name (type user/group/role), managed ones by name. */
function policiesOf(deps: IamDeps, owner: { inline: Record<string, string>; attached: string[] }, type: "user" | "group" | "role"): SimPolicy[] {
  const out: SimPolicy[] = Object.entries(owner.inline).map(([name, text]) => ({ id: name, type, text }));
  for (const arn of owner.attached) {
    const p = policyByArn(deps.dir, arn);
    if (p) out.push({ id: p.name, type: isAwsManaged(arn) ? "aws-managed" : "user-managed", text: defaultDocument(p) });
  }
  return out;
}

const inputList = (name: string, texts: string[] | undefined): SimPolicy[] => (texts ?? []).map((text, i) => ({ id: `${name}.${i + 1}`, type: "none", text }));

/** ContextEntries → the request context: list types keep every value, the others their first. */
function contextOf(entries: ContextEntry[] | undefined): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith("List") ? values : (values[0] ?? "");
  }
  return out;
}

function run(input: SimInput, principal: RequestPrincipal, policies: SimPolicy[], boundaries: SimPolicy[]) {
  const resourcePolicy: SimPolicy | undefined = input.ResourcePolicy !== undefined ? { id: "ResourcePolicy", type: "resource", text: input.ResourcePolicy } : undefined;
  const ownerAccount = /^arn:aws[\w-]*:iam::(\d{12}):/.exec(input.ResourceOwner ?? "")?.[1] ?? (/^\d{12}$/.test(input.ResourceOwner ?? "") ? input.ResourceOwner : undefined);
  const results = simulate({
    principal,
    policies,
    boundaries,
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(ownerAccount ? { resourceAccount: ownerAccount } : {}),
    actions: input.ActionNames,
    ...(input.ResourceArns ? { resources: input.ResourceArns } : {}),
    context: contextOf(input.ContextEntries),
  });
  const page = iamPage(
    results.map((r, i) => ({ r, key: String(i).padStart(8, "0") })),
    (x) => x.key,
    input,
  );
  return { EvaluationResults: page.items.map((x) => x.r), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

function principalOf(deps: IamDeps, e: Entity, callerArn: string | undefined): RequestPrincipal {
  const account = deps.dir.accountId;
  const tags = "tags" in e.doc && e.doc.tags.length ? { tags: Object.fromEntries(e.doc.tags.map((t) => [t.Key, t.Value])) } : {};
  if (e.kind === "role") return { kind: "AssumedRole", arn: callerArn ?? e.doc.arn, roleArn: e.doc.arn, account, userId: e.doc.id, ...tags };
  return { kind: "User", arn: callerArn ?? e.doc.arn, account, userId: e.doc.id, ...tags };
}

function entityPolicies(deps: IamDeps, e: Entity): { policies: SimPolicy[]; boundary: SimPolicy[] } {
  const policies = policiesOf(deps, e.doc, e.kind);
  if (e.kind === "user") for (const g of groupsOfUser(deps.dir, e.doc.name)) policies.push(...policiesOf(deps, g, "group"));
  const b = e.kind !== "group" && e.doc.permissionsBoundary ? policyByArn(deps.dir, e.doc.permissionsBoundary) : undefined;
  const boundary: SimPolicy[] = b ? [{ id: b.name, type: isAwsManaged(b.arn) ? "aws-managed" : "user-managed", text: defaultDocument(b) }] : [];
  return { policies, boundary };
}

export async function simulatePrincipalPolicy(deps: IamDeps, input: SimInput & { PolicySourceArn: string }) {
  const e = entityOf(deps, input.PolicySourceArn);
  const own = entityPolicies(deps, e);
  const given = inputList("PermissionsBoundaryPolicyInputList", input.PermissionsBoundaryPolicyInputList);
  return run(input, principalOf(deps, e, input.CallerArn), [...own.policies, ...inputList("PolicyInputList", input.PolicyInputList)], given.length ? given : own.boundary);
}

export async function simulateCustomPolicy(deps: IamDeps, input: SimInput, ctx: RequestContext) {
  if (input.ResourcePolicy !== undefined && input.CallerArn === undefined) {
    throw invalidInput("CallerArn must be specified when ResourcePolicy is specified.");
  }
  const account = accountOf(ctx);
  const principal: RequestPrincipal = { kind: "User", arn: input.CallerArn ?? `arn:aws:iam::${account}:user/simulated`, account };
  return run(input, principal, inputList("PolicyInputList", input.PolicyInputList), inputList("PermissionsBoundaryPolicyInputList", input.PermissionsBoundaryPolicyInputList));
}

/** The condition keys the policies' statements read, each once, as first written. */
function keysOf(texts: string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of texts) {
    const doc: PolicyDocument = parsePolicy(t, "identity");
    for (const s of doc.statements) for (const block of Object.values(s.condition ?? {})) for (const k of Object.keys(block)) if (!seen.has(k.toLowerCase())) seen.set(k.toLowerCase(), k);
  }
  return [...seen.values()];
}

export async function getContextKeysForPrincipalPolicy(deps: IamDeps, input: { PolicySourceArn: string; PolicyInputList?: string[] }) {
  const own = entityPolicies(deps, entityOf(deps, input.PolicySourceArn));
  return { ContextKeyNames: keysOf([...own.policies.map((p) => p.text), ...(input.PolicyInputList ?? [])]) };
}

export async function getContextKeysForCustomPolicy(_deps: IamDeps, input: { PolicyInputList: string[] }) {
  return { ContextKeyNames: keysOf(input.PolicyInputList) };
}
