import { nameId } from "./directory.js";
import { type IamDeps, isAwsManaged, policyByArn, roleNamed, tagsIn, userNamed } from "./deps.js";
import { invalidInput, limitExceeded, noSuchInstanceProfile, noSuchPolicy } from "./errors.js";
import { iamPage } from "./paging.js";
import type { IamTag } from "./types.js";

/** IAM's quota: 50 tags per user, role, policy or instance profile. */
export const MAX_TAGS = 50;

type Target = "user" | "role" | "policy" | "instance-profile";

function target(deps: IamDeps, t: Target, id: string) {
  const d = deps.dir;
  switch (t) {
    case "user":
      return { kind: "iam-user" as const, key: nameId(id), doc: userNamed(d, id) };
    case "role":
      return { kind: "iam-role" as const, key: nameId(id), doc: roleNamed(d, id) };
    case "policy": {
      const doc = policyByArn(d, id);
      if (!doc) throw noSuchPolicy(id);
      if (isAwsManaged(id)) throw invalidInput(`ARN ${id} is not valid. AWS managed policies cannot be tagged.`);
      return { kind: "iam-policy" as const, key: id, doc };
    }
    case "instance-profile": {
      const doc = d.get("iam-instance-profile", nameId(id));
      if (!doc) throw noSuchInstanceProfile(id);
      return { kind: "iam-instance-profile" as const, key: nameId(id), doc };
    }
  }
}

async function tag(deps: IamDeps, t: Target, id: string, tags: IamTag[]) {
  const d = deps.dir;
  return d.write(async () => {
    const e = target(deps, t, id);
    const byKey = new Map(e.doc.tags.map((x) => [x.Key, x]));
    for (const x of tags) byKey.set(x.Key, x);
    if (byKey.size > MAX_TAGS) throw limitExceeded(`The number of tags has reached the maximum limit.`);
    await d.commit([{ kind: e.kind, id: e.key, value: { ...e.doc, tags: [...byKey.values()] } } as never]);
    return {};
  });
}

async function untag(deps: IamDeps, t: Target, id: string, keys: string[]) {
  const d = deps.dir;
  return d.write(async () => {
    const e = target(deps, t, id);
    await d.commit([{ kind: e.kind, id: e.key, value: { ...e.doc, tags: e.doc.tags.filter((x) => !keys.includes(x.Key)) } } as never]);
    return {};
  });
}

async function list(deps: IamDeps, t: Target, id: string, input: { Marker?: string; MaxItems?: number }) {
  const page = iamPage(target(deps, t, id).doc.tags, (x) => x.Key, input);
  return { Tags: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

type In = { UserName?: string; RoleName?: string; PolicyArn?: string; InstanceProfileName?: string; Tags?: { Key: string; Value: string }[]; TagKeys?: string[]; Marker?: string; MaxItems?: number };

export const tagUser = (deps: IamDeps, i: In) => tag(deps, "user", i.UserName!, tagsIn(i.Tags));
export const untagUser = (deps: IamDeps, i: In) => untag(deps, "user", i.UserName!, i.TagKeys ?? []);
export const listUserTags = (deps: IamDeps, i: In) => list(deps, "user", i.UserName!, i);
export const tagRole = (deps: IamDeps, i: In) => tag(deps, "role", i.RoleName!, tagsIn(i.Tags));
export const untagRole = (deps: IamDeps, i: In) => untag(deps, "role", i.RoleName!, i.TagKeys ?? []);
export const listRoleTags = (deps: IamDeps, i: In) => list(deps, "role", i.RoleName!, i);
export const tagPolicy = (deps: IamDeps, i: In) => tag(deps, "policy", i.PolicyArn!, tagsIn(i.Tags));
export const untagPolicy = (deps: IamDeps, i: In) => untag(deps, "policy", i.PolicyArn!, i.TagKeys ?? []);
export const listPolicyTags = (deps: IamDeps, i: In) => list(deps, "policy", i.PolicyArn!, i);
export const tagInstanceProfile = (deps: IamDeps, i: In) => tag(deps, "instance-profile", i.InstanceProfileName!, tagsIn(i.Tags));
export const untagInstanceProfile = (deps: IamDeps, i: In) => untag(deps, "instance-profile", i.InstanceProfileName!, i.TagKeys ?? []);
export const listInstanceProfileTags = (deps: IamDeps, i: In) => list(deps, "instance-profile", i.InstanceProfileName!, i);
