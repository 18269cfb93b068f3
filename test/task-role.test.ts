import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateClusterCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { RunningAgent } from "../src/agent/agent.js";
import { redirectTagFor } from "../src/agent/credentials/redirect.js";
import { AgentWorld, between, dockerLogs, waitLogs } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Task role credentials from inside real containers (issue 13's Done-means): the credentials
 * endpoint at 169.254.170.2 answers a task with a role (bridge and awsvpc), the credentials are
 * the role's (ListClusters allowed, CreateCluster denied as ECS denies it), and another task
 * cannot read them by any of seven paths. Host mode reads its own from the full URI.
 */

const run = promisify(execFile);
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const LIST_ONLY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" }] });

/** A shell script printing each URL's answer (or wget's error) between BEGIN-/END- markers, then idling. */
const dump = (pre: string, urls: Record<string, string>): string[] => [
  "sh",
  "-c",
  `${pre} ` +
    Object.entries(urls)
      .map(([name, url]) => `echo BEGIN-${name}; wget -qO- "${url}" 2>&1; echo; echo END-${name};`)
      .join(" ") +
    " echo ALL-DONE; sleep 3600",
];

interface Creds {
  RoleArn: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

describe("task role credentials (real Docker)", () => {
  const w = new AgentWorld();
  const arns: string[] = [];
  let agent: RunningAgent;
  let iam: IAMClient;
  let account: string;
  const roleArn: Record<string, string> = {};
  before(async () => {
    await w.start("trole");
    agent = await w.agent();
    account = w.h.server.accountId;
    iam = new IAMClient({ endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials, maxAttempts: 1 });
    for (const name of ["lister", "other", "exec"]) {
      const r = await iam.send(new CreateRoleCommand({ RoleName: `trole-${name}`, AssumeRolePolicyDocument: TRUST }));
      roleArn[name] = r.Role!.Arn!;
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: "trole-lister", PolicyName: "list", PolicyDocument: LIST_ONLY }));
  });
  after(async () => {
    for (const task of arns) await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task })).catch(() => undefined);
    iam?.destroy();
    await w.close();
    // Nothing of this agent's left in the nat table.
    const { stdout } = await run("iptables", ["-w", "-t", "nat", "-S", "PREROUTING"]);
    assert.ok(!stdout.includes(`wharf-creds:${redirectTagFor(agent.containerInstanceArn)}`), stdout);
  });

  async function runOne(input: Omit<ConstructorParameters<typeof RunTaskCommand>[0], "cluster">): Promise<Task> {
    const out = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, ...input }));
    assert.deepEqual(out.failures, []);
    arns.push(out.tasks![0]!.taskArn!);
    return out.tasks![0]!;
  }

  function logsOf(taskArn: string, name: string): Promise<string> {
    return waitFor(
      async () => {
        const t = (await w.describe([taskArn]))[0];
        if (t?.lastStatus === "STOPPED") throw new Error(`task stopped: ${t.stoppedReason}`);
        return t?.containers?.find((c) => c.name === name)?.runtimeId;
      },
      { what: `a runtime id for ${name}`, timeoutMs: 30_000 },
    ).then((id) => waitLogs(id, "ALL-DONE", 30_000));
  }

  let a: { task: Task; creds: Creds; relative: string; metadata: string };

  it("bridge: the endpoint at 169.254.170.2 serves the task role (not the execution role); ListClusters succeeds, CreateCluster is denied", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "trole-a",
        taskRoleArn: roleArn.lister,
        executionRoleArn: roleArn.exec,
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: dump('echo "BEGIN-ENV"; echo "$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI|$ECS_CONTAINER_METADATA_URI_V4"; echo END-ENV;', {
              CREDS: "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            }),
          },
        ],
      }),
    );
    const task = await runOne({ taskDefinition: "trole-a" });
    const logs = await logsOf(task.taskArn!, "app");
    const [relative, metadata] = between(logs, "ENV").trim().split("|") as [string, string];
    assert.match(relative, /^\/v2\/credentials\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const creds = JSON.parse(between(logs, "CREDS")) as Creds;
    assert.deepEqual(Object.keys(creds), ["RoleArn", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]);
    assert.equal(creds.RoleArn, roleArn.lister);
    assert.match(creds.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.match(creds.Expiration, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(Date.parse(creds.Expiration) > Date.now() + 30 * 60_000, creds.Expiration);
    a = { task, creds, relative, metadata };

    const ecs = new ECSClient({
      endpoint: w.h.server.url,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token },
    });
    try {
      const listed = await ecs.send(new ListClustersCommand({}));
      assert.ok(listed.clusterArns?.some((c) => c.endsWith(`/${w.cluster}`)));
      const taskId = task.taskArn!.split("/").pop();
      await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: "trole-denied" })), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.equal(
          err.message,
          `User: arn:aws:sts::${account}:assumed-role/trole-lister/${taskId} is not authorized to perform: ecs:CreateCluster on resource: ` +
            `arn:aws:ecs:us-east-1:${account}:cluster/trole-denied because no identity-based policy allows the ecs:CreateCluster action`,
        );
        return true;
      });
    } finally {
      ecs.destroy();
    }
  });

  it("awsvpc, role from overrides: its own role at 169.254.170.2; the first task's credentials refused by 7 paths (its id via 169.254.170.2, via the listener, v1 ?id=, a guessed id, its TMDS URI, its own TMDS, from the host)", async () => {
    assert.ok(a, "the bridge test ran first");
    const [subnet] = await w.defaultSubnets(1);
    const aId = a.relative.split("/").pop()!;
    const guessed = randomUUID();
    const listener = "${ECS_CONTAINER_METADATA_URI_V4%/v4/*}";
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "trole-b",
        networkMode: "awsvpc",
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: dump("", {
              OWN: "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
              THEIRS: `http://169.254.170.2/v2/credentials/${aId}`,
              LISTENER: `${listener}/v2/credentials/${aId}`,
              V1: `http://169.254.170.2/v1/credentials?id=${aId}`,
              GUESSED: `http://169.254.170.2/v2/credentials/${guessed}`,
              THEIR_TMDS: `${a.metadata}/task`,
              OWN_TMDS: "$ECS_CONTAINER_METADATA_URI_V4/task",
            }),
          },
        ],
      }),
    );
    const task = await runOne({
      taskDefinition: "trole-b",
      overrides: { taskRoleArn: roleArn.other },
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } },
    });
    const logs = await logsOf(task.taskArn!, "app");
    const own = JSON.parse(between(logs, "OWN")) as Creds;
    assert.equal(own.RoleArn, roleArn.other);
    assert.notEqual(own.AccessKeyId, a.creds.AccessKeyId);
    for (const path of ["THEIRS", "LISTENER", "V1", "GUESSED"]) assert.match(between(logs, path), /400 Bad Request/, `${path}: ${between(logs, path)}`);
    assert.match(between(logs, "THEIR_TMDS"), /404 Not Found/);
    const ownTmds = between(logs, "OWN_TMDS");
    assert.equal(JSON.parse(ownTmds).TaskARN, task.taskArn);
    assert.ok(!ownTmds.includes(a.creds.AccessKeyId) && !ownTmds.includes(a.creds.SecretAccessKey));
    // From the host, straight to the listener: not the task, so refused with the agent's answer.
    const base = a.metadata.replace(/\/v4\/.*$/, "");
    const res = await fetch(`${base}${a.relative}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: "InvalidIdInRequest", message: "CredentialsV2Request: Credentials not found" });
    // DescribeTasks shows the role where ECS does: the overrides (and the task definition's for the first).
    const [described] = await w.describe([task.taskArn!]);
    assert.equal(described?.overrides?.taskRoleArn, roleArn.other);
  });

  it("an agent restart keeps serving an adopted task's credentials (same id, the redirect put back)", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "trole-restart",
        taskRoleArn: roleArn.lister,
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: ["sh", "-c", 'i=0; while :; do i=$((i+1)); echo BEGIN-R$i; wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" 2>&1; echo; echo END-R$i; sleep 1; done'],
          },
        ],
      }),
    );
    const task = await runOne({ taskDefinition: "trole-restart" });
    const [running] = await w.waitTasks([task.taskArn!], "RUNNING");
    const id = running!.containers![0]!.runtimeId!;
    const rounds = (logs: string) => [...logs.matchAll(/BEGIN-R(\d+)\n([\s\S]*?)\nEND-R\1/g)].map((m) => ({ n: Number(m[1]), body: m[2]!.trim() }));
    const servedAfter = (n0: number) =>
      waitFor(async () => rounds(await dockerLogs(id)).find((r) => r.n > n0 && r.body.startsWith("{")), { what: `a credentials answer after round ${n0}`, timeoutMs: 30_000 });
    assert.equal(JSON.parse((await servedAfter(0)).body).RoleArn, roleArn.lister);
    await agent.close();
    const down = rounds(await dockerLogs(id)).length;
    agent = await w.agent();
    assert.equal(JSON.parse((await servedAfter(down + 1)).body).RoleArn, roleArn.lister);
  });

  it("host mode: the full URI on 127.0.0.1 serves the task's role; no relative URI", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "trole-host",
        networkMode: "host",
        taskRoleArn: roleArn.other,
        containerDefinitions: [
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            memory: 64,
            stopTimeout: 1,
            command: dump('echo BEGIN-ENV; echo "[$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI]"; echo END-ENV;', { CREDS: "$AWS_CONTAINER_CREDENTIALS_FULL_URI" }),
          },
        ],
      }),
    );
    const task = await runOne({ taskDefinition: "trole-host" });
    const logs = await logsOf(task.taskArn!, "app");
    assert.equal(between(logs, "ENV").trim(), "[]");
    assert.equal((JSON.parse(between(logs, "CREDS")) as Creds).RoleArn, roleArn.other);
  });
});

describe("task role credentials on Fargate (real Docker, aws CLI)", () => {
  const w = new AgentWorld();
  before(async () => {
    await w.start("trolefg");
    await w.agent({ fargate: true });
  });
  after(() => w.close());

  it("a Fargate task reads its role's credentials at 169.254.170.2", async () => {
    const [subnet] = await w.defaultSubnets(1);
    const role = await w.h.aws("iam", "create-role", "--role-name", "trolefg-app", "--assume-role-policy-document", TRUST);
    await w.h.aws("iam", "put-role-policy", "--role-name", "trolefg-app", "--policy-name", "list", "--policy-document", LIST_ONLY);
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "trolefg",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        taskRoleArn: role.Role.Arn,
        containerDefinitions: [
          { name: "app", image: "wharf-test/busybox:latest", stopTimeout: 1, command: dump("", { CREDS: "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" }) },
        ],
      }),
    );
    const out = await w.h.ecs.send(
      new RunTaskCommand({ cluster: w.cluster, taskDefinition: "trolefg", launchType: "FARGATE", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } } }),
    );
    assert.deepEqual(out.failures, []);
    const arn = out.tasks![0]!.taskArn!;
    try {
      const [t] = await w.waitTasks([arn], "RUNNING");
      const creds = JSON.parse(between(await waitLogs(t!.containers![0]!.runtimeId!, "ALL-DONE", 30_000), "CREDS")) as Creds;
      assert.equal(creds.RoleArn, role.Role.Arn);
      const ecs = new ECSClient({
        endpoint: w.h.server.url,
        region: "us-east-1",
        maxAttempts: 1,
        credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token },
      });
      try {
        assert.ok((await ecs.send(new ListClustersCommand({}))).clusterArns?.some((c) => c.endsWith(`/${w.cluster}`)));
      } finally {
        ecs.destroy();
      }
    } finally {
      await w.h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: arn })).catch(() => undefined);
    }
  });
});
