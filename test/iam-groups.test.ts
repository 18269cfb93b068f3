import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
} from "@aws-sdk/client-iam";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/** IAM groups with the SDK: CRUD, membership, inline and attached group policies, and the authorizer evaluating a user's groups' policies. */

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, ...(err.$metadata?.httpStatusCode ? { status: err.$metadata.httpStatusCode } : {}) };
  }
  throw new Error("expected the call to fail");
}

const LIST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" }] });
const LOGS_RO = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess";

describe("IAM groups", () => {
  let h: TestWharf;
  let iam: IAMClient;
  let account: string;
  before(async () => {
    h = await startTestWharf();
    account = h.server.accountId;
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    iam?.destroy();
    await h?.close();
  });

  it("create, get with users, list, rename; names are unique case-insensitively", async () => {
    const g = (await iam.send(new CreateGroupCommand({ GroupName: "Ops", Path: "/team/" }))).Group!;
    assert.equal(g.Arn, `arn:aws:iam::${account}:group/team/Ops`);
    assert.match(g.GroupId!, /^AGPA[A-Z2-7]{17}$/);
    assert.deepEqual(await refusal(iam.send(new CreateGroupCommand({ GroupName: "ops" }))), { name: "EntityAlreadyExistsException", message: "Group with name ops already exists.", status: 409 });
    await iam.send(new CreateUserCommand({ UserName: "gina" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "ops", UserName: "gina" }));
    const got = await iam.send(new GetGroupCommand({ GroupName: "Ops" }));
    assert.deepEqual(got.Users!.map((u) => u.UserName), ["gina"]);
    assert.deepEqual((await iam.send(new ListGroupsCommand({ PathPrefix: "/team/" }))).Groups!.map((x) => x.GroupName), ["Ops"]);
    await iam.send(new UpdateGroupCommand({ GroupName: "Ops", NewGroupName: "Operators" }));
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: "gina" }))).Groups!.map((x) => [x.GroupName, x.Arn]), [["Operators", `arn:aws:iam::${account}:group/team/Operators`]]);
    assert.deepEqual(await refusal(iam.send(new GetGroupCommand({ GroupName: "Ops" }))), { name: "NoSuchEntityException", message: "The group with name Ops cannot be found.", status: 404 });
  });

  it("a user's group policies are evaluated at the edge: inline and attached allow, removal takes them away at once", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "readers" }));
    await iam.send(new CreateUserCommand({ UserName: "rita" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "rita" }))).AccessKey!;
    const credentials = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const ecs = new ECSClient({ endpoint: h.server.url, region: "us-east-1", credentials, maxAttempts: 1 });
    const logs = new CloudWatchLogsClient({ endpoint: h.server.url, region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      assert.equal((await refusal(ecs.send(new ListClustersCommand({})))).name, "AccessDeniedException");
      await iam.send(new PutGroupPolicyCommand({ GroupName: "readers", PolicyName: "list", PolicyDocument: LIST }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: "readers", PolicyArn: LOGS_RO }));
      assert.equal((await refusal(ecs.send(new ListClustersCommand({})))).name, "AccessDeniedException", "not a member yet");
      await iam.send(new AddUserToGroupCommand({ GroupName: "readers", UserName: "rita" }));
      await ecs.send(new ListClustersCommand({}));
      await logs.send(new DescribeLogGroupsCommand({}));
      assert.equal(decodeURIComponent((await iam.send(new GetGroupPolicyCommand({ GroupName: "readers", PolicyName: "list" }))).PolicyDocument!), LIST);
      assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: "readers" }))).PolicyNames, ["list"]);
      assert.deepEqual((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "readers" }))).AttachedPolicies, [{ PolicyName: "CloudWatchLogsReadOnlyAccess", PolicyArn: LOGS_RO }]);
      const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: LOGS_RO }));
      assert.deepEqual(entities.PolicyGroups!.map((g) => g.GroupName), ["readers"]);
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: "readers", UserName: "rita" }));
      assert.equal((await refusal(ecs.send(new ListClustersCommand({})))).name, "AccessDeniedException");
      assert.equal((await refusal(logs.send(new DescribeLogGroupsCommand({})))).name, "AccessDeniedException");
    } finally {
      ecs.destroy();
      logs.destroy();
    }
    await iam.send(new DeleteAccessKeyCommand({ UserName: "rita", AccessKeyId: key.AccessKeyId! }));
  });

  it("DeleteGroup and DeleteUser refuse while memberships or policies remain (DeleteConflict)", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "tmp" }));
    await iam.send(new CreateUserCommand({ UserName: "tim" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "tmp", UserName: "tim" }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "tmp", PolicyName: "p", PolicyDocument: LIST }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "tmp", PolicyArn: LOGS_RO }));
    const conflict = (message: string) => ({ name: "DeleteConflictException", message, status: 409 });
    assert.deepEqual(await refusal(iam.send(new DeleteGroupCommand({ GroupName: "tmp" }))), conflict("Cannot delete entity, must remove users from group first."));
    assert.deepEqual(await refusal(iam.send(new DeleteUserCommand({ UserName: "tim" }))), conflict("Cannot delete entity, must remove user from all groups first."));
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "tmp", UserName: "tim" }));
    assert.deepEqual(await refusal(iam.send(new DeleteGroupCommand({ GroupName: "tmp" }))), conflict("Cannot delete entity, must delete policies first."));
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: "tmp", PolicyName: "p" }));
    assert.deepEqual(await refusal(iam.send(new DeleteGroupCommand({ GroupName: "tmp" }))), conflict("Cannot delete entity, must detach all policies first."));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: "tmp", PolicyArn: LOGS_RO }));
    await iam.send(new DeleteGroupCommand({ GroupName: "tmp" }));
    await iam.send(new DeleteUserCommand({ UserName: "tim" }));
    assert.equal((await refusal(iam.send(new AddUserToGroupCommand({ GroupName: "tmp", UserName: "gina" })))).name, "NoSuchEntityException");
  });
});
