import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  CreateUserCommand,
  GetContextKeysForPrincipalPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * IAM's policy simulator with the SDK and the aws CLI ("why was this denied?"): decisions,
 * the deciding statements with their policy and position, missing context keys, context
 * entries, PolicyInputList, ResourceArns, boundaries, paging and the model's validation.
 */

// Positions below are of this exact text (1-based; start at `{`, end just past `}`).
const USER_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "List",
      "Effect": "Allow",
      "Action": ["ecs:List*", "ecs:Describe*", "ecs:DeleteCluster"],
      "Resource": "*"
    },
    {
      "Sid": "NoDelete",
      "Effect": "Deny",
      "Action": "ecs:DeleteCluster",
      "Resource": "arn:aws:ecs:*:*:cluster/prod-*"
    },
    {
      "Effect": "Allow",
      "Action": "ecs:CreateCluster",
      "Resource": "*",
      "Condition": { "StringEquals": { "aws:RequestTag/team": "blue" } }
    }
  ]
}`;
const GROUP_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:*", Resource: "*" }] });

describe("SimulatePrincipalPolicy / SimulateCustomPolicy", () => {
  let h: TestWharf;
  let iam: IAMClient;
  let account: string;
  let userArn: string;
  before(async () => {
    h = await startTestWharf();
    account = h.server.accountId;
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    userArn = (await iam.send(new CreateUserCommand({ UserName: "sim-alice" }))).User!.Arn!;
    await iam.send(new PutUserPolicyCommand({ UserName: "sim-alice", PolicyName: "ecs-ops", PolicyDocument: USER_POLICY }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "sim-alice", PolicyArn: "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess" }));
    await iam.send(new CreateGroupCommand({ GroupName: "sim-loggers" }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "sim-loggers", PolicyName: "logs-all", PolicyDocument: GROUP_POLICY }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "sim-loggers", UserName: "sim-alice" }));
  });
  after(async () => {
    iam?.destroy();
    await h?.close();
  });

  it("decides each action × resource and names the deciding statements with their positions", async () => {
    const prod = `arn:aws:ecs:us-east-1:${account}:cluster/prod-a`;
    const dev = `arn:aws:ecs:us-east-1:${account}:cluster/dev-a`;
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["ecs:DeleteCluster", "ec2:RunInstances"], ResourceArns: [prod, dev] }),
    );
    assert.equal(out.IsTruncated, false);
    const r = out.EvaluationResults!;
    assert.deepEqual(
      r.map((x) => [x.EvalActionName, x.EvalResourceName, x.EvalDecision]),
      [
        ["ecs:DeleteCluster", prod, "explicitDeny"],
        ["ecs:DeleteCluster", dev, "allowed"],
        ["ec2:RunInstances", prod, "implicitDeny"],
        ["ec2:RunInstances", dev, "implicitDeny"],
      ],
    );
    assert.deepEqual(r[0]!.MatchedStatements, [
      { SourcePolicyId: "ecs-ops", SourcePolicyType: "user", StartPosition: { Line: 10, Column: 5 }, EndPosition: { Line: 15, Column: 6 } },
    ]);
    assert.deepEqual(r[1]!.MatchedStatements, [
      { SourcePolicyId: "ecs-ops", SourcePolicyType: "user", StartPosition: { Line: 4, Column: 5 }, EndPosition: { Line: 9, Column: 6 } },
    ]);
    assert.deepEqual(r[2]!.MatchedStatements ?? [], []);
    assert.deepEqual(r[2]!.MissingContextValues ?? [], []);
  });

  it("includes the user's groups' and attached managed policies; every matching Allow is listed", async () => {
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["logs:DescribeLogGroups", "logs:CreateLogGroup"] }));
    const [describe, create] = out.EvaluationResults!;
    assert.equal(describe!.EvalDecision, "allowed");
    assert.deepEqual(
      describe!.MatchedStatements!.map((s) => [s.SourcePolicyId, s.SourcePolicyType]),
      [
        ["CloudWatchLogsReadOnlyAccess", "aws-managed"],
        ["logs-all", "group"],
      ],
    );
    assert.equal(create!.EvalDecision, "allowed");
    assert.deepEqual(create!.MatchedStatements!.map((s) => s.SourcePolicyId), ["logs-all"]);
  });

  it("reports the context keys a condition needs, and decides with ContextEntries", async () => {
    const missing = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["ecs:CreateCluster"] }));
    assert.equal(missing.EvaluationResults![0]!.EvalDecision, "implicitDeny");
    assert.deepEqual(missing.EvaluationResults![0]!.MissingContextValues, ["aws:RequestTag/team"]);
    const given = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: userArn,
        ActionNames: ["ecs:CreateCluster"],
        ContextEntries: [{ ContextKeyName: "aws:RequestTag/team", ContextKeyValues: ["blue"], ContextKeyType: "string" }],
      }),
    );
    assert.equal(given.EvaluationResults![0]!.EvalDecision, "allowed");
    assert.deepEqual(given.EvaluationResults![0]!.MissingContextValues ?? [], []);
    assert.deepEqual(given.EvaluationResults![0]!.MatchedStatements![0]!.StartPosition, { Line: 16, Column: 5 });
    const keys = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: userArn }));
    assert.deepEqual(keys.ContextKeyNames, ["aws:RequestTag/team"]);
  });

  it("PolicyInputList adds policies (named PolicyInputList.N); a boundary limits them", async () => {
    const extra = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" }] });
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["ec2:RunInstances"], PolicyInputList: [extra] }));
    assert.deepEqual(out.EvaluationResults![0]!.MatchedStatements, [
      { SourcePolicyId: "PolicyInputList.1", SourcePolicyType: "none", StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 99 } },
    ]);
    const boundary = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] });
    const bounded = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: ["ec2:RunInstances", "ecs:ListClusters"], PolicyInputList: [extra], PermissionsBoundaryPolicyInputList: [boundary] }),
    );
    assert.deepEqual(
      bounded.EvaluationResults!.map((x) => [x.EvalDecision, x.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary]),
      [
        ["implicitDeny", false],
        ["allowed", true],
      ],
    );
  });

  it("pages with MaxItems and Marker", async () => {
    const actions = ["ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks"];
    const first = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: actions, MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(first.EvaluationResults!.map((r) => r.EvalActionName), actions.slice(0, 2));
    const rest = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: actions, MaxItems: 2, Marker: first.Marker }));
    assert.equal(rest.IsTruncated, false);
    assert.deepEqual(rest.EvaluationResults!.map((r) => r.EvalActionName), actions.slice(2));
  });

  it("SimulateCustomPolicy evaluates the given policies only; unknown principals and bad input are refused", async () => {
    const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] });
    const out = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [deny], ActionNames: ["s3:GetObject", "s3:DeleteBucket", "ecs:ListClusters"] }));
    assert.deepEqual(out.EvaluationResults!.map((r) => r.EvalDecision), ["allowed", "explicitDeny", "implicitDeny"]);
    await assert.rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${account}:user/nobody`, ActionNames: ["s3:GetObject"] })), (e: Error) => {
      assert.equal(e.name, "NoSuchEntityException");
      assert.equal(e.message, "The user with name nobody cannot be found.");
      return true;
    });
    await assert.rejects(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ["{"], ActionNames: ["s3:GetObject"] })), (e: Error) => {
      assert.equal(e.name, "MalformedPolicyDocumentException");
      return true;
    });
    const bad = await h.awsError("iam", "simulate-custom-policy", "--policy-input-list", deny, "--action-names", "s3:GetObject", "--context-entries", "ContextKeyName=aws:x,ContextKeyValues=1,ContextKeyType=integer");
    assert.equal(bad.code, "ValidationError");
    assert.match(bad.stderr, /Member must satisfy enum value set/);
  });

  it("roles and groups are policy sources; a resource policy naming the caller allows on its own", async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: "sim-task", AssumeRolePolicyDocument: trust }))).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: "sim-task", PolicyName: "s3-read", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }));
    const byRole = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role.Arn!, ActionNames: ["s3:GetObject", "s3:PutObject"] }));
    assert.deepEqual(byRole.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements?.[0]?.SourcePolicyType]), [["allowed", "role"], ["implicitDeny", undefined]]);
    const byGroup = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${account}:group/sim-loggers`, ActionNames: ["logs:PutLogEvents"] }));
    assert.deepEqual(byGroup.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements?.[0]?.SourcePolicyId]), [["allowed", "logs-all"]]);
    const bucket = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: userArn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
    const out = await iam.send(
      new SimulateCustomPolicyCommand({ PolicyInputList: [JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] })], ActionNames: ["s3:GetObject"], ResourceArns: ["arn:aws:s3:::b/k"], ResourcePolicy: bucket, CallerArn: userArn }),
    );
    assert.deepEqual(out.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType])]), [["allowed", [["ResourcePolicy", "resource"]]]]);
    await assert.rejects(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [bucket.replace(/"Principal":\{[^}]*\},/, "")], ActionNames: ["s3:GetObject"], ResourcePolicy: bucket })), (e: Error) => e.name === "InvalidInputException");
  });

  it("the aws CLI answers 'why was this denied': the explicit deny's policy and lines", async () => {
    const out = await h.aws("iam", "simulate-principal-policy", "--policy-source-arn", userArn, "--action-names", "ecs:DeleteCluster", "--resource-arns", `arn:aws:ecs:us-east-1:${account}:cluster/prod-x`);
    assert.deepEqual(out.EvaluationResults, [
      {
        EvalActionName: "ecs:DeleteCluster",
        EvalResourceName: `arn:aws:ecs:us-east-1:${account}:cluster/prod-x`,
        EvalDecision: "explicitDeny",
        MatchedStatements: [{ SourcePolicyId: "ecs-ops", SourcePolicyType: "user", StartPosition: { Line: 10, Column: 5 }, EndPosition: { Line: 15, Column: 6 } }],
        MissingContextValues: [],
      },
    ]);
  });
});
