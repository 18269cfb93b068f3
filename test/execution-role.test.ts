import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningAgent } from "../src/agent/agent.js";
import { ECS_LABELS } from "../src/agent/container-config.js";
import type { AccessLogEntry } from "../src/edge/access-log.js";
import { AgentWorld, between, waitLogs } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The execution role used by the agent (issue 13): awslogs delivery of a task with an
 * `executionRoleArn` is signed with that role's session credentials
 * (`assumed-role/ROLE/TASK_ID`), so its policies decide it, as on ECS; those credentials never
 * reach the container. A task without an execution role ships with the agent's own keys.
 */

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const allow = (...actions: string[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "arn:aws:logs:*:*:log-group:/exec/*" }] });

describe("execution role: log delivery under the task's execution role (real Docker)", () => {
  const w = new AgentWorld();
  const arns: string[] = [];
  const calls: AccessLogEntry[] = [];
  const agentLog: Record<string, unknown>[] = [];
  let agent: RunningAgent;
  let iam: IAMClient;
  let logs: CloudWatchLogsClient;
  let account: string;
  const roleArn: Record<string, string> = {};
  before(async () => {
    await w.start("exrole", { accessLog: (e) => calls.push(e) });
    agent = await w.agent({ log: (l) => agentLog.push(l) });
    account = w.h.server.accountId;
    const opts = { endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials, maxAttempts: 1 };
    iam = new IAMClient(opts);
    logs = new CloudWatchLogsClient(opts);
    const policies: Record<string, string | undefined> = {
      ok: allow("logs:CreateLogStream", "logs:PutLogEvents"),
      nostream: allow("logs:PutLogEvents"),
      noput: allow("logs:CreateLogStream"),
      task: undefined,
    };
    for (const [name, doc] of Object.entries(policies)) {
      const r = await iam.send(new CreateRoleCommand({ RoleName: `exrole-${name}`, AssumeRolePolicyDocument: TRUST }));
      roleArn[name] = r.Role!.Arn!;
      if (doc) await iam.send(new PutRolePolicyCommand({ RoleName: `exrole-${name}`, PolicyName: "logs", PolicyDocument: doc }));
    }
    for (const g of ["/exec/ok", "/exec/nostream", "/exec/noput", "/exec/none"]) await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
  });
  after(async () => {
    for (const task of arns) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task })).catch(() => undefined);
    iam?.destroy();
    logs?.destroy();
    await w.close();
  });

  async function runWith(family: string, group: string, roles: { executionRoleArn?: string; taskRoleArn?: string }, command: string[]): Promise<Task> {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        ...roles,
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command,
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p" } },
          },
        ],
      }),
    );
    const out = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: family }));
    assert.deepEqual(out.failures, []);
    arns.push(out.tasks![0]!.taskArn!);
    return out.tasks![0]!;
  }

  const idOf = (t: Task) => t.taskArn!.split("/").pop()!;
  /** Who made the task stream's Logs calls: the principal ARN of each call's access key. */
  const callersOf = (operation: string) => {
    const keys = new Set(calls.filter((c) => c.service === "logs" && c.operation === operation).map((c) => c.accessKeyId!));
    return [...keys].map((k) => (k === w.h.server.credentials.accessKeyId ? "root" : w.h.server.iam.identities.resolve(k)?.principal.arn ?? `unresolved ${k}`));
  };

  async function events(group: string, stream: string): Promise<string[]> {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    return (out.events ?? []).map((e) => e.message!);
  }

  it("an allowed role ships the lines, every call signed as the role's session for the task", async () => {
    calls.length = 0;
    const t = await runWith("exrole-ok", "/exec/ok", { executionRoleArn: roleArn.ok }, ["sh", "-c", "echo one; echo two; echo three"]);
    await w.waitTasks([t.taskArn!], "STOPPED");
    const stream = `p/app/${idOf(t)}`;
    const lines = await waitFor(async () => ((await events("/exec/ok", stream)).length === 3 ? events("/exec/ok", stream) : undefined), { what: "three lines shipped", timeoutMs: 30_000 });
    assert.deepEqual(lines, ["one", "two", "three"]);
    const session = `arn:aws:sts::${account}:assumed-role/exrole-ok/${idOf(t)}`;
    assert.deepEqual(callersOf("CreateLogStream"), [session]);
    assert.deepEqual(callersOf("PutLogEvents"), [session]);
  });

  it("a role that may not CreateLogStream: the task stops before any container exists, with ECS's ResourceInitializationError", async () => {
    const t = await runWith("exrole-nostream", "/exec/nostream", { executionRoleArn: roleArn.nostream }, ["echo", "never"]);
    const [stopped] = await w.waitTasks([t.taskArn!], "STOPPED");
    const reason = stopped!.stoppedReason!;
    const resource = `arn:aws:logs:us-east-1:${account}:log-group:/exec/nostream:log-stream:p/app/${idOf(t)}`;
    const prefix =
      "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: " +
      `AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/exrole-nostream/${idOf(t)} is not authorized to perform: logs:CreateLogStream ` +
      `on resource: ${resource} because no identity-based policy allows the logs:CreateLogStream action status code: 400, request id: `;
    // ECS cuts stoppedReason at 255 characters (so does Wharf's agent); the whole text is in the agent's log.
    assert.equal(reason, prefix.slice(0, 255));
    const full = agentLog.find((l) => l.task === t.taskArn && typeof l.error === "string" && l.error.startsWith(prefix))?.error as string | undefined;
    assert.ok(full, "the agent logs the whole error");
    assert.match(full.slice(prefix.length), /^[0-9a-f-]{36} : exit status 1$/);
    assert.equal(stopped!.stopCode, "TaskFailedToStart");
    assert.deepEqual(await w.docker.listContainers({ [ECS_LABELS.taskArn]: t.taskArn! }), []);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/exec/nostream" }));
    assert.deepEqual(streams.logStreams, []);
  });

  it("a role that may create the stream but not PutLogEvents: the container runs, its lines are dropped (the awslogs driver's behaviour)", async () => {
    const t = await runWith("exrole-noput", "/exec/noput", { executionRoleArn: roleArn.noput }, ["sh", "-c", "echo lost-1; echo lost-2"]);
    const [stopped] = await w.waitTasks([t.taskArn!], "STOPPED");
    assert.equal(stopped!.containers?.[0]?.exitCode, 0, stopped!.stoppedReason);
    const stats = await waitFor(
      async () => {
        const s = agent.logs!.stats().find((x) => x.taskArn === t.taskArn);
        return s && s.rejected + s.shipped === 2 ? s : undefined;
      },
      { what: "the follower's outcome", timeoutMs: 30_000 },
    );
    // Refused by the destination: counted as rejected (the agent's log says "log batch refused by its destination; dropped").
    assert.equal(stats.shipped, 0);
    assert.equal(stats.rejected, 2);
    assert.deepEqual(await events("/exec/noput", `p/app/${idOf(t)}`), []);
  });

  it("a task without an execution role (or with another account's) ships with the agent's own keys (today's behaviour)", async () => {
    calls.length = 0;
    const t = await runWith("exrole-none", "/exec/none", {}, ["echo", "by-agent"]);
    await w.waitTasks([t.taskArn!], "STOPPED");
    const stream = `p/app/${idOf(t)}`;
    await waitFor(async () => ((await events("/exec/none", stream)).includes("by-agent") ? true : undefined), { what: "the line", timeoutMs: 30_000 });
    assert.deepEqual(callersOf("PutLogEvents"), ["root"]);
    // An execution role of another account (the seed's examples name 123456789012's) is never assumed: the agent's keys too.
    calls.length = 0;
    const f = await runWith("exrole-foreign", "/exec/none", { executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole" }, ["echo", "foreign"]);
    await w.waitTasks([f.taskArn!], "STOPPED");
    await waitFor(async () => ((await events("/exec/none", `p/app/${idOf(f)}`)).includes("foreign") ? true : undefined), { what: "the line", timeoutMs: 30_000 });
    assert.deepEqual(callersOf("PutLogEvents"), ["root"]);
  });

  it("the container never sees the execution role's credentials: not in its environment, not at 169.254.170.2 under the task role's id", async () => {
    calls.length = 0;
    const t = await runWith("exrole-both", "/exec/ok", { executionRoleArn: roleArn.ok, taskRoleArn: roleArn.task }, [
      "sh",
      "-c",
      'echo BEGIN-ENV; env; echo END-ENV; echo BEGIN-CREDS; wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" 2>&1; echo; echo END-CREDS; echo ALL-DONE; sleep 3600',
    ]);
    const id = await waitFor(
      async () => {
        const d = (await w.describe([t.taskArn!]))[0];
        if (d?.lastStatus === "STOPPED") throw new Error(`task stopped: ${d.stoppedReason}`);
        return d?.containers?.[0]?.runtimeId;
      },
      { what: "the container", timeoutMs: 30_000 },
    );
    const out = await waitLogs(id, "ALL-DONE", 30_000);
    const served = JSON.parse(between(out, "CREDS")) as { RoleArn: string; AccessKeyId: string };
    assert.equal(served.RoleArn, roleArn.task);
    // The execution role's session keys the agent used for this task's stream.
    const execKeys = [...new Set(calls.filter((c) => c.service === "logs" && c.operation === "CreateLogStream").map((c) => c.accessKeyId!))];
    assert.equal(execKeys.length, 1);
    assert.equal(w.h.server.iam.identities.resolve(execKeys[0]!)?.principal.arn, `arn:aws:sts::${account}:assumed-role/exrole-ok/${idOf(t)}`);
    assert.notEqual(served.AccessKeyId, execKeys[0]);
    assert.ok(!out.includes(execKeys[0]!), "the execution role's key id appears nowhere in the container's output");
    const env = between(out, "ENV");
    assert.ok(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|exrole-ok/.test(env), env);
    assert.ok(!out.includes(roleArn.ok!), "the execution role is not named to the container");
  });
});
