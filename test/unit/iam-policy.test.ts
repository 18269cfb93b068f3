import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePolicy, type PolicyKind } from "../../src/core/iam/policy.js";
import { checkAssumeRole } from "../../src/core/iam/trust.js";
import { A, ALICE, B, BOB_B, ECS_TASKS, ROLE_ARN, ROOT, SESSION, allow, pol } from "./iam-cases.js";

const V = "2012-10-17";
const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: V, Statement: statement, ...extra });
const ok = { Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" };
const trustOk = { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" };

/** [description, kind, document text, IAM's MalformedPolicyDocument message]. */
const MALFORMED: [string, PolicyKind, string, string][] = [
  ["not JSON", "identity", "{", "Syntax errors in policy."],
  ["a JSON array", "identity", "[]", "Syntax errors in policy."],
  ["no Statement", "identity", JSON.stringify({ Version: V }), "Syntax errors in policy."],
  ["an empty Statement list", "identity", doc([]), "Syntax errors in policy."],
  ["an unknown top-level field", "identity", doc(ok, { Foo: 1 }), "Syntax errors in policy."],
  ["an unknown Version", "identity", JSON.stringify({ Version: "2020-01-01", Statement: ok }), "Syntax errors in policy."],
  ["an unknown statement field", "identity", doc({ ...ok, Foo: "x" }), "Syntax errors in policy."],
  ["Action and NotAction together", "identity", doc({ ...ok, NotAction: "x:y" }), "Syntax errors in policy."],
  ["Resource and NotResource together", "identity", doc({ ...ok, NotResource: "*" }), "Syntax errors in policy."],
  ["no Effect", "identity", doc({ Action: "ecs:*", Resource: "*" }), "Syntax errors in policy."],
  ["Effect Maybe", "identity", doc({ ...ok, Effect: "Maybe" }), "Syntax errors in policy."],
  ["Action a number", "identity", doc({ ...ok, Action: 3 }), "Syntax errors in policy."],
  ["an unknown condition operator", "identity", doc({ ...ok, Condition: { StringEqualz: { "aws:username": "a" } } }), "Syntax errors in policy."],
  ["a condition value an object", "identity", doc({ ...ok, Condition: { StringEquals: { "aws:username": { a: 1 } } } }), "Syntax errors in policy."],
  ["a principal in an identity policy", "identity", doc({ ...ok, Principal: "*" }), "Policy document should not specify a principal."],
  ["a NotPrincipal in a managed policy", "managed", doc({ ...ok, NotPrincipal: { AWS: A } }), "Policy document should not specify a principal."],
  ["a managed policy without Version", "managed", JSON.stringify({ Statement: ok }), "Policy document must be version 2012-10-17 or greater."],
  ["a managed policy of 2008-10-17", "managed", JSON.stringify({ Version: "2008-10-17", Statement: ok }), "Policy document must be version 2012-10-17 or greater."],
  ["lower-case effect (legacy parser)", "identity", doc({ ...ok, Effect: "allow" }), "The policy failed legacy parsing"],
  ["a bad date value", "identity", doc({ ...ok, Condition: { DateLessThan: { "aws:CurrentTime": "2026-13-01" } } }), "The policy failed legacy parsing"],
  ["a duplicated Sid", "identity", doc([{ ...ok, Sid: "a" }, { ...ok, Sid: "a" }]), "Statement IDs (SID) in a single policy must be unique."],
  ["no Action", "identity", doc({ Effect: "Allow", Resource: "*" }), "Policy statement must contain actions."],
  ["an empty Action list", "identity", doc({ ...ok, Action: [] }), "Policy statement must contain actions."],
  ["no Resource", "identity", doc({ Effect: "Allow", Action: "ecs:*" }), "Policy statement must contain resources."],
  ["a Resource that is not an ARN", "identity", doc({ ...ok, Resource: "cluster" }), 'Resource cluster must be in ARN format or "*".'],
  ["an IAM ARN with a region", "identity", doc({ ...ok, Resource: `arn:aws:iam:us-east-1:${A}:role/x` }), `IAM resource arn:aws:iam:us-east-1:${A}:role/x cannot contain region information.`],
  ["an action without vendor", "identity", doc({ ...ok, Action: "ListClusters" }), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
  ["an action with two colons", "identity", doc({ ...ok, Action: "ecs:List:Clusters" }), "Actions/Condition can contain only one colon."],
  ["an invalid vendor", "identity", doc({ ...ok, Action: "ec$:List" }), "Vendor ec$ is not valid"],
  ["a trust policy with Resource", "trust", doc({ ...trustOk, Resource: "*" }), "Has prohibited field Resource"],
  ["a trust policy without principal", "trust", doc({ Effect: "Allow", Action: "sts:AssumeRole" }), "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"],
  ["a trust policy naming a bad AWS principal", "trust", doc({ ...trustOk, Principal: { AWS: "bob" } }), 'Invalid principal in policy: "AWS":"bob"'],
  ["a trust policy with an unknown principal type", "trust", doc({ ...trustOk, Principal: { Robot: "x" } }), "Syntax errors in policy."],
  ["a resource policy without Resource", "resource", doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }), "Policy statement must contain resources."],
];

describe("IAM policy documents: MalformedPolicyDocument", () => {
  for (const [d, kind, text, message] of MALFORMED) {
    it(d, () => {
      assert.throws(() => parsePolicy(text, kind), (e: Error & { code?: string }) => {
        assert.equal(e.code, "MalformedPolicyDocument");
        assert.equal(e.message, message);
        return true;
      });
    });
  }
  it("accepts the forms IAM accepts", () => {
    parsePolicy(doc(ok), "managed");
    parsePolicy(JSON.stringify({ Statement: ok }), "identity"); // inline: Version optional
    parsePolicy(JSON.stringify({ Version: "2008-10-17", Statement: [trustOk] }), "trust"); // the ECS docs' trust policy
    parsePolicy(doc({ ...ok, Resource: "arn:aws:ecs:*" }), "identity"); // short ARN, legacy parser accepts
    parsePolicy(doc({ ...ok, Condition: { Bool: { "aws:SecureTransport": false } } }), "identity");
    parsePolicy(doc({ ...ok, Condition: { Foo: {} } }), "identity"); // unknown operator with an empty block
    parsePolicy(doc({ Effect: "Allow", Principal: { AWS: [A, `arn:aws:iam::${B}:root`, ROLE_ARN] }, Action: "sts:AssumeRole" }), "trust");
    const d = parsePolicy(doc(ok, { Id: "x" }), "identity");
    assert.deepEqual(d.statements[0]!.action, ["ecs:ListClusters"]);
  });
});

const trust = (principal: unknown, extra: Record<string, unknown> = {}, action: unknown = "sts:AssumeRole") =>
  pol({ Effect: "Allow", Principal: principal, Action: action, ...extra }, "trust");

describe("trust policies: checkAssumeRole", () => {
  const cases: [string, Parameters<typeof checkAssumeRole>[0], boolean][] = [
    ["ecs-tasks.amazonaws.com is trusted", { caller: ECS_TASKS, roleArn: ROLE_ARN, trustPolicy: trust({ Service: "ecs-tasks.amazonaws.com" }) }, true],
    ["another service is not", { caller: { ...ECS_TASKS, arn: "ec2.amazonaws.com", service: "ec2.amazonaws.com" }, roleArn: ROLE_ARN, trustPolicy: trust({ Service: "ecs-tasks.amazonaws.com" }) }, false],
    ["a user named in the trust policy needs no identity policy (same account)", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: ALICE.arn }) }, true],
    ["account root in the trust policy: the user's identity policy must allow", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: `arn:aws:iam::${A}:root` }) }, false],
    ["account root + identity policy allowing sts:AssumeRole", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: `arn:aws:iam::${A}:root` }), callerPolicies: { identity: [pol(allow("sts:AssumeRole", ROLE_ARN))] } }, true],
    ["account root + identity policy for another role", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: A }), callerPolicies: { identity: [pol(allow("sts:AssumeRole", `arn:aws:iam::${A}:role/other`))] } }, false],
    ["cross-account: trust names account B, bob's policy allows", { caller: BOB_B, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: B }), callerPolicies: { identity: [pol(allow("sts:AssumeRole", "*"))] } }, true],
    ["cross-account: trust names bob but bob has no policy", { caller: BOB_B, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: BOB_B.arn }) }, false],
    ["cross-account: bob's policy allows but trust names account A only", { caller: BOB_B, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: A }), callerPolicies: { identity: [pol(allow("sts:AssumeRole", "*"))] } }, false],
    ["sts:ExternalId condition met", { caller: BOB_B, roleArn: ROLE_ARN, externalId: "xyz", trustPolicy: trust({ AWS: B }, { Condition: { StringEquals: { "sts:ExternalId": "xyz" } } }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, true],
    ["sts:ExternalId wrong", { caller: BOB_B, roleArn: ROLE_ARN, externalId: "abc", trustPolicy: trust({ AWS: B }, { Condition: { StringEquals: { "sts:ExternalId": "xyz" } } }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, false],
    ["sts:ExternalId missing", { caller: BOB_B, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: B }, { Condition: { StringEquals: { "sts:ExternalId": "xyz" } } }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, false],
    ["session tags need sts:TagSession in the trust policy", { caller: ALICE, roleArn: ROLE_ARN, sessionTags: { team: "red" }, trustPolicy: trust({ AWS: ALICE.arn }) }, false],
    ["session tags with sts:TagSession trusted", { caller: ALICE, roleArn: ROLE_ARN, sessionTags: { team: "red" }, trustPolicy: trust({ AWS: ALICE.arn }, {}, ["sts:AssumeRole", "sts:TagSession"]) }, true],
    ["TagSession limited by aws:TagKeys", { caller: ALICE, roleArn: ROLE_ARN, sessionTags: { secret: "1" }, trustPolicy: pol([{ Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: "sts:AssumeRole" }, { Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: "sts:TagSession", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } } }], "trust") }, false],
    ["role chaining: a session of the named role", { caller: SESSION, roleArn: `arn:aws:iam::${A}:role/next`, trustPolicy: trust({ AWS: ROLE_ARN }) }, true],
    ["Principal * trusts any AWS principal", { caller: BOB_B, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: "*" }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, true],
    ["a Deny in the trust policy wins", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: pol([{ Effect: "Allow", Principal: { AWS: A }, Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: { AWS: ALICE.arn }, Action: "sts:AssumeRole" }], "trust"), callerPolicies: { identity: [pol(allow("*"))] } }, false],
    ["same account: an identity policy alone does not make a role assumable (the trust names only a service)", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ Service: "ecs-tasks.amazonaws.com" }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, false],
    ["same account: trust names the account with an ExternalId condition the request misses", { caller: ALICE, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: A }, { Condition: { StringEquals: { "sts:ExternalId": "xyz" } } }), callerPolicies: { identity: [pol(allow("sts:AssumeRole"))] } }, false],
    ["the root user cannot assume a role", { caller: ROOT, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: A }) }, false],
  ];
  for (const [d, check, want] of cases) it(d, () => assert.equal(checkAssumeRole(check).allowed, want));
  it("the root refusal is flagged", () => assert.equal(checkAssumeRole({ caller: ROOT, roleArn: ROLE_ARN, trustPolicy: trust({ AWS: A }) }).rootRefused, true));
});

describe("request context and denial reasons", () => {
  it("buildContext puts AWS's global keys for a role session and the passed-in time", async () => {
    const { buildContext } = await import("../../src/core/iam/context.js");
    const c = buildContext({ ...SESSION, tags: { team: "red" } }, { now: Date.parse("2026-12-03T12:00:00.250Z"), sourceIp: "10.0.0.1", secureTransport: true, requestTags: { env: "prod" }, keys: { "ecs:cluster": "arn:x" } });
    assert.equal(c["aws:PrincipalArn"], ROLE_ARN);
    assert.equal(c["aws:PrincipalType"], "AssumedRole");
    assert.equal(c["aws:username"], undefined);
    assert.equal(c["aws:CurrentTime"], "2026-12-03T12:00:00Z");
    assert.equal(c["aws:EpochTime"], String(Math.floor(Date.parse("2026-12-03T12:00:00Z") / 1000)));
    assert.equal(c["aws:PrincipalTag/team"], "red");
    assert.deepEqual(c["aws:TagKeys"], ["env"]);
    assert.equal(c["aws:SecureTransport"], "true");
    assert.equal(c["ecs:cluster"], "arn:x");
    assert.equal(buildContext(ALICE, { now: 0 })["aws:username"], "alice");
  });
  it("denialReason words each decision as AWS's AccessDenied messages do", async () => {
    const { denialReason } = await import("../../src/core/iam/evaluate.js");
    assert.equal(denialReason("ecs:CreateCluster", { decision: "ImplicitDeny", missing: "identity" }), "because no identity-based policy allows the ecs:CreateCluster action");
    assert.equal(denialReason("ecs:CreateCluster", { decision: "ImplicitDeny", missing: "boundary" }), "because no permissions boundary allows the ecs:CreateCluster action");
    assert.equal(denialReason("ecs:CreateCluster", { decision: "ExplicitDeny", deciding: { policyType: "identity", policyId: "p", statementIndex: 0 } }), "with an explicit deny in an identity-based policy");
    assert.equal(denialReason("ecs:CreateCluster", { decision: "ExplicitDeny", deciding: { policyType: "session", policyId: "p", statementIndex: 0 } }), "with an explicit deny in a session policy");
  });
});
