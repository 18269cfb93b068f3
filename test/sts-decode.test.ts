import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateVpcCommand, type CreateVpcCommandInput, EC2Client } from "@aws-sdk/client-ec2";
import { DecodeAuthorizationMessageCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * EC2's "Encoded authorization failure message" and sts:DecodeAuthorizationMessage, with the SDKs
 * and the aws CLI: the denied user's message decodes (for a caller allowed the action, and the
 * root) into the decision and its request context; callers without the permission are refused.
 */

const policy = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }, { Sid: "NoProd", Effect: "Deny", Action: "ec2:CreateVpc", Resource: "*", Condition: { StringEquals: { "aws:RequestTag/env": "prod" } } }] });

describe("sts:DecodeAuthorizationMessage", () => {
  let h: TestWharf;
  let iam: IAMClient;
  let account: string;
  const creds: Record<string, { accessKeyId: string; secretAccessKey: string }> = {};
  before(async () => {
    h = await startTestWharf();
    account = h.server.accountId;
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    for (const [name, doc] of [
      ["dev", policy("ec2:DescribeVpcs")],
      ["auditor", policy("sts:DecodeAuthorizationMessage")],
    ] as const) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: doc }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      creds[name] = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    }
  });
  after(async () => {
    iam?.destroy();
    await h?.close();
  });

  const sts = (c: { accessKeyId: string; secretAccessKey: string }) => new STSClient({ endpoint: h.server.url, region: "us-east-1", credentials: c, maxAttempts: 1 });

  async function encodedFor(input: CreateVpcCommandInput): Promise<string> {
    const ec2 = new EC2Client({ endpoint: h.server.url, region: "us-east-1", credentials: creds.dev!, maxAttempts: 1 });
    try {
      await ec2.send(new CreateVpcCommand(input));
    } catch (e) {
      const m = /Encoded authorization failure message: (\S+)$/.exec((e as Error).message);
      assert.equal((e as Error).name, "UnauthorizedOperation");
      assert.ok(m, (e as Error).message);
      return m[1]!;
    } finally {
      ec2.destroy();
    }
    throw new Error("CreateVpc was allowed");
  }

  it("an allowed caller and the root decode the message: the decision and its context", async () => {
    const encoded = await encodedFor({ CidrBlock: "10.7.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "team", Value: "blue" }] }] });
    const client = sts(creds.auditor!);
    try {
      const out = await client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
      const m = JSON.parse(out.DecodedMessage!);
      assert.equal(m.allowed, false);
      assert.equal(m.explicitDeny, false);
      assert.deepEqual(m.matchedStatements.items, []);
      assert.equal(m.context.principal.arn, `arn:aws:iam::${account}:user/dev`);
      assert.equal(m.context.action, "ec2:CreateVpc");
      assert.equal(m.context.resource, `arn:aws:ec2:us-east-1:${account}:vpc/*`);
      const keys = Object.fromEntries(m.context.conditions.items.map((i: { key: string; values: { items: { value: string }[] } }) => [i.key, i.values.items.map((v) => v.value)]));
      assert.deepEqual(keys["aws:RequestTag/team"], ["blue"]);
      assert.deepEqual(keys["aws:username"], ["dev"]);
    } finally {
      client.destroy();
    }
    const root = sts(h.server.credentials);
    try {
      assert.ok((await root.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))).DecodedMessage);
    } finally {
      root.destroy();
    }
  });

  it("an explicit deny names its statement; the aws CLI decodes it", async () => {
    const encoded = await encodedFor({ CidrBlock: "10.8.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "env", Value: "prod" }] }] });
    const out = await h.aws("sts", "decode-authorization-message", "--encoded-message", encoded);
    const m = JSON.parse(out.DecodedMessage);
    assert.equal(m.explicitDeny, true);
    assert.equal(m.matchedStatements.items[0].statementId, "NoProd");
    assert.equal(m.matchedStatements.items[0].effect, "DENY");
  });

  it("a caller without the permission is refused; a message that is not one is InvalidAuthorizationMessageException", async () => {
    const encoded = await encodedFor({ CidrBlock: "10.6.0.0/16" });
    const client = sts(creds.dev!);
    try {
      await assert.rejects(client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })), (e: Error) => {
        assert.equal(e.name, "AccessDenied");
        assert.equal(
          e.message,
          `User: arn:aws:iam::${account}:user/dev is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
        );
        return true;
      });
    } finally {
      client.destroy();
    }
    const bad = await h.awsError("sts", "decode-authorization-message", "--encoded-message", "not-a-message");
    assert.equal(bad.code, "InvalidAuthorizationMessageException");
  });
});
