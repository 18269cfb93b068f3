import {
  GetGroupCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { CreateClusterCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-iam with the real `terraform` binary and the hashicorp/aws provider from the
 * local mirror: aws_iam_role (path, tags, max_session_duration), aws_iam_role_policy,
 * aws_iam_policy, aws_iam_role_policy_attachment (customer and AWS managed),
 * aws_iam_instance_profile, aws_iam_user, aws_iam_access_key, aws_iam_group, aws_iam_group_policy,
 * aws_iam_group_policy_attachment, aws_iam_group_membership, aws_iam_user_group_membership,
 * data.aws_iam_policy_document and data.aws_caller_identity apply (the user's key is allowed what
 * its group's policy allows, and nothing else), plan with no changes (any drift is a Wharf bug), and destroy.
 */
describe("Terraform: IAM roles, policies, attachments, an instance profile, a user and its key apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let iam: IAMClient;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-iam", h.server.credentials, { endpoint: h.server.url, name: "tfiam" });
      });
  after(async () => {
    await t?.cleanup();
    iam?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs();
    const account = h.server.accountId;
    assert.equal(out.account_id!.value, account);
    assert.equal(out.caller_arn!.value, `arn:aws:iam::${account}:root`);
    assert.equal(out.task_role_arn!.value, `arn:aws:iam::${account}:role/app/tfiam-task`);
    assert.equal(out.instance_profile_arn!.value, `arn:aws:iam::${account}:instance-profile/tfiam-instance`);

    const task = (await iam.send(new GetRoleCommand({ RoleName: "tfiam-task" }))).Role!;
    assert.equal(task.MaxSessionDuration, 7200);
    assert.deepEqual(JSON.parse(decodeURIComponent(task.AssumeRolePolicyDocument!)).Statement[0].Principal, { Service: "ecs-tasks.amazonaws.com" });
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "tfiam-task" }))).PolicyNames, ["list-clusters"]);
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "tfiam-execution" }))).AttachedPolicies!;
    assert.deepEqual(attached.map((a) => a.PolicyArn), ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]);

    // The user's key works: it signs GetCallerIdentity as the user.
    const sts = new STSClient({ endpoint: h.server.url, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: out.deploy_key_id!.value, secretAccessKey: out.deploy_secret!.value } });
    try {
      assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${account}:user/ci/tfiam-deploy`);
    } finally {
      sts.destroy();
    }

    // Groups: the deploy user is in both, and may list clusters through the deployers' policy only.
    assert.equal(out.deployers_group_arn!.value, `arn:aws:iam::${account}:group/ci/tfiam-deployers`);
    const group = await iam.send(new GetGroupCommand({ GroupName: "tfiam-deployers" }));
    assert.deepEqual(group.Users!.map((u) => u.UserName), ["tfiam-deploy"]);
    assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: "tfiam-deployers" }))).PolicyNames, ["list-clusters"]);
    assert.deepEqual(
      (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "tfiam-deployers" }))).AttachedPolicies!.map((a) => a.PolicyArn),
      ["arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"],
    );
    assert.deepEqual(
      (await iam.send(new ListGroupsForUserCommand({ UserName: "tfiam-deploy" }))).Groups!.map((g) => g.GroupName),
      ["tfiam-deployers", "tfiam-readers"],
    );
    const ecs = new ECSClient({ endpoint: h.server.url, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: out.deploy_key_id!.value, secretAccessKey: out.deploy_secret!.value } });
    try {
      await ecs.send(new ListClustersCommand({}));
      await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: "tfiam-no" })), (e: Error) => e.name === "AccessDeniedException");
    } finally {
      ecs.destroy();
    }

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `a second plan shows changes:\n${plan.out}`);

    await t!.destroy();
    assert.deepEqual((await iam.send(new ListRolesCommand({}))).Roles, []);
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users, []);
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups, []);
  });
});
