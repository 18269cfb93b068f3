import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compileRepositoryPolicy, locksOut, RepositoryPolicyError } from "../../src/core/ecr/repository-policy.js";
import { authorizeCall, loadPolicy, type RequestPrincipal } from "../../src/core/iam/index.js";

const REPO = "arn:aws:ecr:us-east-1:111122223333:repository/dogs";
const alice: RequestPrincipal = { kind: "User", arn: "arn:aws:iam::111122223333:user/alice", account: "111122223333", userId: "AIDAALICE" };
const bob: RequestPrincipal = { kind: "User", arn: "arn:aws:iam::111122223333:user/bob", account: "111122223333", userId: "AIDABOB" };
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const facts = { now: 1_700_000_000_000, secureTransport: false };

describe("ECR repository policies (pure): parsing and evaluation with the caller's policies", () => {
  it("needs a Principal in every statement and no Resource", () => {
    for (const bad of [doc({ Effect: "Allow", Action: "ecr:*" }), doc({ Effect: "Allow", Principal: "*", Action: "ecr:*", Resource: REPO }), "[]", "{"]) {
      assert.throws(() => compileRepositoryPolicy(bad, REPO), RepositoryPolicyError, bad);
    }
    assert.ok(compileRepositoryPolicy(doc({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "ecr:BatchGetImage" }), REPO));
  });

  it("a grant naming the user allows with no identity policy; a Deny wins over the identity Allow; others are unaffected", () => {
    const p = compileRepositoryPolicy(doc({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "ecr:BatchGetImage" }, { Effect: "Deny", Principal: { AWS: bob.arn }, Action: "ecr:*" }), REPO);
    const item = (action: string) => [{ action, resource: REPO, resourcePolicies: [p] }];
    assert.equal(authorizeCall(alice, {}, item("ecr:BatchGetImage"), facts), undefined);
    assert.equal(authorizeCall(alice, {}, item("ecr:PutImage"), facts)?.decision.decision, "ImplicitDeny");
    assert.equal(authorizeCall(alice, {}, [{ action: "ecr:BatchGetImage", resource: REPO }], facts)?.decision.decision, "ImplicitDeny");
    const own = { identity: [loadPolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] }), "identity", "user/bob/own")] };
    assert.equal(authorizeCall(bob, own, [{ action: "ecr:BatchGetImage", resource: REPO }], facts), undefined);
    const denied = authorizeCall(bob, own, item("ecr:BatchGetImage"), facts);
    assert.equal(denied?.decision.decision, "ExplicitDeny");
    assert.equal(denied?.decision.deciding?.policyType, "resource");
  });

  it("property: with a Deny naming the caller for an action, no identity policy allows it; the lockout check agrees for SetRepositoryPolicy", () => {
    fc.assert(
      fc.property(fc.constantFrom("ecr:SetRepositoryPolicy", "ecr:BatchGetImage", "ecr:PutImage"), fc.boolean(), (action, naming) => {
        const who = naming ? alice.arn : bob.arn;
        const p = compileRepositoryPolicy(doc({ Effect: "Deny", Principal: { AWS: who }, Action: action }, { Effect: "Allow", Principal: "*", Action: "ecr:*" }), REPO);
        const f = authorizeCall(alice, {}, [{ action, resource: REPO, resourcePolicies: [p] }], facts);
        assert.equal(f?.decision.decision === "ExplicitDeny", naming);
        if (!naming) assert.equal(f, undefined); // `*` grants the rest
        assert.equal(locksOut(p, alice, REPO, facts.now), naming && action === "ecr:SetRepositoryPolicy");
      }),
    );
  });
});
