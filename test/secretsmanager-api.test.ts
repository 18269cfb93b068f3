import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
  paginateListSecrets,
} from "@aws-sdk/client-secrets-manager";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { filesUnder } from "./helpers/data-dir-files.js";

const rejects = async (p: Promise<unknown>, name: string, message?: RegExp) => {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
};

describe("Secrets Manager through @aws-sdk/client-secrets-manager and the aws CLI", () => {
  let w: TestWharf;
  let sm: SecretsManagerClient;
  const run = `${process.pid}`;
  before(async () => {
    w = await startTestWharf({ server: { registry: false, lbDataPlane: false, dnsPort: false } });
    sm = new SecretsManagerClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
  });
  after(async () => w?.close());

  it("CreateSecret: ARN with a 6-character suffix, AWSCURRENT on the first version; the name, full ARN and partial ARN all name it", async () => {
    const name = `db/${run}/creds`;
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"username":"app","password":"pw-1"}', Description: "db" }));
    assert.match(out.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:${w.server.accountId}:secret:${name}-[A-Za-z0-9]{6}$`));
    assert.equal(out.Name, name);
    assert.ok(out.VersionId);
    const partial = out.ARN!.slice(0, -7);
    for (const id of [name, out.ARN!, partial]) {
      const v = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(v.SecretString, '{"username":"app","password":"pw-1"}');
      assert.deepEqual(v.VersionStages, ["AWSCURRENT"]);
      assert.equal(v.VersionId, out.VersionId);
      assert.equal(v.ARN, out.ARN);
    }
    await rejects(sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" })), "ResourceExistsException", new RegExp(`secret ${name} already exists`));
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: `nope-${run}` })), "ResourceNotFoundException", /^Secrets Manager can't find the specified secret\.$/);
    await rejects(sm.send(new CreateSecretCommand({ Name: `both-${run}`, SecretString: "x", SecretBinary: Buffer.from("y") })), "InvalidParameterException");
    await rejects(sm.send(new CreateSecretCommand({ Name: `bad name ${run}`, SecretString: "x" })), "InvalidParameterException", /Invalid name/);
  });

  it("binary secrets round-trip", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    await sm.send(new CreateSecretCommand({ Name: `bin-${run}`, SecretBinary: bytes }));
    const v = await sm.send(new GetSecretValueCommand({ SecretId: `bin-${run}` }));
    assert.equal(v.SecretString, undefined);
    assert.deepEqual(Buffer.from(v.SecretBinary!), bytes);
  });

  it("PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old; custom and AWSPENDING stages; UpdateSecretVersionStage", async () => {
    const name = `rot-${run}`;
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: "one" }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "two" }))).VersionId!;
    const stages = async () => (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;
    assert.deepEqual(await stages(), { [v1]: ["AWSPREVIOUS"], [v2]: ["AWSCURRENT"] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSPREVIOUS" }))).SecretString, "one");
    // A pending version, then the hand-made "finishSecret": AWSCURRENT moves, the old current becomes AWSPREVIOUS, v1 is deprecated.
    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "three", VersionStages: ["AWSPENDING"] }))).VersionId!;
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, "two");
    await rejects(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: "AWSCURRENT", MoveToVersionId: v3 })),
      "InvalidParameterException",
      new RegExp(`Staging label AWSCURRENT is currently attached to version ${v2}, so you must explicitly reference that version in RemoveFromVersionId`),
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: "AWSCURRENT", MoveToVersionId: v3, RemoveFromVersionId: v2 }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: "AWSPENDING", RemoveFromVersionId: v3 }));
    assert.deepEqual(await stages(), { [v2]: ["AWSPREVIOUS"], [v3]: ["AWSCURRENT"] });
    await rejects(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: "AWSCURRENT", RemoveFromVersionId: v3 })), "InvalidParameterException", /can’t be completely removed/);
    // Versions: the deprecated one only with IncludeDeprecated.
    const ids = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions!.map((v) => v.VersionId).sort();
    assert.deepEqual(ids, [v2, v3].sort());
    const all = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }))).Versions!.map((v) => v.VersionId).sort();
    assert.deepEqual(all, [v1, v2, v3].sort());
    // By version id; a stage the version lacks is not found.
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }))).SecretString, "one");
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSPENDING" })), "ResourceNotFoundException", /staging label: AWSPENDING/);
    // Idempotent by ClientRequestToken; another value under the same token is refused.
    const token = "11111111-2222-4333-8444-555555555555";
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "four", ClientRequestToken: token }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "four", ClientRequestToken: token }));
    await rejects(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "five", ClientRequestToken: token })), "ResourceExistsException");
    // UpdateSecret with a value is a new AWSCURRENT version too.
    await sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: "six", Description: "rotated by hand" }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, "six");
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSPREVIOUS" }))).SecretString, "four");
  });

  it("RotateSecret says rotation Lambdas are not available; the secret is unchanged", async () => {
    await sm.send(new CreateSecretCommand({ Name: `norot-${run}`, SecretString: "x" }));
    await rejects(
      sm.send(new RotateSecretCommand({ SecretId: `norot-${run}`, RotationLambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:rot" })),
      "InvalidRequestException",
      /no AWS Lambda/,
    );
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: `norot-${run}` }))).RotationEnabled, false);
  });

  it("DeleteSecret with a recovery window, RestoreSecret, and ForceDeleteWithoutRecovery", async () => {
    const name = `del-${run}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })), "InvalidParameterException", /in conjunction with RecoveryWindowInDays/);
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 3 })), "InvalidParameterException", /between 7 and 30 days/);
    const d = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const deleted = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.ok(deleted.DeletedDate instanceof Date);
    assert.equal(Math.round((d.DeletionDate!.getTime() - deleted.DeletedDate!.getTime()) / 86400_000), 7);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: name })), "InvalidRequestException", /marked for deletion/);
    await rejects(sm.send(new CreateSecretCommand({ Name: name, SecretString: "y" })), "InvalidRequestException", /scheduled for deletion/);
    assert.ok(!(await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [name] }] }))).SecretList!.some((s) => s.Name === name));
    assert.ok((await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [name] }], IncludePlannedDeletion: true }))).SecretList!.some((s) => s.Name === name));
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, "x");
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: name })), "ResourceNotFoundException");
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "again" }));
  });

  it("ListSecrets: filters (prefix, negation, tags, all) and paging; the CLI pages by itself", async () => {
    const base = `list${run}`;
    for (let i = 0; i < 7; i++) {
      await sm.send(new CreateSecretCommand({ Name: `${base}/s${i}`, SecretString: "x", Tags: [{ Key: "env", Value: i % 2 ? "prod" : "dev" }] }));
    }
    const names = async (filters: { Key: "name" | "tag-key" | "tag-value" | "all" | "description"; Values: string[] }[]) => {
      const out: string[] = [];
      for await (const p of paginateListSecrets({ client: sm, pageSize: 2 }, { Filters: filters })) out.push(...p.SecretList!.map((s) => s.Name!));
      return out.sort();
    };
    assert.equal((await names([{ Key: "name", Values: [`${base}/`] }])).length, 7);
    assert.deepEqual(await names([{ Key: "name", Values: [`${base}/`] }, { Key: "tag-value", Values: ["prod"] }]), [`${base}/s1`, `${base}/s3`, `${base}/s5`]);
    assert.deepEqual(await names([{ Key: "name", Values: [`${base}/`] }, { Key: "tag-value", Values: ["!prod"] }]), [`${base}/s0`, `${base}/s2`, `${base}/s4`, `${base}/s6`]);
    assert.equal((await names([{ Key: "name", Values: [base.toUpperCase()] }])).length, 0);
    const entry = (await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [`${base}/s0`] }] }))).SecretList![0]!;
    assert.deepEqual(Object.values(entry.SecretVersionsToStages!), [["AWSCURRENT"]]);
    const cli = await w.aws("secretsmanager", "list-secrets", "--filters", `Key=name,Values=${base}/`, "--page-size", "3");
    assert.equal(cli.SecretList.length, 7);
  });

  it("tags: TagResource / UntagResource, shown by DescribeSecret", async () => {
    const name = `tags-${run}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x", Tags: [{ Key: "a", Value: "1" }] }));
    await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: "b", Value: "2" }] }));
    await sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ["a"] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags, [{ Key: "b", Value: "2" }]);
    await rejects(sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: "aws:x", Value: "1" }] })), "InvalidParameterException");
  });

  it("GetRandomPassword honours length and exclusions", async () => {
    const p = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40, ExcludePunctuation: true, ExcludeCharacters: "abc" }))).RandomPassword!;
    assert.equal(p.length, 40);
    assert.match(p, /^[A-Za-z0-9]+$/);
    assert.doesNotMatch(p, /[abc]/);
    assert.match(p, /[0-9]/);
  });

  it("resource policies: put (BlockPublicPolicy), get, validate, delete — and evaluated: a user with no IAM policy reads through the secret's own", async () => {
    const name = `pol-${run}`;
    const arn = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: "shared" }))).ARN!;
    const iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const user = `sm-reader-${run}`;
    const userArn = (await iam.send(new CreateUserCommand({ UserName: user }))).User!.Arn!;
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    const reader = new SecretsManagerClient({ endpoint: w.server.url, region: "us-east-1", credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, maxAttempts: 1 });
    await rejects(reader.send(new GetSecretValueCommand({ SecretId: name })), "AccessDeniedException", /secretsmanager:GetSecretValue/);
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: userArn }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
    await sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: policy }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, policy);
    assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, "shared");
    await rejects(reader.send(new DescribeSecretCommand({ SecretId: name })), "AccessDeniedException");
    const open = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*" }] });
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: open })), "PublicPolicyException");
    const v = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: open }));
    assert.equal(v.PolicyValidationPassed, false);
    assert.equal(v.ValidationErrors![0]!.CheckName, "BROAD_ACCESS_CHECK");
    assert.equal((await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy, SecretId: name }))).PolicyValidationPassed, true);
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: "{not json" })), "MalformedPolicyDocumentException");
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: name }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, undefined);
    await rejects(reader.send(new GetSecretValueCommand({ SecretId: name })), "AccessDeniedException");
  });

  it("the aws CLI: create-secret, get-secret-value, and error codes", async () => {
    const name = `cli-${run}`;
    const c = await w.aws("secretsmanager", "create-secret", "--name", name, "--secret-string", '{"k":"v"}');
    assert.match(c.ARN, new RegExp(`:secret:${name}-[A-Za-z0-9]{6}$`));
    assert.equal((await w.aws("secretsmanager", "get-secret-value", "--secret-id", name)).SecretString, '{"k":"v"}');
    assert.equal((await w.awsError("secretsmanager", "get-secret-value", "--secret-id", `${name}-missing`)).code, "ResourceNotFoundException");
    assert.equal((await w.awsError("secretsmanager", "replicate-secret-to-regions", "--secret-id", name, "--add-replica-regions", "Region=eu-west-1")).code, "UnsupportedFeatureException");
  });

  it("the data directory's files hold no secret value in plaintext", async () => {
    const plain = `plaintext-sentinel-${run}-sm`;
    await sm.send(new CreateSecretCommand({ Name: `leak-${run}`, SecretString: JSON.stringify({ password: plain }) }));
    await sm.send(new PutSecretValueCommand({ SecretId: `leak-${run}`, SecretString: `${plain}-2` }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: `leak-${run}` }))).SecretString, `${plain}-2`);
    for (const f of filesUnder(w.dataDir)) assert.ok(!f.bytes.includes(plain), `${f.path} holds the plaintext`);
  });
});
