import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ecsModel } from "../src/api/ecs/model.generated.js";
import { cliInputOf, parseRevisionInput, REGISTER_TASK_DEFINITION_MEMBERS } from "../src/core/console/cli-input.js";
import { exampleFile } from "./helpers/harness.js";

describe("console: the AWS CLI input form of a task definition", () => {
  it("keeps exactly RegisterTaskDefinitionRequest's members", () => {
    const shape = ecsModel.shapes[ecsModel.operations.RegisterTaskDefinition!]! as { m?: Record<string, unknown> };
    assert.deepEqual([...REGISTER_TASK_DEFINITION_MEMBERS].sort(), Object.keys(shape.m ?? {}).sort());
  });

  it("drops the describe-only fields and adds the tags", () => {
    const seed = JSON.parse(readFileSync(exampleFile("dogs-ec2-awsvpc.json"), "utf8"));
    const described = {
      ...seed,
      taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/dogsdef:3",
      revision: 3,
      status: "ACTIVE",
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.task-eni" }],
      compatibilities: ["EC2"],
      registeredAt: 1700000000,
      registeredBy: "arn:aws:iam::000000000000:root",
    };
    const out = cliInputOf(described, [{ key: "team", value: "dogs" }]);
    for (const k of ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"]) {
      assert.equal(k in out, false, k);
    }
    assert.deepEqual({ ...out, tags: undefined }, { ...seed, tags: undefined });
    assert.deepEqual(out.tags, [{ key: "team", value: "dogs" }]);
    assert.equal("tags" in cliInputOf(described), false);
  });

  it("parses edited JSON or says what is wrong", () => {
    assert.match((parseRevisionInput("{ nope") as { error: string }).error, /not valid/);
    assert.match((parseRevisionInput("[]") as { error: string }).error, /object/);
    assert.match((parseRevisionInput('{"containerDefinitions":[]}') as { error: string }).error, /family/);
    const ok = parseRevisionInput('{"taskDefinition":{"family":"f","revision":2,"containerDefinitions":[]}}') as { input: Record<string, unknown> };
    assert.deepEqual(ok.input, { family: "f", containerDefinitions: [] });
  });
});
