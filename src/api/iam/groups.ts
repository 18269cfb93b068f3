import type { RequestContext } from "../../edge/service.js";
import { nameId } from "./directory.js";
import { accountOf, groupNamed, groupsOfUser, type IamDeps, iamArn, iamId, nowSeconds, userNamed } from "./deps.js";
import { entityAlreadyExists, limitExceeded, mustFirst } from "./errors.js";
import { iamPage } from "./paging.js";
import type { GroupDoc } from "./types.js";
import { groupOut, userOut } from "./views.js";

/** IAM's default quota: groups an IAM user can be a member of. */
export const MAX_GROUPS_PER_USER = 10;

type Page = { Marker?: string; MaxItems?: number };
const paged = <T>(key: string, page: { items: T[]; IsTruncated: boolean; Marker?: string }) => ({
  [key]: page.items,
  IsTruncated: page.IsTruncated,
  ...(page.Marker ? { Marker: page.Marker } : {}),
});

export async function createGroup(deps: IamDeps, input: { GroupName: string; Path?: string }, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    if (d.get("iam-group", nameId(input.GroupName))) throw entityAlreadyExists(`Group with name ${input.GroupName} already exists.`);
    const path = input.Path ?? "/";
    const g: GroupDoc = {
      name: input.GroupName,
      path,
      id: iamId("AGPA"),
      arn: iamArn(accountOf(ctx), `group${path}${input.GroupName}`),
      createDate: nowSeconds(d),
      inline: {},
      attached: [],
      members: [],
    };
    await d.commit([{ kind: "iam-group", id: nameId(g.name), value: g }]);
    return { Group: groupOut(g) };
  });
}

/** GetGroup: the group and its users (paged). */
export async function getGroup(deps: IamDeps, input: { GroupName: string } & Page) {
  const g = groupNamed(deps.dir, input.GroupName);
  const users = g.members.flatMap((m) => {
    const u = deps.dir.get("iam-user", nameId(m));
    return u ? [u] : [];
  });
  const page = iamPage(users, (u) => nameId(u.name), input);
  return { Group: groupOut(g), ...paged("Users", { ...page, items: page.items.map((u) => userOut(u, false)) }) };
}

export async function listGroups(deps: IamDeps, input: { PathPrefix?: string } & Page) {
  const prefix = input.PathPrefix ?? "/";
  const page = iamPage(deps.dir.all("iam-group").filter((g) => g.path.startsWith(prefix)), (g) => nameId(g.name), input);
  return paged("Groups", { ...page, items: page.items.map(groupOut) });
}

export async function updateGroup(deps: IamDeps, input: { GroupName: string; NewGroupName?: string; NewPath?: string }, ctx: RequestContext) {
  const d = deps.dir;
  return d.write(async () => {
    const g = groupNamed(d, input.GroupName);
    const name = input.NewGroupName ?? g.name;
    const path = input.NewPath ?? g.path;
    if (nameId(name) !== nameId(g.name) && d.get("iam-group", nameId(name))) throw entityAlreadyExists(`Group with name ${name} already exists.`);
    const next: GroupDoc = { ...g, name, path, arn: iamArn(accountOf(ctx), `group${path}${name}`) };
    await d.commit([
      { kind: "iam-group", id: nameId(g.name), value: undefined },
      { kind: "iam-group", id: nameId(name), value: next },
    ]);
    return {};
  });
}

/** DeleteGroup: refused while it has users, inline policies or attached policies (IAM's DeleteConflict). */
export async function deleteGroup(deps: IamDeps, input: { GroupName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const g = groupNamed(d, input.GroupName);
    if (g.members.some((m) => d.get("iam-user", nameId(m)))) throw mustFirst("remove users from group");
    if (Object.keys(g.inline).length > 0) throw mustFirst("delete policies");
    if (g.attached.length > 0) throw mustFirst("detach all policies");
    await d.commit([{ kind: "iam-group", id: nameId(g.name), value: undefined }]);
    return {};
  });
}

export async function addUserToGroup(deps: IamDeps, input: { GroupName: string; UserName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const g = groupNamed(d, input.GroupName);
    const u = userNamed(d, input.UserName);
    if (g.members.some((m) => nameId(m) === nameId(u.name))) return {};
    if (groupsOfUser(d, u.name).length >= MAX_GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
    await d.commit([{ kind: "iam-group", id: nameId(g.name), value: { ...g, members: [...g.members, u.name] } }]);
    return {};
  });
}

export async function removeUserFromGroup(deps: IamDeps, input: { GroupName: string; UserName: string }) {
  const d = deps.dir;
  return d.write(async () => {
    const g = groupNamed(d, input.GroupName);
    const u = userNamed(d, input.UserName);
    const members = g.members.filter((m) => nameId(m) !== nameId(u.name));
    if (members.length === g.members.length) return {};
    await d.commit([{ kind: "iam-group", id: nameId(g.name), value: { ...g, members } }]);
    return {};
  });
}

export async function listGroupsForUser(deps: IamDeps, input: { UserName: string } & Page) {
  const u = userNamed(deps.dir, input.UserName);
  const page = iamPage(groupsOfUser(deps.dir, u.name), (g) => nameId(g.name), input);
  return paged("Groups", { ...page, items: page.items.map(groupOut) });
}
