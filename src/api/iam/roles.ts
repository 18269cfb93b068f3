import type { RequestContext } from "../../edge/service.js";
import { nameId } from "./directory.js";
import { accountOf, checkBoundary, type IamDeps, iamArn, iamId, nowSeconds, roleNamed, tagsIn } from "./deps.js";
import { entityAlreadyExists, invalidInput, mustFirst, unmodifiable } from "./errors.js";
import { iamPage } from "./paging.js";
import { checkTrustPolicy } from "./trust-check.js";
import type { RoleDoc } from "./types.js";
import { roleOut } from "./views.js";

interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: { Key: string; Value: string }[];
}

const SERVICE_LINKED_PATH = "/aws-service-role/";

export async function createRole(deps: IamDeps, input: CreateRoleInput, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    if (d.get("iam-role", nameId(input.RoleName))) throw entityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
    checkTrustPolicy(d, input.AssumeRolePolicyDocument);
    checkBoundary(d, input.PermissionsBoundary);
    const path = input.Path ?? "/";
    const r: RoleDoc = {
      name: input.RoleName,
      path,
      id: iamId("AROA"),
      arn: iamArn(accountOf(ctx), `role${path}${input.RoleName}`),
      createDate: nowSeconds(d),
      trust: input.AssumeRolePolicyDocument,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      maxSessionDuration: input.MaxSessionDuration ?? 3600,
      tags: tagsIn(input.Tags),
      inline: {},
      attached: [],
      ...(input.PermissionsBoundary ? { permissionsBoundary: input.PermissionsBoundary } : {}),
    };
    await d.commit([{ kind: "iam-role", id: nameId(r.name), value: r }]);
    return { Role: roleOut(r) };
  });
}

export async function getRole(deps: IamDeps, input: { RoleName: string }) {
  return { Role: roleOut(roleNamed(deps.dir, input.RoleName)) };
}

export async function listRoles(deps: IamDeps, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const prefix = input.PathPrefix ?? "/";
  const page = iamPage(deps.dir.all("iam-role").filter((r) => r.path.startsWith(prefix)), (r) => nameId(r.name), input);
  return { Roles: page.items.map((r) => roleOut(r, false)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

const protectedRole = (r: RoleDoc) =>
  unmodifiable(`Cannot perform the operation on the protected role '${r.name}' - this role is only modifiable by AWS`);

async function modify(deps: IamDeps, name: string, fn: (r: RoleDoc) => RoleDoc): Promise<RoleDoc> {
  const d = deps.dir;
  return d.write(async () => {
    const r = roleNamed(d, name);
    if (r.path.startsWith(SERVICE_LINKED_PATH)) throw protectedRole(r);
    const next = fn(r);
    await d.commit([{ kind: "iam-role", id: nameId(r.name), value: next }]);
    return next;
  });
}

export async function updateRole(deps: IamDeps, input: { RoleName: string; Description?: string; MaxSessionDuration?: number }) {
  await modify(deps, input.RoleName, (r) => ({
    ...r,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.MaxSessionDuration !== undefined ? { maxSessionDuration: input.MaxSessionDuration } : {}),
  }));
  return {};
}

export async function updateRoleDescription(deps: IamDeps, input: { RoleName: string; Description: string }) {
  const r = await modify(deps, input.RoleName, (r) => ({ ...r, description: input.Description }));
  return { Role: roleOut(r) };
}

export async function updateAssumeRolePolicy(deps: IamDeps, input: { RoleName: string; PolicyDocument: string }) {
  checkTrustPolicy(deps.dir, input.PolicyDocument);
  await modify(deps, input.RoleName, (r) => ({ ...r, trust: input.PolicyDocument }));
  return {};
}

export async function deleteRole(deps: IamDeps, input: { RoleName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const r = roleNamed(d, input.RoleName);
    if (r.path.startsWith(SERVICE_LINKED_PATH)) throw protectedRole(r);
    if (d.all("iam-instance-profile").some((p) => p.roles.some((n) => nameId(n) === nameId(r.name)))) throw mustFirst("remove roles from instance profile");
    if (Object.keys(r.inline).length > 0) throw mustFirst("delete policies");
    if (r.attached.length > 0) throw mustFirst("detach all policies");
    await d.commit([{ kind: "iam-role", id: nameId(r.name), value: undefined }]);
    return {};
  });
}

/** The service-linked roles Wharf knows: ECS's. */
const SERVICE_LINKED: Record<string, { name: string; policy: string; description: string }> = {
  "ecs.amazonaws.com": {
    name: "AWSServiceRoleForECS",
    policy: "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
    description: "Role to enable Amazon ECS to manage your cluster.",
  },
};

export async function createServiceLinkedRole(deps: IamDeps, input: { AWSServiceName: string; Description?: string; CustomSuffix?: string }, ctx: RequestContext) {
  const d = deps.dir;
  const known = SERVICE_LINKED[input.AWSServiceName];
  if (!known) throw invalidInput(`Service name ${input.AWSServiceName} is not supported by Wharf's IAM.`);
  if (input.CustomSuffix !== undefined) throw invalidInput(`Custom suffix is not allowed for ${input.AWSServiceName}`);
  return d.write(async () => {
    if (d.get("iam-role", nameId(known.name))) {
      throw invalidInput(`Service role name ${known.name} has been taken in this account, please try a different suffix.`);
    }
    const path = `${SERVICE_LINKED_PATH}${input.AWSServiceName}/`;
    const r: RoleDoc = {
      name: known.name,
      path,
      id: iamId("AROA"),
      arn: iamArn(accountOf(ctx), `role${path}${known.name}`),
      createDate: nowSeconds(d),
      trust: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: [input.AWSServiceName] }, Action: ["sts:AssumeRole"] }],
      }),
      description: input.Description ?? known.description,
      maxSessionDuration: 3600,
      tags: [],
      inline: {},
      attached: [known.policy],
    };
    await d.commit([{ kind: "iam-role", id: nameId(r.name), value: r }]);
    return { Role: roleOut(r) };
  });
}
