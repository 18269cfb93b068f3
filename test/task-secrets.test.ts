import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ECS_LABELS } from "../src/agent/container-config.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Issue 20's "Done means", with the aws CLI: a SecureString parameter and a JSON secret reach a
 * task's container as $DB_PASSWORD and $API_KEY (from `…:json-key:password::`), fetched by the
 * agent as the task's execution role; a role that may not read them stops the next task with
 * ECS's ResourceInitializationError before any container exists. Real Docker.
 */

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("container secrets[] from SSM and Secrets Manager, fetched with the execution role (real Docker, aws CLI)", () => {
  const w = new AgentWorld();
  const arns: string[] = [];
  let logs: CloudWatchLogsClient;
  let account: string;
  const run = `${process.pid}`;
  const DB_PASSWORD = `db-pw-${run}-sentinel`;
  const API_PASSWORD = `api-pw-${run}-sentinel`;
  let secretArn = "";
  const roles: Record<string, string> = {};
  before(async () => {
    await w.start("secrets");
    await w.agent();
    account = w.h.server.accountId;
    logs = new CloudWatchLogsClient({ endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials, maxAttempts: 1 });
    await w.h.aws("ssm", "put-parameter", "--name", `/sec${run}/db/password`, "--type", "SecureString", "--value", DB_PASSWORD);
    secretArn = (await w.h.aws("secretsmanager", "create-secret", "--name", `sec${run}/api`, "--secret-string", JSON.stringify({ username: "api", password: API_PASSWORD }))).ARN;
    await w.h.aws("logs", "create-log-group", "--log-group-name", `/sec${run}`);
    const logsAllow = { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" };
    const docs: Record<string, object[]> = {
      ok: [
        logsAllow,
        { Effect: "Allow", Action: "ssm:GetParameters", Resource: `arn:aws:ssm:us-east-1:${account}:parameter/sec${run}/*` },
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:us-east-1:${account}:secret:sec${run}/*` },
      ],
      logsonly: [logsAllow],
    };
    for (const [name, statements] of Object.entries(docs)) {
      const role = `sec${run}-${name}`;
      roles[name] = (await w.h.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document", TRUST)).Role.Arn;
      await w.h.aws("iam", "put-role-policy", "--role-name", role, "--policy-name", "p", "--policy-document", JSON.stringify({ Version: "2012-10-17", Statement: statements }));
    }
  });
  after(async () => {
    for (const task of arns) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task })).catch(() => undefined);
    logs?.destroy();
    await w.close();
  });

  async function runWith(family: string, role: string, secrets: { name: string; valueFrom: string }[]): Promise<string> {
    const containers = [
      {
        name: "app",
        image: "wharf-test/busybox:latest",
        memory: 64,
        essential: true,
        command: ["sh", "-c", 'echo "db=$DB_PASSWORD"; echo "api=$API_KEY"'],
        secrets,
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/sec${run}`, "awslogs-region": "us-east-1", "awslogs-stream-prefix": family } },
      },
    ];
    await w.h.aws("ecs", "register-task-definition", "--family", family, "--execution-role-arn", role, "--container-definitions", JSON.stringify(containers));
    const out = await w.h.aws("ecs", "run-task", "--cluster", w.cluster, "--task-definition", family);
    assert.deepEqual(out.failures, []);
    const arn = out.tasks[0].taskArn as string;
    arns.push(arn);
    return arn;
  }

  it("the values arrive in the container's environment, and nowhere in DescribeTasks", async () => {
    const arn = await runWith(`sec${run}-ok`, roles.ok!, [
      { name: "DB_PASSWORD", valueFrom: `/sec${run}/db/password` },
      { name: "API_KEY", valueFrom: `${secretArn}:password::` },
    ]);
    const [stopped] = await w.waitTasks([arn], "STOPPED", 60_000);
    assert.equal(stopped!.containers?.[0]?.exitCode, 0, stopped!.stoppedReason);
    const stream = `sec${run}-ok/app/${arn.split("/").pop()}`;
    const lines = await waitFor(
      async () => {
        const out = await logs.send(new GetLogEventsCommand({ logGroupName: `/sec${run}`, logStreamName: stream, startFromHead: true })).catch(() => undefined);
        const m = (out?.events ?? []).map((e) => e.message!);
        return m.length >= 2 ? m : undefined;
      },
      { what: "the two lines in the task's log", timeoutMs: 30_000 },
    );
    assert.deepEqual(lines, [`db=${DB_PASSWORD}`, `api=${API_PASSWORD}`]);
    const described = JSON.stringify(await w.h.ecs.send(new DescribeTasksCommand({ cluster: w.cluster, tasks: [arn] })));
    assert.ok(!described.includes(DB_PASSWORD) && !described.includes(API_PASSWORD), "no value in DescribeTasks");
  });

  it("an execution role that may not read them: STOPPED with ResourceInitializationError, no container created", async () => {
    const head = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";
    for (const [family, valueFrom, expected] of [
      [`sec${run}-nossm`, `/sec${run}/db/password`, `${head}unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/sec${run}-logsonly/`],
      [`sec${run}-noasm`, `${secretArn}:password::`, `${head}unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secretArn} from secrets manager: AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/sec${run}-logsonly/`],
    ] as const) {
      const arn = await runWith(family, roles.logsonly!, [{ name: "DB_PASSWORD", valueFrom }]);
      const [stopped] = await w.waitTasks([arn], "STOPPED", 60_000);
      const reason = stopped!.stoppedReason ?? "";
      // ECS cuts stoppedReason at 255 characters, as Wharf's agent does.
      assert.ok(reason.startsWith(expected.slice(0, 255)), reason);
      assert.equal(stopped!.stopCode, "TaskFailedToStart");
      assert.deepEqual(await w.docker.listContainers({ [ECS_LABELS.taskArn]: arn }), []);
    }
  });

  it("a missing parameter or JSON key stops the task the same way", async () => {
    const a = await runWith(`sec${run}-missing`, roles.ok!, [{ name: "X", valueFrom: `/sec${run}/db/none` }]);
    const b = await runWith(`sec${run}-nokey`, roles.ok!, [{ name: "X", valueFrom: `${secretArn}:nokey::` }]);
    const [sa, sb] = await w.waitTasks([a, b], "STOPPED", 60_000);
    assert.match(sa!.stoppedReason!, new RegExp(`^ResourceInitializationError: .*invalid parameters: /sec${run}/db/none`));
    assert.match(sb!.stoppedReason!, /^ResourceInitializationError: .*did not contain json key nokey/);
  });
});
