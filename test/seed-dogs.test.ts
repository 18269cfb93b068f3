import { RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { exampleFile } from "./helpers/harness.js";

/**
 * The seed's dogs definition registered verbatim: its image lives in a private ECR registry that
 * this machine cannot reach. As on ECS, the task is placed (the agent advertises ecr-auth), the
 * pull fails, no cached copy exists, and the task stops with CannotPullContainerError.
 */
describe("seed dogs-ec2-awsvpc.json verbatim", () => {
  const w = new AgentWorld();
  after(() => w.close());

  it("is placed, then stops with CannotPullContainerError and TaskFailedToStart", async () => {
    await w.start("dogs");
    await w.agent();
    const td = JSON.parse(readFileSync(exampleFile("dogs-ec2-awsvpc.json"), "utf8"));
    await w.h.ecs.send(new RegisterTaskDefinitionCommand(td));
    const [subnet] = await w.defaultSubnets(1);
    const out = await w.h.ecs.send(
      new RunTaskCommand({
        cluster: w.cluster,
        taskDefinition: "dogsdef",
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } },
      }),
    );
    assert.deepEqual(out.failures, []);
    const [task] = await w.waitTasks([out.tasks![0]!.taskArn!], "STOPPED");
    assert.equal(task!.stopCode, "TaskFailedToStart");
    assert.match(task!.stoppedReason ?? "", /^CannotPullContainerError: /);
    assert.match(task!.containers![0]!.reason ?? "", /^CannotPullContainerError: /);
  });
});
