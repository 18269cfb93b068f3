import type { IamDirectory } from "./directory.js";
import { attachmentCount, encodeDocument, policyByArn } from "./deps.js";
import type { AccessKeyDoc, GroupDoc, InstanceProfileDoc, ManagedPolicyDoc, RoleDoc, UserDoc } from "./types.js";

/** IAM's output shapes for stored documents (times are epoch seconds; the XML writer makes them ISO 8601). */

const tagsOut = (tags: { Key: string; Value: string }[]) => (tags.length ? { Tags: tags } : {});

export const userOut = (u: UserDoc, withTags = true) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: u.arn,
  CreateDate: u.createDate,
  ...(u.permissionsBoundary ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: u.permissionsBoundary } } : {}),
  ...(withTags ? tagsOut(u.tags) : {}),
});

export const roleOut = (r: RoleDoc, withTags = true) => ({
  Path: r.path,
  RoleName: r.name,
  RoleId: r.id,
  Arn: r.arn,
  CreateDate: r.createDate,
  AssumeRolePolicyDocument: encodeDocument(r.trust),
  ...(r.description !== undefined ? { Description: r.description } : {}),
  MaxSessionDuration: r.maxSessionDuration,
  ...(r.permissionsBoundary ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.permissionsBoundary } } : {}),
  ...(withTags ? tagsOut(r.tags) : {}),
  ...(withTags ? { RoleLastUsed: r.lastUsed ? { LastUsedDate: r.lastUsed.date, Region: r.lastUsed.region } : {} } : {}),
});

export const policyOut = (d: IamDirectory, p: ManagedPolicyDoc, withTags = true) => ({
  PolicyName: p.name,
  PolicyId: p.id,
  Arn: p.arn,
  Path: p.path,
  DefaultVersionId: p.defaultVersion,
  AttachmentCount: attachmentCount(d, p.arn),
  PermissionsBoundaryUsageCount: 0,
  IsAttachable: true,
  ...(p.description !== undefined && withTags ? { Description: p.description } : {}),
  CreateDate: p.createDate,
  UpdateDate: p.updateDate,
  ...(withTags ? tagsOut(p.tags) : {}),
});

export const accessKeyMetaOut = (k: AccessKeyDoc) => ({ UserName: k.userName, AccessKeyId: k.id, Status: k.status, CreateDate: k.createDate });

export const instanceProfileOut = (d: IamDirectory, ip: InstanceProfileDoc) => ({
  Path: ip.path,
  InstanceProfileName: ip.name,
  InstanceProfileId: ip.id,
  Arn: ip.arn,
  CreateDate: ip.createDate,
  Roles: ip.roles.flatMap((n) => {
    const r = d.get("iam-role", n.toLowerCase());
    return r ? [roleOut(r, false)] : [];
  }),
  ...tagsOut(ip.tags),
});

export const attachedOut = (d: IamDirectory, arns: string[]) =>
  arns.map((arn) => ({ PolicyName: policyByArn(d, arn)?.name ?? arn.split("/").pop(), PolicyArn: arn }));

export const groupOut = (g: GroupDoc) => ({ Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: g.createDate });
