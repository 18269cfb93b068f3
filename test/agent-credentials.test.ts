import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateClusterCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WharfClient } from "../src/contracts/wharf-client.js";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * The control plane's side of task role credentials (/_wharf/agent/credentials, no Docker): an
 * agent gets the credentials of a task placed on it and of no other task; never for a task
 * without a task role (an execution role alone gives nothing); the credentials are a session of
 * the task role named after the task.
 */

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const ROLE_ATTRS = [
  { name: "ecs.os-type", value: "linux" },
  { name: "com.amazonaws.ecs.capability.task-iam-role" },
  { name: "ecs.capability.execution-role-awslogs" },
];

describe("agent channel: task role credentials", () => {
  let h: TestWharf;
  let iam: IAMClient;
  let client: WharfClient;
  const agents: FakeAgent[] = [];
  const cluster = "creds";
  let roleArn = "";
  let execArn = "";
  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    iam = new IAMClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    roleArn = (await iam.send(new CreateRoleCommand({ RoleName: "creds-app", AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    execArn = (await iam.send(new CreateRoleCommand({ RoleName: "creds-exec", AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const id of ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"]) {
      const a = new FakeAgent(h, { cluster, autoRun: true, instanceId: id, attributes: ROLE_ATTRS, waitMs: 500 });
      await a.register();
      a.start();
      agents.push(a);
    }
    client = new WharfClient(h.server.url, h.server.credentials, "us-east-1");
  });
  after(async () => {
    for (const a of agents) await a.stop();
    iam?.destroy();
    await h?.close();
  });

  async function runOn(family: string): Promise<{ taskArn: string; owner: FakeAgent; other: FakeAgent }> {
    const out = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    assert.deepEqual(out.failures, []);
    const t = out.tasks![0]!;
    const owner = agents.find((a) => a.arn === t.containerInstanceArn)!;
    return { taskArn: t.taskArn!, owner, other: agents.find((a) => a !== owner)! };
  }

  const ask = (a: FakeAgent, taskArn: string) => client.taskCredentials({ cluster, containerInstanceArn: a.arn, taskArn });

  it("answers the task's own agent with a session of the task role named after the task; refuses the other agent and a stopped task", async () => {
    await h.ecs.send(new RegisterTaskDefinitionCommand({ family: "creds-a", taskRoleArn: roleArn, executionRoleArn: execArn, containerDefinitions: [{ name: "c", image: "busybox", memory: 32 }] }));
    const { taskArn, owner, other } = await runOn("creds-a");
    const c = await ask(owner, taskArn);
    assert.equal(c.RoleArn, roleArn);
    assert.match(c.AccessKeyId, /^ASIA/);
    assert.match(c.Expiration, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const ecs = new ECSClient({ endpoint: h.server.url, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token } });
    try {
      // The role has no policy: denied, and the message names the session (role/task id).
      await assert.rejects(ecs.send(new ListClustersCommand({})), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.ok(err.message.startsWith(`User: arn:aws:sts::${h.server.accountId}:assumed-role/creds-app/${taskArn.split("/").pop()} is not authorized`), err.message);
        return true;
      });
    } finally {
      ecs.destroy();
    }
    await assert.rejects(ask(other, taskArn), (err: Error) => err.message === `InvalidParameterException: The task ${taskArn} is not running on ${other.arn}.`);
    await assert.rejects(client.taskCredentials({ cluster: "default", containerInstanceArn: owner.arn, taskArn }), /InvalidParameterException: The task .* is not running on/);
    await h.ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
    await owner.waitFor((r) => !r.tasks.some((t) => t.taskArn === taskArn), 10_000);
    await assert.rejects(ask(owner, taskArn), /InvalidParameterException: The task .* is not running on/);
  });

  it("an execution role alone gives no task credentials (only when asked for as role: execution); overrides.taskRoleArn does; a role that is gone is refused", async () => {
    await h.ecs.send(new RegisterTaskDefinitionCommand({ family: "creds-exec-only", executionRoleArn: execArn, containerDefinitions: [{ name: "c", image: "busybox", memory: 32 }] }));
    const plain = await runOn("creds-exec-only");
    await assert.rejects(ask(plain.owner, plain.taskArn), (err: Error) => err.message === `InvalidParameterException: The task ${plain.taskArn} has no task role.`);
    // The execution role is issued only when asked for by name (the agent's own use: log delivery).
    const exec = await client.taskCredentials({ cluster, containerInstanceArn: plain.owner.arn, taskArn: plain.taskArn, role: "execution" });
    assert.equal(exec.RoleArn, execArn);
    assert.match(exec.AccessKeyId, /^ASIA/);
    assert.equal(h.server.iam.identities.resolve(exec.AccessKeyId)?.principal.arn, `arn:aws:sts::${h.server.accountId}:assumed-role/creds-exec/${plain.taskArn.split("/").pop()}`);
    await assert.rejects(
      client.taskCredentials({ cluster, containerInstanceArn: plain.other.arn, taskArn: plain.taskArn, role: "execution" }),
      (err: Error) => err.message === `InvalidParameterException: The task ${plain.taskArn} is not running on ${plain.other.arn}.`,
    );
    const out = await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "creds-exec-only", overrides: { taskRoleArn: roleArn } }));
    const t = out.tasks![0]!;
    const owner = agents.find((a) => a.arn === t.containerInstanceArn)!;
    assert.equal((await ask(owner, t.taskArn!)).RoleArn, roleArn);
    await iam.send(new DeleteRoleCommand({ RoleName: "creds-app" }));
    await assert.rejects(ask(owner, t.taskArn!), /AccessDenied/);
  });

  it("the user's own keys cannot ask (Wharf's routes answer the root keys only)", async () => {
    const fake = new WharfClient(h.server.url, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) }, "us-east-1");
    await assert.rejects(fake.taskCredentials({ cluster, containerInstanceArn: agents[0]!.arn, taskArn: "arn:aws:ecs:us-east-1:000000000000:task/creds/0" }), /UnrecognizedClientException|InvalidSignature|security token/);
  });
});
