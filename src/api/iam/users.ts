import type { RequestContext } from "../../edge/service.js";
import { nameId } from "./directory.js";
import { accountOf, checkBoundary, groupsOfUser, type IamDeps, iamArn, iamId, nowSeconds, tagsIn, userNamed } from "./deps.js";
import { entityAlreadyExists, mustFirst } from "./errors.js";
import { iamPage } from "./paging.js";
import type { UserDoc } from "./types.js";
import { userOut } from "./views.js";

interface UserInput {
  UserName: string;
  Path?: string;
  Tags?: { Key: string; Value: string }[];
  PermissionsBoundary?: string;
}

export async function createUser(deps: IamDeps, input: UserInput, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    if (d.get("iam-user", nameId(input.UserName))) throw entityAlreadyExists(`User with name ${input.UserName} already exists.`);
    checkBoundary(d, input.PermissionsBoundary);
    const path = input.Path ?? "/";
    const u: UserDoc = {
      name: input.UserName,
      path,
      id: iamId("AIDA"),
      arn: iamArn(accountOf(ctx), `user${path}${input.UserName}`),
      createDate: nowSeconds(d),
      tags: tagsIn(input.Tags),
      inline: {},
      attached: [],
      ...(input.PermissionsBoundary ? { permissionsBoundary: input.PermissionsBoundary } : {}),
    };
    await d.commit([{ kind: "iam-user", id: nameId(u.name), value: u }]);
    return { User: userOut(u) };
  });
}

/** GetUser: the named user, or (no UserName) the signing IAM user. */
export async function getUser(deps: IamDeps, input: { UserName?: string }, ctx: RequestContext) {
  const name = input.UserName ?? ctx.caller?.principal.arn.split("/").pop() ?? "";
  return { User: userOut(userNamed(deps.dir, name)) };
}

export async function listUsers(deps: IamDeps, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const prefix = input.PathPrefix ?? "/";
  const users = deps.dir.all("iam-user").filter((u) => u.path.startsWith(prefix));
  const page = iamPage(users, (u) => nameId(u.name), input);
  return { Users: page.items.map((u) => userOut(u, false)), IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

export async function updateUser(deps: IamDeps, input: { UserName: string; NewUserName?: string; NewPath?: string }, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    const u = userNamed(d, input.UserName);
    const name = input.NewUserName ?? u.name;
    const path = input.NewPath ?? u.path;
    if (nameId(name) !== nameId(u.name) && d.get("iam-user", nameId(name))) throw entityAlreadyExists(`User with name ${name} already exists.`);
    const next: UserDoc = { ...u, name, path, arn: iamArn(accountOf(ctx), `user${path}${name}`) };
    const keys = d.all("iam-access-key").filter((k) => k.userName === u.name);
    await d.commit([
      { kind: "iam-user", id: nameId(u.name), value: undefined },
      { kind: "iam-user", id: nameId(name), value: next },
      ...keys.map((k) => ({ kind: "iam-access-key" as const, id: k.id, value: { ...k, userName: name } })),
      // Its groups name it by its new name.
      ...groupsOfUser(d, u.name).map((g) => ({
        kind: "iam-group" as const,
        id: nameId(g.name),
        value: { ...g, members: g.members.map((m) => (nameId(m) === nameId(u.name) ? name : m)) },
      })),
    ]);
    return {};
  });
}

export async function deleteUser(deps: IamDeps, input: { UserName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const u = userNamed(d, input.UserName);
    if (d.all("iam-access-key").some((k) => k.userName === u.name)) throw mustFirst("delete access keys");
    if (Object.keys(u.inline).length > 0) throw mustFirst("delete policies");
    if (u.attached.length > 0) throw mustFirst("detach all policies");
    if (groupsOfUser(d, u.name).length > 0) throw mustFirst("remove user from all groups");
    await d.commit([{ kind: "iam-user", id: nameId(u.name), value: undefined }]);
    return {};
  });
}
