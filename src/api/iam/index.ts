import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { QueryService } from "../../edge/service.js";
import { authorizationOf, type OperationSpec } from "../operation-spec.js";
import { queryOperations } from "../query-operations.js";
import * as keys from "./access-keys.js";
import * as attachments from "./attachments.js";
import { nameId, type IamDirectory } from "./directory.js";
import type { IamDeps } from "./deps.js";
import * as inline from "./inline-policies.js";
import * as profiles from "./instance-profiles.js";
import * as groups from "./groups.js";
import * as managed from "./managed-policies.js";
import { iamModel } from "./model.generated.js";
import * as roles from "./roles.js";
import * as simulation from "./simulation.js";
import * as tags from "./tags.js";
import * as users from "./users.js";

type Spec = OperationSpec<IamDeps>;
type In = Record<string, string | undefined>;

/**
 * The resource ARN of an IAM entity named in the input: the stored entity's own ARN (with its
 * path) when the directory knows it, else `arn:aws:iam::ACCOUNT:KIND/NAME` (path `/`).
 */
function arnResolver(dir?: IamDirectory) {
  const of =
    (kind: "user" | "role" | "group" | "instance-profile", key: string, fallback?: (i: In) => string | undefined) =>
    (i: In, p: Principal): string[] => {
      const name = i[key] ?? fallback?.(i);
      if (name === undefined) return ["*"];
      const stored = dir?.get(kind === "user" ? "iam-user" : kind === "role" ? "iam-role" : kind === "group" ? "iam-group" : "iam-instance-profile", nameId(name));
      return [stored?.arn ?? `arn:aws:iam::${p.accountId}:${kind}/${name}`];
    };
  return {
    user: of("user", "UserName"),
    role: of("role", "RoleName"),
    group: of("group", "GroupName"),
    createdGroup: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:group${i.Path ?? "/"}${i.GroupName}`],
    /** Simulation of a principal's policies: authorized on the principal. */
    source: (i: In) => [i.PolicySourceArn ?? "*"],
    profile: of("instance-profile", "InstanceProfileName"),
    createdUser: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:user${i.Path ?? "/"}${i.UserName}`],
    createdRole: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:role${i.Path ?? "/"}${i.RoleName}`],
    createdProfile: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:instance-profile${i.Path ?? "/"}${i.InstanceProfileName}`],
    createdPolicy: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:policy${i.Path ?? "/"}${i.PolicyName}`],
    serviceLinked: (i: In, p: Principal) => [`arn:aws:iam::${p.accountId}:role/aws-service-role/${i.AWSServiceName}/*`],
    policy: (i: In) => [i.PolicyArn ?? "*"],
    none: () => ["*"],
  };
}

/**
 * IAM operations Wharf serves, one function per operation, each with its IAM action
 * (`iam:CreateRole`) and the resource ARNs it acts on (`arn:aws:iam::ACCOUNT:user/PATH/NAME`,
 * `role/PATH/NAME`, `group/PATH/NAME`, `policy/PATH/NAME`, `instance-profile/PATH/NAME`; IAM is global: no region).
 */
export function iamOperationSpecs(dir?: IamDirectory): Record<string, Spec> {
  const r = arnResolver(dir);
  const spec = (name: string, run: Spec["run"], resources: Spec["resources"]): [string, Spec] => [name, { run, action: `iam:${name}`, resources }];
  return Object.fromEntries([
    spec("CreateUser", users.createUser, r.createdUser),
    spec("GetUser", users.getUser, r.user),
    spec("ListUsers", users.listUsers, r.none),
    spec("UpdateUser", users.updateUser, r.user),
    spec("DeleteUser", users.deleteUser, r.user),
    spec("ListGroupsForUser", groups.listGroupsForUser, r.user),
    spec("CreateGroup", groups.createGroup, r.createdGroup),
    spec("GetGroup", groups.getGroup, r.group),
    spec("ListGroups", groups.listGroups, r.none),
    spec("UpdateGroup", groups.updateGroup, r.group),
    spec("DeleteGroup", groups.deleteGroup, r.group),
    spec("AddUserToGroup", groups.addUserToGroup, r.group),
    spec("RemoveUserFromGroup", groups.removeUserFromGroup, r.group),
    spec("PutGroupPolicy", inline.putGroupPolicy, r.group),
    spec("GetGroupPolicy", inline.getGroupPolicy, r.group),
    spec("DeleteGroupPolicy", inline.deleteGroupPolicy, r.group),
    spec("ListGroupPolicies", inline.listGroupPolicies, r.group),
    spec("AttachGroupPolicy", attachments.attachGroupPolicy, r.group),
    spec("DetachGroupPolicy", attachments.detachGroupPolicy, r.group),
    spec("ListAttachedGroupPolicies", attachments.listAttachedGroupPolicies, r.group),
    spec("SimulatePrincipalPolicy", simulation.simulatePrincipalPolicy, r.source),
    spec("SimulateCustomPolicy", simulation.simulateCustomPolicy, r.none),
    spec("GetContextKeysForPrincipalPolicy", simulation.getContextKeysForPrincipalPolicy, r.source),
    spec("GetContextKeysForCustomPolicy", simulation.getContextKeysForCustomPolicy, r.none),
    spec("CreateAccessKey", keys.createAccessKey, r.user),
    spec("ListAccessKeys", keys.listAccessKeys, r.user),
    spec("UpdateAccessKey", keys.updateAccessKey, r.user),
    spec("DeleteAccessKey", keys.deleteAccessKey, r.user),
    spec("GetAccessKeyLastUsed", keys.getAccessKeyLastUsed, r.none),
    spec("CreateRole", roles.createRole, r.createdRole),
    spec("GetRole", roles.getRole, r.role),
    spec("ListRoles", roles.listRoles, r.none),
    spec("UpdateRole", roles.updateRole, r.role),
    spec("UpdateRoleDescription", roles.updateRoleDescription, r.role),
    spec("UpdateAssumeRolePolicy", roles.updateAssumeRolePolicy, r.role),
    spec("DeleteRole", roles.deleteRole, r.role),
    spec("CreateServiceLinkedRole", roles.createServiceLinkedRole, r.serviceLinked),
    spec("PutUserPolicy", inline.putUserPolicy, r.user),
    spec("GetUserPolicy", inline.getUserPolicy, r.user),
    spec("DeleteUserPolicy", inline.deleteUserPolicy, r.user),
    spec("ListUserPolicies", inline.listUserPolicies, r.user),
    spec("PutRolePolicy", inline.putRolePolicy, r.role),
    spec("GetRolePolicy", inline.getRolePolicy, r.role),
    spec("DeleteRolePolicy", inline.deleteRolePolicy, r.role),
    spec("ListRolePolicies", inline.listRolePolicies, r.role),
    spec("CreatePolicy", managed.createPolicy, r.createdPolicy),
    spec("GetPolicy", managed.getPolicy, r.policy),
    spec("ListPolicies", managed.listPolicies, r.none),
    spec("DeletePolicy", managed.deletePolicy, r.policy),
    spec("GetPolicyVersion", managed.getPolicyVersion, r.policy),
    spec("CreatePolicyVersion", managed.createPolicyVersion, r.policy),
    spec("ListPolicyVersions", managed.listPolicyVersions, r.policy),
    spec("SetDefaultPolicyVersion", managed.setDefaultPolicyVersion, r.policy),
    spec("DeletePolicyVersion", managed.deletePolicyVersion, r.policy),
    spec("ListEntitiesForPolicy", managed.listEntitiesForPolicy, r.policy),
    spec("AttachUserPolicy", attachments.attachUserPolicy, r.user),
    spec("DetachUserPolicy", attachments.detachUserPolicy, r.user),
    spec("ListAttachedUserPolicies", attachments.listAttachedUserPolicies, r.user),
    spec("AttachRolePolicy", attachments.attachRolePolicy, r.role),
    spec("DetachRolePolicy", attachments.detachRolePolicy, r.role),
    spec("ListAttachedRolePolicies", attachments.listAttachedRolePolicies, r.role),
    spec("CreateInstanceProfile", profiles.createInstanceProfile, r.createdProfile),
    spec("GetInstanceProfile", profiles.getInstanceProfile, r.profile),
    spec("ListInstanceProfiles", profiles.listInstanceProfiles, r.none),
    spec("ListInstanceProfilesForRole", profiles.listInstanceProfilesForRole, r.role),
    spec("AddRoleToInstanceProfile", profiles.addRoleToInstanceProfile, r.profile),
    spec("RemoveRoleFromInstanceProfile", profiles.removeRoleFromInstanceProfile, r.profile),
    spec("DeleteInstanceProfile", profiles.deleteInstanceProfile, r.profile),
    spec("TagUser", tags.tagUser, r.user),
    spec("UntagUser", tags.untagUser, r.user),
    spec("ListUserTags", tags.listUserTags, r.user),
    spec("TagRole", tags.tagRole, r.role),
    spec("UntagRole", tags.untagRole, r.role),
    spec("ListRoleTags", tags.listRoleTags, r.role),
    spec("TagPolicy", tags.tagPolicy, r.policy),
    spec("UntagPolicy", tags.untagPolicy, r.policy),
    spec("ListPolicyTags", tags.listPolicyTags, r.policy),
    spec("TagInstanceProfile", tags.tagInstanceProfile, r.profile),
    spec("UntagInstanceProfile", tags.untagInstanceProfile, r.profile),
    spec("ListInstanceProfileTags", tags.listInstanceProfileTags, r.profile),
  ]);
}

/** The operations (resources named by path `/` where no directory is at hand: what docs and tooling read). */
export const iamOperations: Record<string, Spec> = iamOperationSpecs();

/** The IAM service (Query protocol, signing name `iam`, global): every operation of the model, the unbuilt ones answering so. */
export function iamService(deps: IamDeps): QueryService & { specs: Record<string, Spec> } {
  const specs = iamOperationSpecs(deps.dir);
  const operations = queryOperations(iamModel, specs, deps, (name) => new AwsError("NotImplemented", `Wharf's IAM does not implement ${name}.`, 501));
  return { protocol: "query", signingName: "iam", model: iamModel, operations, specs, authorization: authorizationOf(specs) };
}
