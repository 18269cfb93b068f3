import type { RequestContext } from "../../edge/service.js";
import { nameId } from "./directory.js";
import { accountOf, type IamDeps, iamArn, iamId, nowSeconds, roleNamed, tagsIn } from "./deps.js";
import { entityAlreadyExists, limitExceeded, mustFirst, noSuchEntity, noSuchInstanceProfile } from "./errors.js";
import { iamPage } from "./paging.js";
import type { InstanceProfileDoc } from "./types.js";
import { instanceProfileOut } from "./views.js";

function profileNamed(deps: IamDeps, name: string): InstanceProfileDoc {
  const p = deps.dir.get("iam-instance-profile", nameId(name));
  if (!p) throw noSuchInstanceProfile(name);
  return p;
}

export async function createInstanceProfile(deps: IamDeps, input: { InstanceProfileName: string; Path?: string; Tags?: { Key: string; Value: string }[] }, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    if (d.get("iam-instance-profile", nameId(input.InstanceProfileName))) throw entityAlreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`);
    const path = input.Path ?? "/";
    const p: InstanceProfileDoc = {
      name: input.InstanceProfileName,
      path,
      id: iamId("AIPA"),
      arn: iamArn(accountOf(ctx), `instance-profile${path}${input.InstanceProfileName}`),
      createDate: nowSeconds(d),
      roles: [],
      tags: tagsIn(input.Tags),
    };
    await d.commit([{ kind: "iam-instance-profile", id: nameId(p.name), value: p }]);
    return { InstanceProfile: instanceProfileOut(d, p) };
  });
}

export async function getInstanceProfile(deps: IamDeps, input: { InstanceProfileName: string }) {
  return { InstanceProfile: instanceProfileOut(deps.dir, profileNamed(deps, input.InstanceProfileName)) };
}

export async function listInstanceProfiles(deps: IamDeps, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const prefix = input.PathPrefix ?? "/";
  const page = iamPage(deps.dir.all("iam-instance-profile").filter((p) => p.path.startsWith(prefix)), (p) => nameId(p.name), input);
  return { InstanceProfiles: page.items.map((p) => instanceProfileOut(deps.dir, p)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

export async function listInstanceProfilesForRole(deps: IamDeps, input: { RoleName: string; Marker?: string; MaxItems?: number }) {
  const r = roleNamed(deps.dir, input.RoleName);
  const mine = deps.dir.all("iam-instance-profile").filter((p) => p.roles.some((n) => nameId(n) === nameId(r.name)));
  const page = iamPage(mine, (p) => nameId(p.name), input);
  return { InstanceProfiles: page.items.map((p) => instanceProfileOut(deps.dir, p)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

export async function addRoleToInstanceProfile(deps: IamDeps, input: { InstanceProfileName: string; RoleName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = profileNamed(deps, input.InstanceProfileName);
    const r = roleNamed(d, input.RoleName);
    if (p.roles.length >= 1) throw limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    await d.commit([{ kind: "iam-instance-profile", id: nameId(p.name), value: { ...p, roles: [r.name] } }]);
    return {};
  });
}

export async function removeRoleFromInstanceProfile(deps: IamDeps, input: { InstanceProfileName: string; RoleName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = profileNamed(deps, input.InstanceProfileName);
    roleNamed(d, input.RoleName);
    if (!p.roles.some((n) => nameId(n) === nameId(input.RoleName))) {
      throw noSuchEntity(`The role with name ${input.RoleName} cannot be found.`);
    }
    await d.commit([{ kind: "iam-instance-profile", id: nameId(p.name), value: { ...p, roles: p.roles.filter((n) => nameId(n) !== nameId(input.RoleName)) } }]);
    return {};
  });
}

export async function deleteInstanceProfile(deps: IamDeps, input: { InstanceProfileName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const p = profileNamed(deps, input.InstanceProfileName);
    if (p.roles.length > 0) throw mustFirst("remove roles from instance profile");
    await d.commit([{ kind: "iam-instance-profile", id: nameId(p.name), value: undefined }]);
    return {};
  });
}
