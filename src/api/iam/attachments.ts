import { nameId } from "./directory.js";
import { groupNamed, type IamDeps, policyByArn, roleNamed, userNamed } from "./deps.js";
import { limitExceeded, noSuchPolicy, notAttachable } from "./errors.js";
import { iamPage } from "./paging.js";
import { attachedOut } from "./views.js";

/** IAM's default quota of managed policies attached to one user or role. */
export const MAX_ATTACHED = 10;

type Owner = "user" | "role" | "group";

function entity(deps: IamDeps, owner: Owner, name: string) {
  if (owner === "group") return { kind: "iam-group" as const, doc: groupNamed(deps.dir, name) };
  return owner === "user" ? { kind: "iam-user" as const, doc: userNamed(deps.dir, name) } : { kind: "iam-role" as const, doc: roleNamed(deps.dir, name) };
}

async function attach(deps: IamDeps, owner: Owner, name: string, arn: string) {
  const d = deps.dir;
  return d.write(async () => {
    const e = entity(deps, owner, name);
    if (!policyByArn(d, arn)) throw notAttachable(arn);
    if (e.doc.attached.includes(arn)) return {};
    if (e.doc.attached.length >= MAX_ATTACHED) throw limitExceeded(`Cannot exceed quota for PoliciesPer${owner === "user" ? "User" : owner === "role" ? "Role" : "Group"}: ${MAX_ATTACHED}`);
    await d.commit([{ kind: e.kind, id: nameId(e.doc.name), value: { ...e.doc, attached: [...e.doc.attached, arn] } } as never]);
    return {};
  });
}

async function detach(deps: IamDeps, owner: Owner, name: string, arn: string) {
  const d = deps.dir;
  return d.write(async () => {
    const e = entity(deps, owner, name);
    if (!e.doc.attached.includes(arn)) throw noSuchPolicy(arn);
    await d.commit([{ kind: e.kind, id: nameId(e.doc.name), value: { ...e.doc, attached: e.doc.attached.filter((a) => a !== arn) } } as never]);
    return {};
  });
}

async function list(deps: IamDeps, owner: Owner, name: string, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const prefix = input.PathPrefix ?? "/";
  const arns = entity(deps, owner, name).doc.attached.filter((a) => (policyByArn(deps.dir, a)?.path ?? "/").startsWith(prefix));
  const page = iamPage(arns, (a) => a, input);
  return { AttachedPolicies: attachedOut(deps.dir, page.items), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

type UserIn = { UserName: string; PolicyArn: string; PathPrefix?: string; Marker?: string; MaxItems?: number };
type RoleIn = { RoleName: string; PolicyArn: string; PathPrefix?: string; Marker?: string; MaxItems?: number };

export const attachUserPolicy = (deps: IamDeps, i: UserIn) => attach(deps, "user", i.UserName, i.PolicyArn);
export const detachUserPolicy = (deps: IamDeps, i: UserIn) => detach(deps, "user", i.UserName, i.PolicyArn);
export const listAttachedUserPolicies = (deps: IamDeps, i: UserIn) => list(deps, "user", i.UserName, i);
export const attachRolePolicy = (deps: IamDeps, i: RoleIn) => attach(deps, "role", i.RoleName, i.PolicyArn);
export const detachRolePolicy = (deps: IamDeps, i: RoleIn) => detach(deps, "role", i.RoleName, i.PolicyArn);
export const listAttachedRolePolicies = (deps: IamDeps, i: RoleIn) => list(deps, "role", i.RoleName, i);

type GroupIn = { GroupName: string; PolicyArn: string; PathPrefix?: string; Marker?: string; MaxItems?: number };
export const attachGroupPolicy = (deps: IamDeps, i: GroupIn) => attach(deps, "group", i.GroupName, i.PolicyArn);
export const detachGroupPolicy = (deps: IamDeps, i: GroupIn) => detach(deps, "group", i.GroupName, i.PolicyArn);
export const listAttachedGroupPolicies = (deps: IamDeps, i: GroupIn) => list(deps, "group", i.GroupName, i);
