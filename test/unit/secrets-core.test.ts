import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { secretPasses, words } from "../../src/core/secretsmanager/filters.js";
import { randomPassword } from "../../src/core/secretsmanager/password.js";
import { addVersion, moveStage, newSuffix, newVersionId, parseSecretId, type SecretDoc, type SecretVersion } from "../../src/core/secretsmanager/secrets.js";
import { passes } from "../../src/core/ssm/filters.js";
import { labelVersion, nameFromArn, type ParameterDoc, parameterArn, parseSelector, putVersion, underPath } from "../../src/core/ssm/parameters.js";

const v = (id: string, stages: string[]): SecretVersion => ({ id, sealed: "v1.x", binary: false, stages, createdDate: 0 });
const stagesOf = (vs: SecretVersion[]) => Object.fromEntries(vs.map((x) => [x.id, [...x.stages].sort()]));

describe("Secrets Manager's stage moves", () => {
  it("a new AWSCURRENT version makes the old one AWSPREVIOUS and deprecates the one before", () => {
    let vs = addVersion([], { id: "a", sealed: "", binary: false, createdDate: 0 });
    vs = addVersion(vs, { id: "b", sealed: "", binary: false, createdDate: 1 });
    vs = addVersion(vs, { id: "c", sealed: "", binary: false, createdDate: 2 });
    assert.deepEqual(stagesOf(vs), { a: [], b: ["AWSPREVIOUS"], c: ["AWSCURRENT"] });
  });

  it("AWSPENDING leaves AWSCURRENT where it is; custom labels move from any version", () => {
    let vs = [v("a", ["AWSCURRENT", "blue"])];
    vs = addVersion(vs, { id: "b", sealed: "", binary: false, createdDate: 1 }, ["AWSPENDING", "blue"]);
    assert.deepEqual(stagesOf(vs), { a: ["AWSCURRENT"], b: ["AWSPENDING", "blue"] });
  });

  it("UpdateSecretVersionStage: RemoveFromVersionId is required while the label is elsewhere; AWSCURRENT can't be removed", () => {
    const vs = [v("a", ["AWSCURRENT"]), v("b", ["AWSPENDING"])];
    assert.throws(() => moveStage(vs, "AWSCURRENT", undefined, "b"), /must explicitly reference that version in RemoveFromVersionId/);
    assert.throws(() => moveStage(vs, "AWSCURRENT", "a", undefined), /can’t be completely removed/);
    assert.throws(() => moveStage(vs, "AWSPENDING", "a", undefined), /not attached to version a/);
    assert.deepEqual(stagesOf(moveStage(vs, "AWSCURRENT", "a", "b")), { a: ["AWSPREVIOUS"], b: ["AWSCURRENT", "AWSPENDING"] });
    assert.deepEqual(stagesOf(moveStage(vs, "AWSPENDING", "b", undefined)), { a: ["AWSCURRENT"], b: [] });
  });

  it("property: after any sequence of puts and moves, each label sits on at most one version and AWSCURRENT on exactly one", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("put" as const), stages: fc.subarray(["AWSCURRENT", "AWSPENDING", "x"], { minLength: 1 }) }),
      fc.record({ kind: fc.constant("move" as const), stage: fc.constantFrom("AWSCURRENT", "AWSPENDING", "x"), to: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let vs = addVersion([], { id: "v0", sealed: "", binary: false, createdDate: 0 });
        let n = 1;
        for (const o of ops) {
          if (o.kind === "put") vs = addVersion(vs, { id: `v${n++}`, sealed: "", binary: false, createdDate: n }, o.stages);
          else {
            const to = vs[o.to % vs.length]!.id;
            const holder = vs.find((x) => x.stages.includes(o.stage))?.id;
            vs = moveStage(vs, o.stage, holder, to);
          }
          for (const s of ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "x"]) assert.ok(vs.filter((x) => x.stages.includes(s)).length <= 1, s);
          assert.equal(vs.filter((x) => x.stages.includes("AWSCURRENT")).length, 1);
        }
      }),
    );
  });
});

describe("Secrets Manager's names and ids", () => {
  it("suffixes are 6 letters/digits; version ids are UUIDs", () => {
    let i = 0;
    const r = () => ((i = (i * 7 + 3) % 97) / 97);
    assert.match(newSuffix(r), /^[A-Za-z0-9]{6}$/);
    assert.match(newVersionId(r), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("a SecretId is a name, a full ARN, a partial ARN, or a foreign ARN", () => {
    assert.deepEqual(parseSecretId("db/creds", "000000000000", "us-east-1"), { name: "db/creds" });
    assert.deepEqual(parseSecretId("arn:aws:secretsmanager:us-east-1:000000000000:secret:db/creds-AbC123", "000000000000", "us-east-1"), {
      name: "db/creds-AbC123",
      maybeSuffix: { name: "db/creds", suffix: "AbC123" },
    });
    assert.equal(parseSecretId("arn:aws:secretsmanager:eu-west-1:000000000000:secret:x", "000000000000", "us-east-1").foreign, true);
  });

  it("ListSecrets filters: name prefix is case-sensitive, description is not, ! negates, all matches words", () => {
    const d = { name: "ProdDatabase", description: "Main DB", tags: [{ Key: "team", Value: "dogs" }] } as SecretDoc;
    assert.ok(secretPasses(d, [{ Key: "name", Values: ["Prod"] }]));
    assert.ok(!secretPasses(d, [{ Key: "name", Values: ["prod"] }]));
    assert.ok(secretPasses(d, [{ Key: "description", Values: ["main"] }]));
    assert.ok(!secretPasses(d, [{ Key: "tag-value", Values: ["!dogs"] }]));
    assert.ok(secretPasses(d, [{ Key: "all", Values: ["database"] }]));
    assert.deepEqual(words("credsDatabase#892"), ["creds", "database", "892"]);
  });

  it("GetRandomPassword: one of each included class, none excluded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 64 }), fc.boolean(), fc.boolean(), (length, noNum, noPunct) => {
        const p = randomPassword({ PasswordLength: length, ExcludeNumbers: noNum, ExcludePunctuation: noPunct }, Math.random);
        assert.equal(p.length, length);
        assert.match(p, /[a-z]/);
        assert.match(p, /[A-Z]/);
        if (noNum) assert.doesNotMatch(p, /\d/);
        else assert.match(p, /\d/);
      }),
    );
  });
});

describe("Parameter Store's rules", () => {
  const base = { accountId: "000000000000", region: "us-east-1", name: "/a/b", tags: [] };
  const put = (doc: ParameterDoc | undefined, value: string, extra: object = {}) =>
    putVersion(doc, { name: "/a/b", value, plainValue: value, plainLength: value.length, overwrite: !!doc, user: "u", type: "String", ...extra }, base, 1);

  it("ARNs drop the leading slash; ARNs of this account and Region give back the name", () => {
    assert.equal(parameterArn("000000000000", "us-east-1", "/a/b"), "arn:aws:ssm:us-east-1:000000000000:parameter/a/b");
    assert.equal(parameterArn("000000000000", "cn-north-1", "x"), "arn:aws-cn:ssm:cn-north-1:000000000000:parameter/x");
    assert.equal(nameFromArn("arn:aws:ssm:us-east-1:000000000000:parameter/a/b", "000000000000", "us-east-1"), "/a/b");
    assert.equal(nameFromArn("arn:aws:ssm:us-east-1:000000000000:parameter/x", "000000000000", "us-east-1"), "x");
  });

  it("selectors: name:3 is a version, name:label a label, an ARN's own colons are not", () => {
    assert.deepEqual(parseSelector("/a/b:3"), { name: "/a/b", version: 3, suffix: ":3" });
    assert.deepEqual(parseSelector("/a/b:prod"), { name: "/a/b", label: "prod", suffix: ":prod" });
    assert.deepEqual(parseSelector("arn:aws:ssm:us-east-1:000000000000:parameter/a/b"), { name: "arn:aws:ssm:us-east-1:000000000000:parameter/a/b" });
    assert.equal(parseSelector("arn:aws:ssm:us-east-1:000000000000:parameter/a/b:2").version, 2);
  });

  it("versions count up; labels move to the version named", () => {
    let d = put(undefined, "1");
    d = put(d, "2");
    d = put(d, "3");
    assert.deepEqual(d.versions.map((x) => x.version), [1, 2, 3]);
    d = labelVersion(d, 1, ["prod"]).doc;
    d = labelVersion(d, 2, ["prod"]).doc;
    assert.deepEqual(d.versions.map((x) => x.labels), [[], ["prod"], []]);
    assert.ok(passes(d, [{ Key: "Label", Values: ["prod"] }]));
  });

  it("paths: one level or recursive; / holds plain names", () => {
    assert.ok(underPath("/a/b", "/a", false));
    assert.ok(!underPath("/a/b/c", "/a", false));
    assert.ok(underPath("/a/b/c", "/a/", true));
    assert.ok(underPath("plain", "/", false));
    assert.ok(!underPath("/ab", "/a", true));
  });
});

describe("container secrets' valueFrom", () => {
  it("SSM names and ARNs; Secrets Manager ARNs with json-key, version-stage and version-id", async () => {
    const { parseValueFrom, pickJsonKey } = await import("../../src/core/secrets/value-from.js");
    assert.deepEqual(parseValueFrom("/app/db/password", "eu-west-1"), { source: "ssm", region: "eu-west-1", name: "/app/db/password" });
    assert.deepEqual(parseValueFrom("arn:aws:ssm:us-west-2:000000000000:parameter/app/x", "eu-west-1"), {
      source: "ssm",
      region: "us-west-2",
      name: "arn:aws:ssm:us-west-2:000000000000:parameter/app/x",
    });
    const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:app/api-AbC123";
    assert.deepEqual(parseValueFrom(arn, "eu-west-1"), { source: "asm", region: "us-east-1", secretId: arn });
    assert.deepEqual(parseValueFrom(`${arn}:password::`, "eu-west-1"), { source: "asm", region: "us-east-1", secretId: arn, jsonKey: "password" });
    assert.deepEqual(parseValueFrom(`${arn}::AWSPREVIOUS:`, "x"), { source: "asm", region: "us-east-1", secretId: arn, versionStage: "AWSPREVIOUS" });
    assert.deepEqual(parseValueFrom(`${arn}:k:AWSCURRENT:v-1`, "x"), { source: "asm", region: "us-east-1", secretId: arn, jsonKey: "k", versionStage: "AWSCURRENT", versionId: "v-1" });
    assert.throws(() => parseValueFrom(`${arn}:a:b:c:d`, "x"), /invalid Secrets Manager reference/);
    assert.throws(() => parseValueFrom("arn:aws:s3:::bucket/x", "x"), /invalid secret reference/);
    const ref = { source: "asm" as const, region: "r", secretId: arn, jsonKey: "password" };
    assert.equal(pickJsonKey('{"password":"pw","n":3}', ref), "pw");
    assert.equal(pickJsonKey('{"password":{"a":1}}', ref), '{"a":1}');
    assert.throws(() => pickJsonKey('{"user":"u"}', ref), /did not contain json key password/);
    assert.throws(() => pickJsonKey("not json", ref), /did not contain json key password/);
  });
});
