import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { evaluate } from "../src/core/iam/index.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error("expected the call to fail");
}

/**
 * STS as a user meets it (@aws-sdk/client-sts and the aws CLI against a running Wharf): who am I
 * for the root, a user and a role session; AssumeRole decided by the trust policy and the caller's
 * own policies, ExternalId, duration limits, root refused; the session's credentials sign calls
 * and expire; session policies and tags reach the resolved caller; GetSessionToken; a service
 * principal assuming a task role.
 */
describe("STS API (SDK and aws CLI)", () => {
  let h: TestWharf;
  let iam: IAMClient;
  let shift = 0;
  const clients: STSClient[] = [];
  const sts = (credentials: Creds) => {
    const c = new STSClient({ endpoint: h.server.url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: shift });
    clients.push(c);
    return c;
  };
  let account = "";
  let bob: Creds;
  let dave: Creds;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, clock: { now: () => Date.now() + shift } } });
    account = h.server.accountId;
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    const key = async (user: string) => {
      await iam.send(new CreateUserCommand({ UserName: user }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    bob = await key("bob");
    dave = await key("dave");
    // bob may assume any role by his identity policy; dave has no policy.
    await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "assume", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*" }] }) }));
    const trust = (principal: unknown, condition?: unknown) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: ["sts:AssumeRole", "sts:TagSession"], ...(condition ? { Condition: condition } : {}) }] });
    await iam.send(new CreateRoleCommand({ RoleName: "deploy", Path: "/ops/", AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${account}:root` }), MaxSessionDuration: 7200 }));
    await iam.send(new CreateRoleCommand({ RoleName: "for-dave", AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${account}:user/dave` }) }));
    await iam.send(new CreateRoleCommand({ RoleName: "partner", AssumeRolePolicyDocument: trust({ AWS: account }, { StringEquals: { "sts:ExternalId": "s3cret" } }) }));
    await iam.send(new CreateRoleCommand({ RoleName: "task", AssumeRolePolicyDocument: trust({ Service: "ecs-tasks.amazonaws.com" }) }));
    const ecsAll = (await iam.send(new CreatePolicyCommand({ PolicyName: "ecs-all", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }] }) }))).Policy!;
    await iam.send(new AttachUserPolicyCommand({ UserName: "bob", PolicyArn: ecsAll.Arn! }));
    const { AttachRolePolicyCommand } = await import("@aws-sdk/client-iam");
    await iam.send(new AttachRolePolicyCommand({ RoleName: "deploy", PolicyArn: ecsAll.Arn! }));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    iam?.destroy();
    await h?.close();
  });

  it("GetCallerIdentity answers the root, an IAM user, and (aws CLI) the root's ARN", async () => {
    const root = await sts(h.server.credentials).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([root.Arn, root.UserId, root.Account], [`arn:aws:iam::${account}:root`, account, account]);
    const user = await sts(bob).send(new GetCallerIdentityCommand({}));
    assert.equal(user.Arn, `arn:aws:iam::${account}:user/bob`);
    assert.match(user.UserId!, /^AIDA/);
    const cli = await h.aws("sts", "get-caller-identity");
    assert.equal(cli.Arn, `arn:aws:iam::${account}:root`);
  });

  it("AssumeRole: the session's credentials sign GetCallerIdentity and answer the assumed-role ARN", async () => {
    const out = await sts(bob).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ops/deploy`, RoleSessionName: "ci-1", DurationSeconds: 7200 }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c.SessionToken!.length > 100);
    const ttl = c.Expiration!.getTime() - Date.now();
    assert.ok(ttl > 7100_000 && ttl <= 7200_000, `expires in ${ttl} ms`);
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${account}:assumed-role/deploy/ci-1`);
    const who = await sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/deploy/ci-1`);
    assert.equal(who.UserId, out.AssumedRoleUser!.AssumedRoleId);
    assert.match(who.UserId!, /^AROA[A-Z2-7]{17}:ci-1$/);
    // Role chaining (a role trusting deploy's sessions): at most an hour.
    const next = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:role/ops/deploy` }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "next", AssumeRolePolicyDocument: next, MaxSessionDuration: 7200 }));
    const session = sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    const chained = await refusal(session.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/next`, RoleSessionName: "x2", DurationSeconds: 7200 })));
    assert.deepEqual([chained.name, chained.message], ["ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."]);
    const hop = await session.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/next`, RoleSessionName: "x2" }));
    assert.equal(hop.AssumedRoleUser!.Arn, `arn:aws:sts::${account}:assumed-role/next/x2`);
  });

  it("AssumeRole is refused as STS refuses it: no identity policy, the root, a missing role, a long duration, ExternalId", async () => {
    const deploy = `arn:aws:iam::${account}:role/ops/deploy`;
    const daveDenied = await refusal(sts(dave).send(new AssumeRoleCommand({ RoleArn: deploy, RoleSessionName: "s1" })));
    assert.deepEqual([daveDenied.name, daveDenied.message], ["AccessDenied", `User: arn:aws:iam::${account}:user/dave is not authorized to perform: sts:AssumeRole on resource: ${deploy}`]);
    // A trust policy naming dave himself is enough, without an identity policy.
    await sts(dave).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/for-dave`, RoleSessionName: "s1" }));
    const root = await refusal(sts(h.server.credentials).send(new AssumeRoleCommand({ RoleArn: deploy, RoleSessionName: "s1" })));
    assert.deepEqual([root.name, root.message], ["AccessDenied", "Roles may not be assumed by root accounts."]);
    const missing = await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/nope`, RoleSessionName: "s1" })));
    assert.deepEqual([missing.name, missing.message], ["AccessDenied", `User: arn:aws:iam::${account}:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/nope`]);
    const long = await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: deploy, RoleSessionName: "s1", DurationSeconds: 7201 })));
    assert.deepEqual([long.name, long.message], ["ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."]);
    const short = await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: deploy, RoleSessionName: "s1", DurationSeconds: 899 })));
    assert.equal(short.name, "ValidationError");
    assert.match(short.message, /Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    const badName = await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: deploy, RoleSessionName: "has space" })));
    assert.equal(badName.name, "ValidationError");
    const partner = `arn:aws:iam::${account}:role/partner`;
    assert.equal((await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: partner, RoleSessionName: "pp" })))).name, "AccessDenied");
    assert.equal((await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: partner, RoleSessionName: "pp", ExternalId: "wrong" })))).name, "AccessDenied");
    await sts(bob).send(new AssumeRoleCommand({ RoleArn: partner, RoleSessionName: "pp", ExternalId: "s3cret" }));
  });

  it("session policies intersect the role's and session tags become principal tags of the resolved caller", async () => {
    const out = await sts(bob).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/ops/deploy`,
        RoleSessionName: "narrow",
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:List*", Resource: "*" }] }),
        Tags: [{ Key: "team", Value: "blue" }],
      }),
    );
    assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! <= 100);
    const caller = h.server.iam.identities.resolve(out.Credentials!.AccessKeyId!)!;
    assert.equal(caller.sessionToken, out.Credentials!.SessionToken);
    assert.equal(Math.floor(caller.expiresAt! / 1000) * 1000, out.Credentials!.Expiration!.getTime());
    assert.deepEqual(caller.principal.tags, { team: "blue" });
    const decide = (action: string) => evaluate({ principal: caller.principal, action, resource: "*" }, caller.policies).decision;
    assert.equal(decide("ecs:ListClusters"), "Allow");
    assert.equal(decide("ecs:CreateCluster"), "ImplicitDeny", "the role allows ecs:*, the session policy only ecs:List*");
    const malformed = await refusal(sts(bob).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ops/deploy`, RoleSessionName: "mm", Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:List*" }] }) })));
    assert.equal(malformed.name, "MalformedPolicyDocumentException");
  });

  it("GetSessionToken for a user (and the root); not with session credentials", async () => {
    const t = (await sts(bob).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
    const creds = { accessKeyId: t.AccessKeyId!, secretAccessKey: t.SecretAccessKey!, sessionToken: t.SessionToken! };
    assert.equal((await sts(creds).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${account}:user/bob`);
    const again = await refusal(sts(creds).send(new GetSessionTokenCommand({})));
    assert.deepEqual([again.name, again.message], ["AccessDenied", "Cannot call GetSessionToken with session credentials"]);
    const root = (await sts(h.server.credentials).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }))).Credentials!;
    assert.ok(root.Expiration!.getTime() - Date.now() <= 3600_000, "root sessions last at most an hour");
  });

  it("assumeRoleForService: ecs-tasks.amazonaws.com gets a role trusting it, not one that does not", async () => {
    const out = await h.server.iam.assumeRoleForService(`arn:aws:iam::${account}:role/task`, "ecs-tasks.amazonaws.com", "task-1");
    const who = await sts({ accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/task/task-1`);
    await assert.rejects(h.server.iam.assumeRoleForService(`arn:aws:iam::${account}:role/ops/deploy`, "ecs-tasks.amazonaws.com", "task-1"), { name: "AccessDenied" });
    // The edge's RoleDirectory view of the same: trusted, not trusted, no such role.
    const trusts = (arn: string) => h.server.iam.roles.trusts(arn, "ecs-tasks.amazonaws.com");
    assert.deepEqual([trusts(`arn:aws:iam::${account}:role/task`), trusts(`arn:aws:iam::${account}:role/ops/deploy`), trusts(`arn:aws:iam::${account}:role/nope`)], [true, false, undefined]);
  });

  it("an expired session stops working and is pruned", async () => {
    const c = (await sts(bob).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ops/deploy`, RoleSessionName: "short", DurationSeconds: 900 }))).Credentials!;
    const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    await sts(creds).send(new GetCallerIdentityCommand({}));
    shift = 901_000;
    try {
      const expired = await refusal(sts(creds).send(new GetCallerIdentityCommand({})));
      assert.equal(expired.name, "ExpiredToken");
      assert.ok(h.server.iam.identities.expired(c.AccessKeyId!));
      await h.server.iam.pruneNow(); // (the failed resolve may have pruned it already)
      assert.equal(h.server.iam.dir.get("sts-session", c.AccessKeyId!), undefined);
    } finally {
      shift = 0;
    }
  });

  it("a forged or missing session token fails", async () => {
    const c = (await sts(bob).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ops/deploy`, RoleSessionName: "tok" }))).Credentials!;
    const forged = await refusal(sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: "forged" }).send(new GetCallerIdentityCommand({})));
    assert.equal(forged.name, "InvalidClientTokenId");
    const missing = await refusal(sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! }).send(new GetCallerIdentityCommand({})));
    assert.equal(missing.name, "InvalidClientTokenId");
  });
});
