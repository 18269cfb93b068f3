import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compilePolicy } from "../../src/core/iam/compile.js";
import { evaluate, type PolicySet } from "../../src/core/iam/evaluate.js";
import type { AuthzRequest } from "../../src/core/iam/context.js";
import type { PolicyDocument, Statement } from "../../src/core/iam/policy.js";
import { ALICE } from "./iam-cases.js";

/** Random identity policies from a small vocabulary of actions, resources and conditions. */
const ACTIONS = ["ecs:ListClusters", "ecs:CreateCluster", "ecs:DescribeClusters", "logs:PutLogEvents", "iam:PassRole"];
const PATTERNS = ["*", "ecs:*", "ecs:List*", "ecs:*Cluster?", "logs:*", "iam:PassRole", "ECS:createcluster", ...ACTIONS];
const RESOURCES = ["arn:aws:ecs:us-east-1:111122223333:cluster/prod", "arn:aws:ecs:us-east-1:111122223333:cluster/dev", "*"];
const RES_PATTERNS = ["*", "arn:aws:ecs:*:*:cluster/*", "arn:aws:ecs:us-east-1:111122223333:cluster/prod", "arn:aws:ecs:*:*:cluster/d?v"];
const CONDS: (Record<string, Record<string, string[]>> | undefined)[] = [
  undefined,
  { Bool: { "aws:SecureTransport": ["true"] } },
  { StringEquals: { "aws:PrincipalTag/team": ["red"] } },
  { StringNotEquals: { "aws:PrincipalTag/team": ["red"] } },
  { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } },
  { IpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } },
];

const statement: fc.Arbitrary<Statement> = fc.record({
  effect: fc.constantFrom("Allow" as const, "Deny" as const),
  not: fc.boolean(),
  actions: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }),
  notRes: fc.boolean(),
  resources: fc.uniqueArray(fc.constantFrom(...RES_PATTERNS), { minLength: 1, maxLength: 2 }),
  cond: fc.constantFrom(...CONDS),
}).map((s) => ({
  effect: s.effect,
  ...(s.not ? { notAction: s.actions } : { action: s.actions }),
  ...(s.notRes ? { notResource: s.resources } : { resource: s.resources }),
  ...(s.cond ? { condition: s.cond } : {}),
}));
const policyDoc = fc.array(statement, { minLength: 1, maxLength: 4 }).map((statements): PolicyDocument => ({ version: "2012-10-17", statements }));
const request: fc.Arbitrary<AuthzRequest> = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  secure: fc.constantFrom("true", "false", undefined),
  team: fc.constantFrom("red", "blue", undefined),
  tagKeys: fc.constantFrom(undefined, [], ["team"], ["team", "env"]),
  ip: fc.constantFrom("10.1.2.3", "192.168.0.1", undefined),
}).map((r) => ({
  principal: ALICE,
  action: r.action,
  resource: r.resource,
  context: { "aws:SecureTransport": r.secure, "aws:PrincipalTag/team": r.team, "aws:TagKeys": r.tagKeys, "aws:SourceIp": r.ip },
}));

let n = 0;
const compile = (docs: PolicyDocument[]) => docs.map((d) => compilePolicy(d, `p${++n}`));
const decide = (req: AuthzRequest, docs: PolicyDocument[], extra: Omit<PolicySet, "identity"> = {}) => evaluate(req, { identity: compile(docs), ...extra }).decision;
const RUNS = { numRuns: 400 };

describe("IAM evaluation properties", () => {
  it("adding a Deny statement never turns a deny into Allow, and never turns ExplicitDeny into anything else", () => {
    fc.assert(
      fc.property(fc.array(policyDoc, { maxLength: 3 }), statement, request, (docs, st, req) => {
        const before = decide(req, docs);
        const after = decide(req, [...docs, { version: "2012-10-17", statements: [{ ...st, effect: "Deny" }] }]);
        if (before !== "Allow") assert.notEqual(after, "Allow");
        if (before === "ExplicitDeny") assert.equal(after, "ExplicitDeny");
      }),
      RUNS,
    );
  });
  it("adding an Allow statement never turns an ExplicitDeny into Allow, and never an Allow into a deny", () => {
    fc.assert(
      fc.property(fc.array(policyDoc, { maxLength: 3 }), statement, request, (docs, st, req) => {
        const before = decide(req, docs);
        const after = decide(req, [...docs, { version: "2012-10-17", statements: [{ ...st, effect: "Allow" }] }]);
        if (before === "ExplicitDeny") assert.equal(after, "ExplicitDeny");
        if (before === "Allow") assert.equal(after, "Allow");
      }),
      RUNS,
    );
  });
  it('Action "*" on Resource "*" allows every request unless something denies it', () => {
    fc.assert(
      fc.property(fc.array(policyDoc, { maxLength: 3 }), request, (docs, req) => {
        const all: PolicyDocument = { version: "2012-10-17", statements: [{ effect: "Allow", action: ["*"], resource: ["*"] }] };
        const got = decide(req, [...docs, all]);
        const denied = decide(req, docs) === "ExplicitDeny";
        assert.equal(got, denied ? "ExplicitDeny" : "Allow");
      }),
      RUNS,
    );
  });
  it("NotAction X allows exactly the actions Action X does not", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }), request, (acts, req) => {
        const a = decide(req, [{ version: "2012-10-17", statements: [{ effect: "Allow", action: acts, resource: ["*"] }] }]);
        const na = decide(req, [{ version: "2012-10-17", statements: [{ effect: "Allow", notAction: acts, resource: ["*"] }] }]);
        assert.notEqual(a === "Allow", na === "Allow");
      }),
      RUNS,
    );
  });
  it("the decision does not depend on the order of statements or policies", () => {
    fc.assert(
      fc.property(fc.array(policyDoc, { minLength: 1, maxLength: 3 }), request, fc.integer(), (docs, req, seed) => {
        const flat = docs.flatMap((d) => d.statements);
        const shuffled = [...flat].sort((x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7));
        const one = decide(req, [{ version: "2012-10-17", statements: shuffled }]);
        assert.equal(one, decide(req, docs));
        assert.equal(decide(req, [...docs].reverse()), decide(req, docs));
      }),
      RUNS,
    );
  });
  it("a permissions boundary or session policy only ever removes permissions", () => {
    fc.assert(
      fc.property(fc.array(policyDoc, { maxLength: 3 }), policyDoc, policyDoc, request, (docs, b, s, req) => {
        const plain = decide(req, docs);
        const limited = decide(req, docs, { boundary: compile([b])[0]!, session: compile([s]) });
        if (plain !== "Allow") assert.notEqual(limited, "Allow");
        if (plain === "ExplicitDeny") assert.equal(limited, "ExplicitDeny");
      }),
      RUNS,
    );
  });
});
