import {
  AttachRolePolicyCommand,
  PutUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  TagRoleCommand,
  UpdateAccessKeyCommand,
  UpdateRoleCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const trustEcsTasks = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const allowListClusters = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" }] });

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, ...(err.$metadata?.httpStatusCode ? { status: err.$metadata.httpStatusCode } : {}) };
  }
  throw new Error("expected the call to fail");
}

/**
 * The IAM API as a user meets it: @aws-sdk/client-iam and the `aws iam` CLI against a running
 * Wharf — users and keys (an IAM user's key signs ECS calls), roles and trust policies, inline and
 * managed policies with versions, attachments, instance profiles, the ECS service-linked role,
 * tags, paging, and each refusal in IAM's words. Secrets are not stored in plaintext.
 */
describe("IAM API (SDK and aws CLI)", () => {
  let h: TestWharf;
  let iam: IAMClient;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    iam?.destroy();
    await h?.close();
  });

  it("creates, reads, lists, renames and deletes users; refuses duplicates and unknown names as IAM does", async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: "alice", Path: "/team/", Tags: [{ Key: "team", Value: "a" }] }));
    assert.match(created.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(created.User!.Arn, `arn:aws:iam::${h.server.accountId}:user/team/alice`);
    const dup = await refusal(iam.send(new CreateUserCommand({ UserName: "ALICE" })));
    assert.deepEqual([dup.name, dup.message, dup.status], ["EntityAlreadyExistsException", "User with name ALICE already exists.", 409]);
    const got = await iam.send(new GetUserCommand({ UserName: "alice" }));
    assert.equal(got.User!.Tags![0]!.Value, "a");
    await iam.send(new UpdateUserCommand({ UserName: "alice", NewUserName: "alice2" }));
    const missing = await refusal(iam.send(new GetUserCommand({ UserName: "alice" })));
    assert.deepEqual([missing.name, missing.message, missing.status], ["NoSuchEntityException", "The user with name alice cannot be found.", 404]);
    const listed = await iam.send(new ListUsersCommand({ PathPrefix: "/team/" }));
    assert.deepEqual(listed.Users!.map((u) => u.UserName), ["alice2"]);
    await iam.send(new DeleteUserCommand({ UserName: "alice2" }));
    assert.equal((await iam.send(new ListUsersCommand({}))).Users!.length, 0);
  });

  it("hands out two access keys per user; a user's key signs an ECS call; an inactive or deleted key does not", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    const k1 = (await iam.send(new CreateAccessKeyCommand({ UserName: "bob" }))).AccessKey!;
    assert.match(k1.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(k1.SecretAccessKey!.length, 40);
    await iam.send(new CreateAccessKeyCommand({ UserName: "bob" }));
    const third = await refusal(iam.send(new CreateAccessKeyCommand({ UserName: "bob" })));
    assert.deepEqual([third.name, third.message], ["LimitExceededException", "Cannot exceed quota for AccessKeysPerUser: 2"]);
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "bob" }))).AccessKeyMetadata!.length, 2);

    const asBob = new ECSClient({ endpoint: h.server.url, region: "us-east-1", credentials: { accessKeyId: k1.AccessKeyId!, secretAccessKey: k1.SecretAccessKey! }, maxAttempts: 1 });
    try {
      // Bob signs, and is evaluated: nothing allows him anything until a policy does.
      const denied = await refusal(asBob.send(new ListClustersCommand({})));
      assert.deepEqual(
        [denied.name, denied.message],
        ["AccessDeniedException", "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: ecs:ListClusters on resource: * because no identity-based policy allows the ecs:ListClusters action"],
      );
      await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "list", PolicyDocument: allowListClusters }));
      assert.deepEqual((await asBob.send(new ListClustersCommand({}))).clusterArns, []);
      await iam.send(new UpdateAccessKeyCommand({ UserName: "bob", AccessKeyId: k1.AccessKeyId!, Status: "Inactive" }));
      const inactive = await refusal(asBob.send(new ListClustersCommand({})));
      assert.equal(inactive.name, "UnrecognizedClientException");
      await iam.send(new UpdateAccessKeyCommand({ UserName: "bob", AccessKeyId: k1.AccessKeyId!, Status: "Active" }));
      await asBob.send(new ListClustersCommand({}));
      const conflict = await refusal(iam.send(new DeleteUserCommand({ UserName: "bob" })));
      assert.deepEqual([conflict.name, conflict.message], ["DeleteConflictException", "Cannot delete entity, must delete access keys first."]);
      await iam.send(new DeleteAccessKeyCommand({ UserName: "bob", AccessKeyId: k1.AccessKeyId! }));
      assert.equal((await refusal(asBob.send(new ListClustersCommand({})))).name, "UnrecognizedClientException");
    } finally {
      asBob.destroy();
    }

    // At rest: the key file is 0600 and no secret is in the database in plaintext.
    assert.equal(statSync(join(h.dataDir, "iam.key")).mode & 0o777, 0o600);
    const k2 = (await iam.send(new ListAccessKeysCommand({ UserName: "bob" }))).AccessKeyMetadata![0]!;
    const db = readFileSync(join(h.dataDir, "wharf.db")).toString("latin1") + readFileSync(join(h.dataDir, "wharf.db-wal"), { flag: "a+" }).toString("latin1");
    assert.ok(db.includes(k2.AccessKeyId!), "the key id is stored");
    assert.ok(!db.includes(k1.SecretAccessKey!), "the secret is not stored in plaintext");
  });

  it("roles: trust policy returned URL-encoded, MaxSessionDuration bounds, trust principals must exist, NoSuchEntity text", async () => {
    const r = (await iam.send(new CreateRoleCommand({ RoleName: "app", Path: "/svc/", AssumeRolePolicyDocument: trustEcsTasks, MaxSessionDuration: 7200 }))).Role!;
    assert.match(r.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.equal(r.Arn, `arn:aws:iam::${h.server.accountId}:role/svc/app`);
    const got = (await iam.send(new GetRoleCommand({ RoleName: "app" }))).Role!;
    assert.deepEqual(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!)), JSON.parse(trustEcsTasks));
    assert.equal(got.MaxSessionDuration, 7200);
    const tooShort = await refusal(iam.send(new UpdateRoleCommand({ RoleName: "app", MaxSessionDuration: 100 })));
    assert.equal(tooShort.name, "ValidationError");
    assert.match(tooShort.message, /Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/);
    const badPrincipal = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${h.server.accountId}:role/nope` }, Action: "sts:AssumeRole" }],
    });
    const bad = await refusal(iam.send(new CreateRoleCommand({ RoleName: "other", AssumeRolePolicyDocument: badPrincipal })));
    assert.deepEqual([bad.name, bad.message], ["MalformedPolicyDocumentException", `Invalid principal in policy: "AWS":"arn:aws:iam::${h.server.accountId}:role/nope"`]);
    const boundary = await refusal(iam.send(new CreateRoleCommand({ RoleName: "bounded", AssumeRolePolicyDocument: trustEcsTasks, PermissionsBoundary: `arn:aws:iam::${h.server.accountId}:policy/none` })));
    assert.deepEqual([boundary.name, boundary.message], ["NoSuchEntityException", `Scope ARN: arn:aws:iam::${h.server.accountId}:policy/none does not exist or is not attachable.`]);
    const missing = await refusal(iam.send(new GetRoleCommand({ RoleName: "nope" })));
    assert.deepEqual([missing.name, missing.message], ["NoSuchEntityException", "The role with name nope cannot be found."]);
    await iam.send(new TagRoleCommand({ RoleName: "app", Tags: [{ Key: "env", Value: "dev" }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: "app" }))).Tags, [{ Key: "env", Value: "dev" }]);
  });

  it("inline role policies: put, get, list, delete; a role with one cannot be deleted", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "inl", AssumeRolePolicyDocument: trustEcsTasks }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "inl", PolicyName: "list", PolicyDocument: allowListClusters }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: "inl", PolicyName: "list" }));
    assert.equal(decodeURIComponent(got.PolicyDocument!), allowListClusters);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "inl" }))).PolicyNames, ["list"]);
    const malformed = await refusal(iam.send(new PutRolePolicyCommand({ RoleName: "inl", PolicyName: "x", PolicyDocument: "{" })));
    assert.deepEqual([malformed.name, malformed.message], ["MalformedPolicyDocumentException", "Syntax errors in policy."]);
    const conflict = await refusal(iam.send(new DeleteRoleCommand({ RoleName: "inl" })));
    assert.deepEqual([conflict.name, conflict.message], ["DeleteConflictException", "Cannot delete entity, must delete policies first."]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "inl", PolicyName: "list" }));
    const gone = await refusal(iam.send(new GetRolePolicyCommand({ RoleName: "inl", PolicyName: "list" })));
    assert.deepEqual([gone.name, gone.message], ["NoSuchEntityException", "The role policy with name list cannot be found."]);
    await iam.send(new DeleteRoleCommand({ RoleName: "inl" }));
  });

  it("managed policies: versions (at most 5), default version, attach/detach, AWS managed policies by their real paths", async () => {
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: "ro", PolicyDocument: allowListClusters, Description: "d" }))).Policy!;
    assert.equal(p.Arn, `arn:aws:iam::${h.server.accountId}:policy/ro`);
    assert.equal(p.DefaultVersionId, "v1");
    for (let i = 2; i <= 5; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: allowListClusters }));
    const sixth = await refusal(iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, PolicyDocument: allowListClusters })));
    assert.deepEqual([sixth.name, sixth.message], [
      "LimitExceededException",
      "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    ]);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v3" }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy!.DefaultVersionId, "v3");
    const delDefault = await refusal(iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: "v3" })));
    assert.deepEqual([delDefault.name, delDefault.message], ["DeleteConflictException", "Cannot delete the default version of a policy."]);
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }))).Versions!;
    assert.equal(versions.length, 5);
    assert.deepEqual(versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId), ["v3"]);

    const exec = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    const execDoc = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: exec, VersionId: "v1" }))).PolicyVersion!;
    assert.ok(JSON.parse(decodeURIComponent(execDoc.Document!)).Statement[0].Action.includes("ecr:GetAuthorizationToken"));
    const aws = (await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 1000 }))).Policies!.map((x) => x.Arn);
    assert.ok(aws.includes(exec) && aws.includes("arn:aws:iam::aws:policy/AdministratorAccess"));
    assert.ok(!aws.includes(p.Arn));

    await iam.send(new CreateRoleCommand({ RoleName: "att", AssumeRolePolicyDocument: trustEcsTasks }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att", PolicyArn: p.Arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att", PolicyArn: exec }));
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "att" }))).AttachedPolicies!;
    assert.deepEqual(attached.map((a) => a.PolicyName).sort(), ["AmazonECSTaskExecutionRolePolicy", "ro"]);
    const onlyAttached = (await iam.send(new ListPoliciesCommand({ Scope: "Local", OnlyAttached: true }))).Policies!;
    assert.deepEqual(onlyAttached.map((x) => [x.PolicyName, x.AttachmentCount]), [["ro", 1]]);
    const nope = await refusal(iam.send(new AttachRolePolicyCommand({ RoleName: "att", PolicyArn: `arn:aws:iam::${h.server.accountId}:policy/nope` })));
    assert.deepEqual([nope.name, nope.message], ["NoSuchEntityException", `Policy arn:aws:iam::${h.server.accountId}:policy/nope does not exist or is not attachable.`]);
    const inUse = await refusal(iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })));
    assert.deepEqual([inUse.name, inUse.message], ["DeleteConflictException", "Cannot delete a policy attached to entities."]);
    const roleInUse = await refusal(iam.send(new DeleteRoleCommand({ RoleName: "att" })));
    assert.equal(roleInUse.message, "Cannot delete entity, must detach all policies first.");
    await iam.send(new DetachRolePolicyCommand({ RoleName: "att", PolicyArn: p.Arn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: "att", PolicyArn: exec }));
    for (const v of ["v1", "v2", "v4", "v5"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn }));
    await iam.send(new DeleteRoleCommand({ RoleName: "att" }));
  });

  it("pages with Marker and MaxItems", async () => {
    for (const n of ["p1", "p2", "p3", "p4", "p5"]) await iam.send(new CreateRoleCommand({ RoleName: n, Path: "/page/", AssumeRolePolicyDocument: trustEcsTasks }));
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListRolesCommand({ PathPrefix: "/page/", MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      names.push(...out.Roles!.map((r) => r.RoleName!));
      assert.equal(out.IsTruncated, !!out.Marker);
      marker = out.Marker;
      pages++;
    } while (marker && pages < 10);
    assert.deepEqual(names, ["p1", "p2", "p3", "p4", "p5"]);
    assert.equal(pages, 3);
  });

  it("instance profiles and the ECS service-linked role with the aws CLI", async () => {
    await h.aws("iam", "create-role", "--role-name", "ecsInstanceRole", "--assume-role-policy-document", JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }));
    const ip = await h.aws("iam", "create-instance-profile", "--instance-profile-name", "ecsInstanceProfile");
    assert.match(ip.InstanceProfile.InstanceProfileId, /^AIPA/);
    await h.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "ecsInstanceProfile", "--role-name", "ecsInstanceRole");
    const second = await h.awsError("iam", "add-role-to-instance-profile", "--instance-profile-name", "ecsInstanceProfile", "--role-name", "ecsInstanceRole");
    assert.equal(second.code, "LimitExceeded");
    assert.match(second.stderr, /Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1/);
    const forRole = await h.aws("iam", "list-instance-profiles-for-role", "--role-name", "ecsInstanceRole");
    assert.deepEqual(forRole.InstanceProfiles.map((p: { Roles: { RoleName: string }[] }) => p.Roles[0]!.RoleName), ["ecsInstanceRole"]);
    const busy = await h.awsError("iam", "delete-role", "--role-name", "ecsInstanceRole");
    assert.equal(busy.code, "DeleteConflict");
    await h.aws("iam", "remove-role-from-instance-profile", "--instance-profile-name", "ecsInstanceProfile", "--role-name", "ecsInstanceRole");
    await h.aws("iam", "delete-instance-profile", "--instance-profile-name", "ecsInstanceProfile");
    const gone = await h.awsError("iam", "get-instance-profile", "--instance-profile-name", "ecsInstanceProfile");
    assert.equal(gone.code, "NoSuchEntity");
    assert.match(gone.stderr, /Instance Profile ecsInstanceProfile cannot be found\./);

    const slr = await h.aws("iam", "create-service-linked-role", "--aws-service-name", "ecs.amazonaws.com");
    assert.equal(slr.Role.Arn, `arn:aws:iam::${h.server.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`);
    const attached = await h.aws("iam", "list-attached-role-policies", "--role-name", "AWSServiceRoleForECS");
    assert.deepEqual(attached.AttachedPolicies.map((a: { PolicyArn: string }) => a.PolicyArn), ["arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"]);
    const again = await h.awsError("iam", "create-service-linked-role", "--aws-service-name", "ecs.amazonaws.com");
    assert.equal(again.code, "InvalidInput");
  });

  it("keeps users, keys and roles across a restart (the sealed secrets open with the key file)", async () => {
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }))).AccessKey!;
    await iam.send(new PutUserPolicyCommand({ UserName: "carol", PolicyName: "list", PolicyDocument: allowListClusters }));
    await h.stop();
    await h.restart();
    iam.destroy();
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: "app" }))).Role!.Path, "/svc/");
    const asCarol = new ECSClient({ endpoint: h.server.url, region: "us-east-1", credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }, maxAttempts: 1 });
    try {
      await asCarol.send(new ListClustersCommand({}));
    } finally {
      asCarol.destroy();
    }
  });
});
