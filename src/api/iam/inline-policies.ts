import { parsePolicy } from "../../core/iam/index.js";
import { nameId } from "./directory.js";
import { encodeDocument, groupNamed, type IamDeps, roleNamed, userNamed } from "./deps.js";
import { limitExceeded, noSuchEntity } from "./errors.js";
import { iamPage } from "./paging.js";

/** IAM's quotas on inline policies: the aggregate size per user and per role (characters, whitespace excluded). */
export const INLINE_QUOTA = { user: 2048, role: 10240, group: 5120 } as const;

type Owner = "user" | "role" | "group";

const sizeOf = (text: string) => text.replace(/\s/g, "").length;

function entity(deps: IamDeps, owner: Owner, name: string) {
  if (owner === "group") return { kind: "iam-group" as const, doc: groupNamed(deps.dir, name) };
  return owner === "user" ? { kind: "iam-user" as const, doc: userNamed(deps.dir, name) } : { kind: "iam-role" as const, doc: roleNamed(deps.dir, name) };
}

async function put(deps: IamDeps, owner: Owner, name: string, policyName: string, text: string) {
  parsePolicy(text, "identity");
  const d = deps.dir;
  return d.write(async () => {
    const e = entity(deps, owner, name);
    const inline = { ...e.doc.inline };
    for (const k of Object.keys(inline)) if (nameId(k) === nameId(policyName)) delete inline[k];
    inline[policyName] = text;
    const total = Object.values(inline).reduce((n, t) => n + sizeOf(t), 0);
    if (total > INLINE_QUOTA[owner]) {
      throw limitExceeded(`Maximum policy size of ${INLINE_QUOTA[owner]} bytes exceeded for ${owner} ${e.doc.name}`);
    }
    await d.commit([{ kind: e.kind, id: nameId(e.doc.name), value: { ...e.doc, inline } } as never]);
    return {};
  });
}

function find(deps: IamDeps, owner: Owner, name: string, policyName: string): [string, string] {
  const e = entity(deps, owner, name);
  const hit = Object.entries(e.doc.inline).find(([k]) => nameId(k) === nameId(policyName));
  if (!hit) throw noSuchEntity(`The ${owner} policy with name ${policyName} cannot be found.`);
  return hit;
}

async function get(deps: IamDeps, owner: Owner, name: string, policyName: string) {
  const [k, text] = find(deps, owner, name, policyName);
  const e = entity(deps, owner, name);
  return { [owner === "user" ? "UserName" : owner === "role" ? "RoleName" : "GroupName"]: e.doc.name, PolicyName: k, PolicyDocument: encodeDocument(text) };
}

async function del(deps: IamDeps, owner: Owner, name: string, policyName: string) {
  const d = deps.dir;
  return d.write(async () => {
    const [k] = find(deps, owner, name, policyName);
    const e = entity(deps, owner, name);
    const inline = { ...e.doc.inline };
    delete inline[k];
    await d.commit([{ kind: e.kind, id: nameId(e.doc.name), value: { ...e.doc, inline } } as never]);
    return {};
  });
}

async function list(deps: IamDeps, owner: Owner, name: string, input: { Marker?: string; MaxItems?: number }) {
  const page = iamPage(Object.keys(entity(deps, owner, name).doc.inline), (k) => k, input);
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

type UserIn = { UserName: string; PolicyName: string; PolicyDocument: string; Marker?: string; MaxItems?: number };
type RoleIn = { RoleName: string; PolicyName: string; PolicyDocument: string; Marker?: string; MaxItems?: number };

export const putUserPolicy = (deps: IamDeps, i: UserIn) => put(deps, "user", i.UserName, i.PolicyName, i.PolicyDocument);
export const getUserPolicy = (deps: IamDeps, i: UserIn) => get(deps, "user", i.UserName, i.PolicyName);
export const deleteUserPolicy = (deps: IamDeps, i: UserIn) => del(deps, "user", i.UserName, i.PolicyName);
export const listUserPolicies = (deps: IamDeps, i: UserIn) => list(deps, "user", i.UserName, i);
export const putRolePolicy = (deps: IamDeps, i: RoleIn) => put(deps, "role", i.RoleName, i.PolicyName, i.PolicyDocument);
export const getRolePolicy = (deps: IamDeps, i: RoleIn) => get(deps, "role", i.RoleName, i.PolicyName);
export const deleteRolePolicy = (deps: IamDeps, i: RoleIn) => del(deps, "role", i.RoleName, i.PolicyName);
export const listRolePolicies = (deps: IamDeps, i: RoleIn) => list(deps, "role", i.RoleName, i);

type GroupIn = { GroupName: string; PolicyName: string; PolicyDocument: string; Marker?: string; MaxItems?: number };
export const putGroupPolicy = (deps: IamDeps, i: GroupIn) => put(deps, "group", i.GroupName, i.PolicyName, i.PolicyDocument);
export const getGroupPolicy = (deps: IamDeps, i: GroupIn) => get(deps, "group", i.GroupName, i.PolicyName);
export const deleteGroupPolicy = (deps: IamDeps, i: GroupIn) => del(deps, "group", i.GroupName, i.PolicyName);
export const listGroupPolicies = (deps: IamDeps, i: GroupIn) => list(deps, "group", i.GroupName, i);
