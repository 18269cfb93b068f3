import { parsePolicy } from "../../core/iam/index.js";
import type { RequestContext } from "../../edge/service.js";
import {
  accountOf,
  attachmentCount,
  awsManagedPolicies,
  encodeDocument,
  type IamDeps,
  iamArn,
  iamId,
  isAwsManaged,
  nowSeconds,
  policyByArn,
  tagsIn,
} from "./deps.js";
import { deleteConflict, entityAlreadyExists, invalidInput, limitExceeded, noSuchEntity, noSuchPolicy } from "./errors.js";
import { iamPage } from "./paging.js";
import type { ManagedPolicyDoc } from "./types.js";
import { policyOut } from "./views.js";

/** IAM's quotas: a managed policy's size (characters, whitespace excluded) and its number of versions. */
export const MANAGED_POLICY_MAX = 6144;
export const MAX_POLICY_VERSIONS = 5;

function checkDocument(text: string): void {
  parsePolicy(text, "managed");
  if (text.replace(/\s/g, "").length > MANAGED_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

interface CreatePolicyInput {
  PolicyName: string;
  Path?: string;
  PolicyDocument: string;
  Description?: string;
  Tags?: { Key: string; Value: string }[];
}

export async function createPolicy(deps: IamDeps, input: CreatePolicyInput, ctx: RequestContext) {
  const d = deps.dir;
  checkDocument(input.PolicyDocument);
  return d.write(async () => {
    const path = input.Path ?? "/";
    const arn = iamArn(accountOf(ctx), `policy${path}${input.PolicyName}`);
    if (d.all("iam-policy").some((p) => p.name.toLowerCase() === input.PolicyName.toLowerCase() && p.path === path)) {
      throw entityAlreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
    }
    const now = nowSeconds(d);
    const p: ManagedPolicyDoc = {
      name: input.PolicyName,
      path,
      id: iamId("ANPA"),
      arn,
      createDate: now,
      updateDate: now,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      defaultVersion: "v1",
      versions: [{ id: "v1", document: input.PolicyDocument, createDate: now }],
      nextVersion: 2,
      tags: tagsIn(input.Tags),
    };
    await d.commit([{ kind: "iam-policy", id: arn, value: p }]);
    return { Policy: policyOut(d, p) };
  });
}

function policyNamed(deps: IamDeps, arn: string): ManagedPolicyDoc {
  const p = policyByArn(deps.dir, arn);
  if (!p) throw noSuchPolicy(arn);
  return p;
}

function ownPolicy(deps: IamDeps, arn: string): ManagedPolicyDoc {
  const p = policyNamed(deps, arn);
  if (isAwsManaged(arn)) throw invalidInput(`ARN ${arn} is not valid. AWS managed policies cannot be modified.`);
  return p;
}

export async function getPolicy(deps: IamDeps, input: { PolicyArn: string }) {
  return { Policy: policyOut(deps.dir, policyNamed(deps, input.PolicyArn)) };
}

interface ListPoliciesInput {
  Scope?: "All" | "AWS" | "Local";
  OnlyAttached?: boolean;
  PathPrefix?: string;
  PolicyUsageFilter?: string;
  Marker?: string;
  MaxItems?: number;
}

export async function listPolicies(deps: IamDeps, input: ListPoliciesInput) {
  const d = deps.dir;
  const scope = input.Scope ?? "All";
  const prefix = input.PathPrefix ?? "/";
  const all = [...(scope === "Local" ? [] : awsManagedPolicies()), ...(scope === "AWS" ? [] : d.all("iam-policy"))].filter(
    (p) => p.path.startsWith(prefix) && (!input.OnlyAttached || attachmentCount(d, p.arn) > 0),
  );
  const page = iamPage(all, (p) => p.arn, input);
  return { Policies: page.items.map((p) => policyOut(d, p, false)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

const versionOut = (p: ManagedPolicyDoc, id: string, withDocument: boolean) => {
  const v = p.versions.find((x) => x.id === id)!;
  return { ...(withDocument ? { Document: encodeDocument(v.document) } : {}), VersionId: v.id, IsDefaultVersion: v.id === p.defaultVersion, CreateDate: v.createDate };
};

const noSuchVersion = (arn: string, id: string) => noSuchEntity(`Policy ${arn} version ${id} does not exist or is not attachable.`);

export async function getPolicyVersion(deps: IamDeps, input: { PolicyArn: string; VersionId: string }) {
  const p = policyNamed(deps, input.PolicyArn);
  if (!p.versions.some((v) => v.id === input.VersionId)) throw noSuchVersion(input.PolicyArn, input.VersionId);
  return { PolicyVersion: versionOut(p, input.VersionId, true) };
}

export async function listPolicyVersions(deps: IamDeps, input: { PolicyArn: string; Marker?: string; MaxItems?: number }) {
  const p = policyNamed(deps, input.PolicyArn);
  const page = iamPage(p.versions, (v) => v.id.slice(1).padStart(6, "0"), input);
  return { Versions: page.items.map((v) => versionOut(p, v.id, false)).reverse(), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

export async function createPolicyVersion(deps: IamDeps, input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }) {
  const d = deps.dir;
  checkDocument(input.PolicyDocument);
  return d.write(async () => {
    const p = ownPolicy(deps, input.PolicyArn);
    if (p.versions.length >= MAX_POLICY_VERSIONS) {
      throw limitExceeded(`A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    }
    const now = nowSeconds(d);
    const id = `v${p.nextVersion}`;
    const next: ManagedPolicyDoc = {
      ...p,
      versions: [...p.versions, { id, document: input.PolicyDocument, createDate: now }],
      nextVersion: p.nextVersion + 1,
      ...(input.SetAsDefault ? { defaultVersion: id } : {}),
      updateDate: input.SetAsDefault ? now : p.updateDate,
    };
    await d.commit([{ kind: "iam-policy", id: p.arn, value: next }]);
    return { PolicyVersion: versionOut(next, id, false) };
  });
}

export async function setDefaultPolicyVersion(deps: IamDeps, input: { PolicyArn: string; VersionId: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = ownPolicy(deps, input.PolicyArn);
    if (!p.versions.some((v) => v.id === input.VersionId)) throw noSuchVersion(input.PolicyArn, input.VersionId);
    await d.commit([{ kind: "iam-policy", id: p.arn, value: { ...p, defaultVersion: input.VersionId, updateDate: nowSeconds(d) } }]);
    return {};
  });
}

export async function deletePolicyVersion(deps: IamDeps, input: { PolicyArn: string; VersionId: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = ownPolicy(deps, input.PolicyArn);
    if (!p.versions.some((v) => v.id === input.VersionId)) throw noSuchVersion(input.PolicyArn, input.VersionId);
    if (p.defaultVersion === input.VersionId) throw deleteConflict("Cannot delete the default version of a policy.");
    await d.commit([{ kind: "iam-policy", id: p.arn, value: { ...p, versions: p.versions.filter((v) => v.id !== input.VersionId) } }]);
    return {};
  });
}

export async function deletePolicy(deps: IamDeps, input: { PolicyArn: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = ownPolicy(deps, input.PolicyArn);
    if (attachmentCount(d, p.arn) > 0) throw deleteConflict("Cannot delete a policy attached to entities.");
    if (p.versions.length > 1) {
      throw deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    await d.commit([{ kind: "iam-policy", id: p.arn, value: undefined }]);
    return {};
  });
}

export async function listEntitiesForPolicy(deps: IamDeps, input: { PolicyArn: string; EntityFilter?: string; Marker?: string; MaxItems?: number }) {
  const d = deps.dir;
  policyNamed(deps, input.PolicyArn);
  const f = input.EntityFilter;
  const users = f === undefined || f === "User" ? d.all("iam-user").filter((u) => u.attached.includes(input.PolicyArn)) : [];
  const roles = f === undefined || f === "Role" ? d.all("iam-role").filter((r) => r.attached.includes(input.PolicyArn)) : [];
  const groups = f === undefined || f === "Group" ? d.all("iam-group").filter((g) => g.attached.includes(input.PolicyArn)) : [];
  return {
    PolicyGroups: groups.map((g) => ({ GroupName: g.name, GroupId: g.id })),
    PolicyUsers: users.map((u) => ({ UserName: u.name, UserId: u.id })),
    PolicyRoles: roles.map((r) => ({ RoleName: r.name, RoleId: r.id })),
    IsTruncated: false,
  };
}
