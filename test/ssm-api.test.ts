import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
  paginateGetParametersByPath,
} from "@aws-sdk/client-ssm";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { filesUnder } from "./helpers/data-dir-files.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const rejects = async (p: Promise<unknown>, name: string, message?: RegExp) => {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
};

describe("SSM Parameter Store through @aws-sdk/client-ssm and the aws CLI", () => {
  let w: TestWharf;
  let ssm: SSMClient;
  const run = `${process.pid}`;
  before(async () => {
    w = await startTestWharf({ server: { registry: false, lbDataPlane: false, dnsPort: false } });
    ssm = new SSMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
  });
  after(async () => w?.close());

  it("PutParameter creates version 1; a second put is ParameterAlreadyExists until Overwrite; GetParameter answers the newest", async () => {
    const name = `/app${run}/db/host`;
    assert.deepEqual(await ssm.send(new PutParameterCommand({ Name: name, Value: "db-1", Type: "String", Description: "the host" })).then((o) => [o.Version, o.Tier]), [1, "Standard"]);
    await rejects(
      ssm.send(new PutParameterCommand({ Name: name, Value: "db-2", Type: "String" })),
      "ParameterAlreadyExists",
      /^The parameter already exists\. To overwrite this value, set the overwrite option in the request to true\.$/,
    );
    assert.equal((await ssm.send(new PutParameterCommand({ Name: name, Value: "db-2", Overwrite: true }))).Version, 2);
    const p = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!;
    assert.equal(p.Name, name);
    assert.equal(p.Value, "db-2");
    assert.equal(p.Version, 2);
    assert.equal(p.Type, "String");
    assert.equal(p.DataType, "text");
    assert.equal(p.ARN, `arn:aws:ssm:us-east-1:${w.server.accountId}:parameter/app${run}/db/host`);
    assert.ok(p.LastModifiedDate instanceof Date);
    // By ARN, and with a version selector.
    const old = (await ssm.send(new GetParameterCommand({ Name: `${p.ARN}:1` }))).Parameter!;
    assert.deepEqual([old.Value, old.Version, old.Selector], ["db-1", 1, ":1"]);
    await rejects(ssm.send(new GetParameterCommand({ Name: `${name}:9` })), "ParameterVersionNotFound", /could not find version 9 of/);
    await rejects(ssm.send(new GetParameterCommand({ Name: `/nope${run}` })), "ParameterNotFound");
  });

  it("SecureString: sealed unless WithDecryption, KeyId recorded (alias/aws/ssm by default)", async () => {
    const name = `/app${run}/secure/token`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: "s3cr3t-token-value", Type: "SecureString" }));
    const hidden = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!;
    assert.equal(hidden.Type, "SecureString");
    assert.notEqual(hidden.Value, "s3cr3t-token-value");
    const shown = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!;
    assert.equal(shown.Value, "s3cr3t-token-value");
    const meta = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: [name] }] }));
    assert.equal(meta.Parameters![0]!.KeyId, "alias/aws/ssm");
    await ssm.send(new PutParameterCommand({ Name: `${name}-k`, Value: "x", Type: "SecureString", KeyId: "alias/mine" }));
    const k = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "KeyId", Values: ["alias/mine"] }] }));
    assert.deepEqual(k.Parameters!.map((x) => x.Name), [`${name}-k`]);
    await rejects(ssm.send(new PutParameterCommand({ Name: `${name}-s`, Value: "x", Type: "String", KeyId: "alias/mine" })), "ValidationException");
  });

  it("names, AllowedPattern, tiers and StringList follow SSM's rules", async () => {
    await rejects(ssm.send(new PutParameterCommand({ Name: "a/b", Value: "x", Type: "String" })), "ValidationException", /fully qualified/);
    await rejects(ssm.send(new PutParameterCommand({ Name: "/aws/x", Value: "x", Type: "String" })), "AccessDeniedException", /reserved parameter name/);
    await rejects(ssm.send(new PutParameterCommand({ Name: "ssm-thing", Value: "x", Type: "String" })), "ValidationException", /can't be prefixed with "aws" or "ssm"/);
    const deep = "/" + Array.from({ length: 16 }, (_, i) => `l${i}`).join("/");
    await rejects(ssm.send(new PutParameterCommand({ Name: deep, Value: "x", Type: "String" })), "HierarchyLevelLimitExceededException");
    await rejects(
      ssm.send(new PutParameterCommand({ Name: `/app${run}/port`, Value: "http", Type: "String", AllowedPattern: "^\\d+$" })),
      "ParameterPatternMismatchException",
      /cannot be validated against allowedPattern: \^\\d\+\$/,
    );
    await ssm.send(new PutParameterCommand({ Name: `/app${run}/port`, Value: "8080", Type: "String", AllowedPattern: "^\\d+$" }));
    // The pattern stays with the parameter on overwrite.
    await rejects(ssm.send(new PutParameterCommand({ Name: `/app${run}/port`, Value: "x", Overwrite: true })), "ParameterPatternMismatchException");
    const big = "v".repeat(5000);
    await rejects(ssm.send(new PutParameterCommand({ Name: `/app${run}/big`, Value: big, Type: "String" })), "ValidationException", /Standard tier parameters support a maximum/);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: `/app${run}/big`, Value: big, Type: "String", Tier: "Intelligent-Tiering" }))).Tier, "Advanced");
    await rejects(
      ssm.send(new PutParameterCommand({ Name: `/app${run}/big`, Value: "small", Overwrite: true, Tier: "Standard" })),
      "ValidationException",
      /can't downgrade a parameter from the advanced-parameter tier/,
    );
    await ssm.send(new PutParameterCommand({ Name: `/app${run}/list`, Value: "a,b,c", Type: "StringList" }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: `/app${run}/list` }))).Parameter!.Value, "a,b,c");
    // A model violation is SSM's ValidationException in the model's words.
    await rejects(ssm.send(new PutParameterCommand({ Name: "", Value: "x", Type: "String" })), "ValidationException", /validation error detected/);
  });

  it("GetParameters answers the found ones and lists the others in InvalidParameters", async () => {
    await ssm.send(new PutParameterCommand({ Name: `/gp${run}/a`, Value: "A", Type: "String" }));
    const out = await ssm.send(new GetParametersCommand({ Names: [`/gp${run}/a`, `/gp${run}/missing`, `/gp${run}/a:7`] }));
    assert.deepEqual(out.Parameters!.map((p) => p.Value), ["A"]);
    assert.deepEqual(out.InvalidParameters, [`/gp${run}/missing`, `/gp${run}/a:7`]);
  });

  it("GetParametersByPath: one level or recursive, filters, and paging (the SDK paginator and the CLI)", async () => {
    const base = `/tree${run}`;
    for (let i = 0; i < 13; i++) await ssm.send(new PutParameterCommand({ Name: `${base}/p${String(i).padStart(2, "0")}`, Value: `v${i}`, Type: "String" }));
    await ssm.send(new PutParameterCommand({ Name: `${base}/sub/deep`, Value: "d", Type: "SecureString" }));
    const one = await ssm.send(new GetParametersByPathCommand({ Path: base }));
    assert.equal(one.Parameters!.length, 10);
    assert.ok(one.NextToken);
    const all: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: base })) all.push(...page.Parameters!.map((p) => p.Name!));
    assert.equal(all.length, 13);
    assert.ok(!all.includes(`${base}/sub/deep`));
    const rec: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: base, Recursive: true })) rec.push(...page.Parameters!.map((p) => p.Name!));
    assert.equal(rec.length, 14);
    const secure = await ssm.send(new GetParametersByPathCommand({ Path: base, Recursive: true, WithDecryption: true, ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }));
    assert.deepEqual(secure.Parameters!.map((p) => [p.Name, p.Value]), [[`${base}/sub/deep`, "d"]]);
    await rejects(ssm.send(new GetParametersByPathCommand({ Path: base, ParameterFilters: [{ Key: "Name", Values: ["x"] }] })), "InvalidFilterKey");
    await rejects(ssm.send(new GetParametersByPathCommand({ Path: base, NextToken: "garbage" })), "InvalidNextToken");
    // The aws CLI pages through by itself.
    const cli = await w.aws("ssm", "get-parameters-by-path", "--path", base, "--recursive");
    assert.equal(cli.Parameters.length, 14);
  });

  it("DescribeParameters filters by Name (BeginsWith), Path, Type, Tier and tags", async () => {
    const base = `/desc${run}`;
    await ssm.send(new PutParameterCommand({ Name: `${base}/one`, Value: "1", Type: "String", Tags: [{ Key: "team", Value: "dogs" }] }));
    await ssm.send(new PutParameterCommand({ Name: `${base}/two`, Value: "2", Type: "StringList" }));
    const names = async (f: { Key: string; Option?: string; Values?: string[] }[]) =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: f, MaxResults: 50 }))).Parameters!.map((p) => p.Name);
    assert.deepEqual(await names([{ Key: "Name", Option: "BeginsWith", Values: [`${base}/`] }]), [`${base}/one`, `${base}/two`]);
    assert.deepEqual(await names([{ Key: "Path", Option: "OneLevel", Values: [base] }, { Key: "Type", Values: ["StringList"] }]), [`${base}/two`]);
    assert.deepEqual(await names([{ Key: "tag:team", Values: ["dogs"] }]), [`${base}/one`]);
    await rejects(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Recursive", Values: ["x"] }] })), "InvalidFilterOption");
    const cli = await w.aws("ssm", "describe-parameters", "--parameter-filters", `Key=Path,Option=Recursive,Values=${base}`);
    assert.deepEqual(cli.Parameters.map((p: { Name: string }) => p.Name), [`${base}/one`, `${base}/two`]);
  });

  it("history, labels (moved between versions, invalid ones returned) and name:label selectors", async () => {
    const name = `/hist${run}/v`;
    for (const v of ["one", "two", "three"]) await ssm.send(new PutParameterCommand({ Name: name, Value: v, Type: "SecureString", Overwrite: v !== "one" }));
    const l = await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ["prod", "1bad", "awsx"] }));
    assert.deepEqual([l.ParameterVersion, l.InvalidLabels], [1, ["1bad", "awsx"]]);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: `${name}:prod`, WithDecryption: true }))).Parameter!.Value, "one");
    await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 3, Labels: ["prod"] }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: `${name}:prod`, WithDecryption: true }))).Parameter!.Value, "three");
    const h = await ssm.send(new GetParameterHistoryCommand({ Name: name, WithDecryption: true }));
    assert.deepEqual(h.Parameters!.map((p) => [p.Version, p.Value, p.Labels]), [[1, "one", []], [2, "two", []], [3, "three", ["prod"]]]);
    const paged = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 2 }));
    assert.equal(paged.Parameters!.length, 2);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 2, NextToken: paged.NextToken }));
    assert.deepEqual(rest.Parameters!.map((p) => p.Version), [3]);
    const u = await ssm.send(new UnlabelParameterVersionCommand({ Name: name, ParameterVersion: 3, Labels: ["prod", "none"] }));
    assert.deepEqual([u.RemovedLabels, u.InvalidLabels], [["prod"], ["none"]]);
    await rejects(ssm.send(new GetParameterCommand({ Name: `${name}:prod` })), "ParameterVersionNotFound");
    await rejects(ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 9, Labels: ["x"] })), "ParameterVersionNotFound");
    // A version carries 10 labels at most (one call carries 10 at most: the model's limit).
    await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 2, Labels: Array.from({ length: 6 }, (_, i) => `a${i}`) }));
    await rejects(
      ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 2, Labels: Array.from({ length: 5 }, (_, i) => `b${i}`) })),
      "ParameterVersionLabelLimitExceeded",
      /maximum 10 labels/,
    );
  });

  it("tags: add, list, remove; an unknown parameter is InvalidResourceId", async () => {
    const name = `/tags${run}/p`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: "x", Type: "String" }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: name, Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: name, TagKeys: ["a"] }));
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: name }))).TagList, [{ Key: "b", Value: "2" }]);
    await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: `/none${run}` })), "InvalidResourceId");
    await rejects(
      ssm.send(new PutParameterCommand({ Name: name, Value: "y", Overwrite: true, Tags: [{ Key: "c", Value: "3" }] })),
      "ValidationException",
      /tags and overwrite can't be used together/,
    );
  });

  it("DeleteParameter and DeleteParameters; the CLI shows SSM's error codes", async () => {
    const name = `/del${run}/p`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: "x", Type: "String" }));
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    await rejects(ssm.send(new DeleteParameterCommand({ Name: name })), "ParameterNotFound", new RegExp(`^Parameter ${name} not found\\.$`));
    await ssm.send(new PutParameterCommand({ Name: `${name}2`, Value: "x", Type: "String" }));
    const out = await ssm.send(new DeleteParametersCommand({ Names: [`${name}2`, `${name}3`] }));
    assert.deepEqual([out.DeletedParameters, out.InvalidParameters], [[`${name}2`], [`${name}3`]]);
    const e = await w.awsError("ssm", "get-parameter", "--name", `${name}2`);
    assert.equal(e.code, "ParameterNotFound");
    const rest = await w.awsError("ssm", "list-documents");
    assert.equal(rest.code, "UnsupportedFeatureException");
  });

  it("IAM decides: a user allowed ssm:GetParameter on one path reads it and is denied the rest", async () => {
    const iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const user = `ssm-reader-${run}`;
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user,
        PolicyName: "read",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:us-east-1:${w.server.accountId}:parameter/iam${run}/ok/*` }],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    await ssm.send(new PutParameterCommand({ Name: `/iam${run}/ok/a`, Value: "yes", Type: "String" }));
    await ssm.send(new PutParameterCommand({ Name: `/iam${run}/no/a`, Value: "no", Type: "String" }));
    const reader = new SSMClient({ endpoint: w.server.url, region: "us-east-1", credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, maxAttempts: 1 });
    assert.equal((await reader.send(new GetParameterCommand({ Name: `/iam${run}/ok/a` }))).Parameter!.Value, "yes");
    await rejects(reader.send(new GetParameterCommand({ Name: `/iam${run}/no/a` })), "AccessDeniedException", /ssm:GetParameter/);
  });

  it("the data directory's files hold no SecureString value in plaintext", async () => {
    const plain = `plaintext-sentinel-${run}-ssm`;
    await ssm.send(new PutParameterCommand({ Name: `/leak${run}/p`, Value: plain, Type: "SecureString" }));
    await ssm.send(new PutParameterCommand({ Name: `/leak${run}/p`, Value: `${plain}-2`, Overwrite: true }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: `/leak${run}/p`, WithDecryption: true }))).Parameter!.Value, `${plain}-2`);
    const files = filesUnder(w.dataDir);
    assert.ok(files.some((f) => f.path.endsWith("wharf.db")));
    for (const f of files) assert.ok(!f.bytes.includes(plain), `${f.path} holds the plaintext`);
  });
});
