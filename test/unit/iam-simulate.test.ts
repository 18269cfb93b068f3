import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compilePolicy } from "../../src/core/iam/compile.js";
import { evaluate } from "../../src/core/iam/evaluate.js";
import { parsePolicy } from "../../src/core/iam/policy.js";
import { statementSpans } from "../../src/core/iam/positions.js";
import { simulate } from "../../src/core/iam/simulate.js";
import { ALICE } from "./iam-cases.js";

/** The policy simulator's pure part: statement positions in the text, and decisions equal to the authorizer's. */

describe("statementSpans", () => {
  it("finds each statement's `{` and the column past its `}`, across lines, strings with braces and escapes", () => {
    const text = `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "a}\\"{", "Effect": "Allow",\n     "Action": "s3:*", "Resource": ["*"]},\n    { "Effect": "Deny", "Action": "s3:x", "Resource": "*", "Condition": {"Bool": {"aws:x": ["true"]}} }\n  ]\n}`;
    assert.deepEqual(statementSpans(text), [
      { start: { Line: 4, Column: 5 }, end: { Line: 5, Column: 42 } },
      { start: { Line: 6, Column: 5 }, end: { Line: 6, Column: 104 } },
    ]);
    assert.deepEqual(statementSpans('{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'), [{ start: { Line: 1, Column: 14 }, end: { Line: 1, Column: 60 } }]);
    // Statement after other members, "Statement" as a string value elsewhere does not confuse it.
    assert.deepEqual(statementSpans('{"Id":"Statement","Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}').length, 1);
  });

  it("the spans cut out exactly the statements' JSON (random policies, pretty-printed or not)", () => {
    const st = fc.record({
      Effect: fc.constantFrom("Allow", "Deny"),
      Action: fc.constantFrom("*", ["s3:Get*", "ecs:*"]),
      Resource: fc.constantFrom("*", "arn:aws:s3:::b/{x}"),
      Sid: fc.string({ maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(st, { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, 2, 4, "\t"), (sts, indent) => {
        const text = JSON.stringify({ Version: "2012-10-17", Statement: sts }, null, indent);
        const lines = text.split("\n");
        const spans = statementSpans(text);
        assert.equal(spans.length, sts.length);
        spans.forEach((s, i) => {
          const from = lines.slice(0, s.start.Line - 1).join("\n").length + (s.start.Line > 1 ? 1 : 0) + s.start.Column - 1;
          const to = lines.slice(0, s.end.Line - 1).join("\n").length + (s.end.Line > 1 ? 1 : 0) + s.end.Column - 1;
          assert.equal(JSON.stringify(JSON.parse(text.slice(from, to))), JSON.stringify(sts[i]));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe("simulate", () => {
  const ACTIONS = ["ecs:ListClusters", "ecs:CreateCluster", "logs:PutLogEvents"];
  const RES = ["*", "arn:aws:ecs:us-east-1:111122223333:cluster/prod"];
  const stmt = fc.record({
    Effect: fc.constantFrom("Allow", "Deny"),
    Action: fc.constantFrom("*", "ecs:*", "ecs:List*", "logs:*", ["ecs:CreateCluster", "logs:PutLogEvents"]),
    Resource: fc.constantFrom("*", "arn:aws:ecs:*:*:cluster/prod", "arn:aws:ecs:*:*:cluster/dev"),
    Condition: fc.constantFrom(undefined, { StringEquals: { "aws:PrincipalTag/team": "red" } }, { Bool: { "aws:SecureTransport": "true" } }),
  });
  const doc = fc.array(stmt, { minLength: 1, maxLength: 3 }).map((Statement) => JSON.stringify({ Version: "2012-10-17", Statement }));

  it("decides as the authorizer's evaluate; allowed and explicitDeny name matching statements of that effect", () => {
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), fc.constantFrom<Record<string, string>>({}, { "aws:PrincipalTag/team": "red" }, { "aws:SecureTransport": "true" }), (texts, context) => {
        const results = simulate({ principal: ALICE, policies: texts.map((text, i) => ({ id: `p${i}`, type: "user" as const, text })), actions: ACTIONS, resources: RES, context });
        assert.equal(results.length, ACTIONS.length * RES.length);
        const compiled = texts.map((t, i) => compilePolicy(parsePolicy(t, "identity"), `p${i}`));
        for (const r of results) {
          const d = evaluate({ principal: ALICE, action: r.EvalActionName, resource: r.EvalResourceName, context }, { identity: compiled });
          assert.equal(r.EvalDecision, { Allow: "allowed", ExplicitDeny: "explicitDeny", ImplicitDeny: "implicitDeny" }[d.decision]);
          if (r.EvalDecision === "implicitDeny") assert.deepEqual(r.MatchedStatements, []);
          else {
            assert.ok(r.MatchedStatements.length > 0);
            const effect = r.EvalDecision === "allowed" ? "Allow" : "Deny";
            for (const m of r.MatchedStatements) {
              const text = texts[Number(m.SourcePolicyId.slice(1))]!;
              const at = text.split("\n")[m.StartPosition.Line - 1]!.slice(m.StartPosition.Column - 1);
              assert.ok(at.startsWith(`{"Effect":"${effect}"`), at);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reports the condition keys it was not given, for the statements covering the action", () => {
    const text = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ecs:CreateCluster", Resource: "*", Condition: { StringEquals: { "aws:RequestTag/team": "x" }, Bool: { "aws:MultiFactorAuthPresent": "true" } } },
        { Effect: "Allow", Action: "logs:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
      ],
    });
    const [r] = simulate({ principal: ALICE, policies: [{ id: "p", type: "user", text }], actions: ["ecs:CreateCluster"], context: { "aws:multifactorauthpresent": "true" } });
    assert.deepEqual(r!.MissingContextValues, ["aws:RequestTag/team"]);
  });
});
