import type { RequestContext } from "../../edge/service.js";
import { AWS_MANAGED_POLICIES } from "./aws-managed-policies.js";
import { IamDirectory, nameId } from "./directory.js";
import { noSuchEntity, noSuchGroup, noSuchRole, noSuchUser } from "./errors.js";
import { iamId } from "./ids.js";
import type { GroupDoc, IamTag, ManagedPolicyDoc, RoleDoc, UserDoc } from "./types.js";

/** What IAM and STS operations are given besides their input. */
export interface IamDeps {
  dir: IamDirectory;
}

export const iamArn = (account: string, resource: string): string => `arn:aws:iam::${account}:${resource}`;
export const accountOf = (ctx: RequestContext): string => ctx.principal.accountId;
export const nowSeconds = (d: IamDirectory): number => Math.floor(d.clock.now() / 1000);

const isoSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The AWS managed policies as policy documents (arn:aws:iam::aws:policy/PATH+NAME). */
const AWS_POLICIES: ReadonlyMap<string, ManagedPolicyDoc> = new Map(
  AWS_MANAGED_POLICIES.map((p) => {
    const arn = `arn:aws:iam::aws:policy${p.path}${p.name}`;
    const doc: ManagedPolicyDoc = {
      name: p.name,
      path: p.path,
      id: `ANPA${Buffer.from(p.name).toString("hex").toUpperCase().replace(/[^A-Z2-7]/g, "").padEnd(17, "Q").slice(0, 17)}`,
      arn,
      createDate: isoSeconds(p.created),
      updateDate: isoSeconds(p.updated),
      description: p.description,
      defaultVersion: p.defaultVersion,
      versions: [{ id: p.defaultVersion, document: p.document, createDate: isoSeconds(p.updated) }],
      nextVersion: 0,
      tags: [],
    };
    return [arn, doc];
  }),
);

export const awsManagedPolicies = (): ManagedPolicyDoc[] => [...AWS_POLICIES.values()];
export const isAwsManaged = (arn: string): boolean => arn.startsWith("arn:aws:iam::aws:policy/");

/** A managed policy by ARN: an AWS managed one, or the account's own. */
export function policyByArn(d: IamDirectory, arn: string): ManagedPolicyDoc | undefined {
  return AWS_POLICIES.get(arn) ?? d.get("iam-policy", arn);
}

/** A permissions boundary must name an existing managed policy ("Scope ARN: X does not exist or is not attachable."). */
export function checkBoundary(d: IamDirectory, arn: string | undefined): void {
  if (arn !== undefined && !policyByArn(d, arn)) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
}

export function defaultDocument(p: ManagedPolicyDoc): string {
  return p.versions.find((v) => v.id === p.defaultVersion)!.document;
}

export function userNamed(d: IamDirectory, name: string): UserDoc {
  const u = d.get("iam-user", nameId(name));
  if (!u) throw noSuchUser(name);
  return u;
}

export function groupNamed(d: IamDirectory, name: string): GroupDoc {
  const g = d.get("iam-group", nameId(name));
  if (!g) throw noSuchGroup(name);
  return g;
}

/** The groups a user is in (by name, case-insensitively). */
export const groupsOfUser = (d: IamDirectory, userName: string): GroupDoc[] =>
  d.all("iam-group").filter((g) => g.members.some((m) => nameId(m) === nameId(userName)));

export function roleNamed(d: IamDirectory, name: string): RoleDoc {
  const r = d.get("iam-role", nameId(name));
  if (!r) throw noSuchRole(name);
  return r;
}

/** How many users and roles have this managed policy attached. */
export function attachmentCount(d: IamDirectory, arn: string): number {
  return (
    d.all("iam-user").filter((u) => u.attached.includes(arn)).length +
    d.all("iam-role").filter((r) => r.attached.includes(arn)).length +
    d.all("iam-group").filter((g) => g.attached.includes(arn)).length
  );
}

/** IAM returns policy documents URL-encoded (RFC 3986). */
export const encodeDocument = (text: string): string => encodeURIComponent(text);

export const tagsIn = (tags: { Key?: string; Value?: string }[] | undefined): IamTag[] =>
  (tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));

export { iamId };
