import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { authorizeCall } from "../../src/core/iam/authorize.js";
import { compilePolicy } from "../../src/core/iam/compile.js";
import { buildContext, ContextMap } from "../../src/core/iam/context.js";
import { evaluate, type PolicySet } from "../../src/core/iam/evaluate.js";
import type { PolicyDocument, Statement } from "../../src/core/iam/policy.js";
import { ALICE } from "./iam-cases.js";

/**
 * authorizeCall narrows a caller's identity policies to those that can name the action's service
 * (cached per policy list). Property: that never changes the decision — for any identity
 * policies (many, over several services, with or without a boundary or session policy) and any
 * request, authorizeCall allows exactly when evaluate over the whole set allows.
 */
const ACTIONS = ["ecs:ListClusters", "ecs:CreateCluster", "logs:PutLogEvents", "iam:PassRole", "ec2:CreateVpc"];
const PATTERNS = ["*", "ecs:*", "ecs:List*", "logs:*", "iam:PassRole", "ec2:*", "e*:Create*", ...ACTIONS];
const statement: fc.Arbitrary<Statement> = fc
  .record({
    effect: fc.constantFrom("Allow" as const, "Deny" as const),
    not: fc.boolean(),
    actions: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }),
    resource: fc.constantFrom("*", "arn:aws:ecs:*:*:cluster/*", "arn:aws:iam::*:role/*"),
  })
  .map((s) => ({ effect: s.effect, ...(s.not ? { notAction: s.actions } : { action: s.actions }), resource: [s.resource] }));
const doc = fc.array(statement, { minLength: 1, maxLength: 3 }).map((statements): PolicyDocument => ({ version: "2012-10-17", statements }));
let n = 0;
const compiled = doc.map((d) => compilePolicy(d, `p${++n}`));
const policySet: fc.Arbitrary<PolicySet> = fc.record(
  {
    identity: fc.array(compiled, { minLength: 0, maxLength: 12 }),
    boundary: compiled,
    session: fc.array(compiled, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ["identity"] },
);
const facts = { now: Date.parse("2026-12-03T12:00:00Z") };

describe("authorizeCall (property)", () => {
  it("narrowing identity policies by service never changes the decision", () => {
    fc.assert(
      fc.property(policySet, fc.constantFrom(...ACTIONS), fc.constantFrom("*", "arn:aws:ecs:us-east-1:111122223333:cluster/x", "arn:aws:iam::111122223333:role/r"), (policies, action, resource) => {
        const full = evaluate({ principal: ALICE, action, resource }, policies, new ContextMap(buildContext(ALICE, facts)));
        // Twice: the second call reads the cache.
        for (let i = 0; i < 2; i++) {
          const failure = authorizeCall(ALICE, policies, [{ action, resource }], facts);
          assert.equal(failure === undefined, full.decision === "Allow");
          if (failure) assert.equal(failure.decision.decision, full.decision);
        }
      }),
      { numRuns: 500 },
    );
  });
});
