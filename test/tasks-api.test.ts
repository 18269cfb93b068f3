import {
  CreateClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeAgent } from "./helpers/fake-agent.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const registerTd = (w: TestWharf, family: string, o: { cpu?: number; memory?: number; hostPort?: number; tags?: { key: string; value: string }[] } = {}) =>
  w.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: "bridge",
      containerDefinitions: [
        {
          name: "app",
          image: "busybox",
          cpu: o.cpu ?? 128,
          memory: o.memory ?? 128,
          ...(o.hostPort !== undefined ? { portMappings: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
        },
        { name: "side", image: "busybox", memory: 64, essential: false },
      ],
      ...(o.tags ? { tags: o.tags } : {}),
    }),
  );

describe("tasks through the SDK, the aws CLI and a fake agent", () => {
  let w: TestWharf;
  const agents: FakeAgent[] = [];
  const startAgent = async (cluster: string, o: Partial<FakeAgent["opts"]> = {}) => {
    const a = new FakeAgent(w, { cluster, autoRun: true, ...o });
    agents.push(a);
    await a.register();
    a.start();
    await a.waitFor(() => true);
    return a;
  };
  const describeOne = async (cluster: string, task: string, include?: "TAGS"[]) =>
    (await w.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task], ...(include ? { include } : {}) }))).tasks![0]!;

  before(async () => {
    w = await startTestWharf({ server: { stoppedTaskRetentionMs: 4000 } });
    for (const c of ["t-main", "t-room", "t-empty", "t-token", "t-list", "t-report", "t-keep"]) {
      await w.ecs.send(new CreateClusterCommand({ clusterName: c }));
    }
    await registerTd(w, "t-app", { tags: [{ key: "from", value: "taskdef" }] });
    await registerTd(w, "t-static", { hostPort: 8080 });
    await registerTd(w, "t-big", { cpu: 4096 });
    await registerTd(w, "t-hungry", { memory: 100_000 });
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await w.close();
  });

  it("runs a task whose status follows the agent's reports, and stops it with UserInitiated", async (tc) => {
    // Its polls are held for up to 60 s: an answer well inside that means a change released one.
    const a = await startAgent("t-main", { waitMs: 60_000 });
    const run = await w.ecs.send(
      new RunTaskCommand({
        cluster: "t-main",
        taskDefinition: "t-app",
        startedBy: "tester",
        overrides: { containerOverrides: [{ name: "app", command: ["echo", "hi"], environment: [{ name: "A", value: "1" }], memory: 200 }] },
        tags: [{ key: "team", value: "core" }],
        propagateTags: "TASK_DEFINITION",
        enableECSManagedTags: true,
      }),
    );
    assert.deepEqual(run.failures, []);
    const t0 = run.tasks![0]!;
    assert.match(t0.taskArn!, /^arn:aws:ecs:us-east-1:000000000000:task\/t-main\/[0-9a-f]{32}$/);
    assert.equal(t0.lastStatus, "PROVISIONING");
    assert.equal(t0.desiredStatus, "RUNNING");
    assert.equal(t0.launchType, "EC2");
    assert.equal(t0.group, "family:t-app");
    assert.equal(t0.startedBy, "tester");
    assert.equal(t0.containerInstanceArn, a.arn);
    assert.equal(t0.availabilityZone, "us-east-1a");
    assert.deepEqual(t0.containers!.map((c) => [c.name, c.lastStatus, c.memory]), [["app", "PENDING", "200"], ["side", "PENDING", "64"]]);

    await a.waitFor((r) => r.tasks.some((t) => t.taskArn === t0.taskArn));
    const running = await w.aws("ecs", "wait", "tasks-running", "--cluster", "t-main", "--tasks", t0.taskArn!);
    assert.deepEqual(running, {});
    const t1 = await describeOne("t-main", t0.taskArn!, ["TAGS"]);
    assert.equal(t1.lastStatus, "RUNNING");
    assert.equal(t1.connectivity, "CONNECTED");
    assert.ok(t1.startedAt && t1.connectivityAt && t1.pullStartedAt && t1.pullStoppedAt && t1.createdAt);
    assert.equal(t1.healthStatus, "UNKNOWN");
    assert.match(t1.containers![0]!.runtimeId!, /^fake-/);
    assert.equal(t1.containers![0]!.networkBindings![0]!.hostPort, 32768);
    assert.equal(t1.overrides?.containerOverrides?.[0]?.command?.[1], "hi");
    assert.deepEqual(
      t1.tags?.map((t) => `${t.key}=${t.value}`).sort(),
      ["aws:ecs:clusterName=t-main", "from=taskdef", "team=core"],
    );
    assert.ok((t1.version ?? 0) > (t0.version ?? 0));

    // StopTask: the agent hears at once (long poll released) and the stop is UserInitiated.
    const before = Date.now();
    const stop = await w.ecs.send(new StopTaskCommand({ cluster: "t-main", task: t0.taskArn! }));
    assert.equal(stop.task?.desiredStatus, "STOPPED");
    assert.equal(stop.task?.stopCode, "UserInitiated");
    assert.equal(stop.task?.stoppedReason, "Task stopped by user");
    // Within 30 s, so not the end of the 60 s hold: the stop released the held poll.
    await a.waitFor((r) => !r.tasks.some((t) => t.taskArn === t0.taskArn), 30_000);
    tc.diagnostic(`the agent heard of the stop after ${Date.now() - before} ms`);
    // The poll answer dropped the task, so the server has it STOPPED: read it at once with the SDK.
    // (Not `aws ecs wait tasks-stopped`: a CLI that takes longer to start than the short retention
    // here finds the task reaped, and that waiter has no acceptor for MISSING — it polls for 10 min.)
    const t2 = await describeOne("t-main", t0.taskArn!);
    assert.equal(t2.lastStatus, "STOPPED");
    assert.equal(t2.stopCode, "UserInitiated");
    assert.equal(t2.containers![0]!.exitCode, 143);
    assert.ok(t2.stoppingAt && t2.executionStoppedAt && t2.stoppedAt);
  });

  it("reports RESOURCE:* failures (RunTask and StartTask), and places what fits", async () => {
    const a = await startAgent("t-room", { cpu: 1024, memory: 1024 });
    const cpu = await w.ecs.send(new RunTaskCommand({ cluster: "t-room", taskDefinition: "t-big" }));
    assert.deepEqual(cpu.tasks, []);
    assert.deepEqual(cpu.failures, [{ arn: a.arn, reason: "RESOURCE:CPU", detail: "needs 4096 CPU units, 1024 remaining" }]);
    const mem = await w.ecs.send(new RunTaskCommand({ cluster: "t-room", taskDefinition: "t-hungry" }));
    assert.deepEqual(mem.failures?.map((f) => [f.arn, f.reason]), [[a.arn, "RESOURCE:MEMORY"]]);
    assert.match(mem.failures?.[0]?.detail ?? "", /^needs \d+ MiB, 1024 MiB remaining$/);
    const ports = await w.ecs.send(new RunTaskCommand({ cluster: "t-room", taskDefinition: "t-static", count: 3 }));
    assert.equal(ports.tasks?.length, 1);
    assert.deepEqual(ports.failures?.map((f) => [f.arn, f.reason]), [[a.arn, "RESOURCE:PORTS"]]);
    assert.match(ports.failures?.[0]?.detail ?? "", /^host port \d+\/tcp is in use$/);
    // StartTask on a chosen instance applies the same checks.
    const st = await w.ecs.send(new StartTaskCommand({ cluster: "t-room", taskDefinition: "t-static", containerInstances: [a.arn] }));
    assert.deepEqual(st.failures?.map((f) => [f.arn, f.reason]), [[a.arn, "RESOURCE:PORTS"]]);
    const st2 = await w.ecs.send(new StartTaskCommand({ cluster: "t-room", taskDefinition: "t-app", containerInstances: [a.arn.split("/").pop()!] }));
    assert.equal(st2.tasks?.[0]?.containerInstanceArn, a.arn);
  });

  it("refuses clearly and starts nothing on bad input", async () => {
    const none = await w.awsError("ecs", "run-task", "--cluster", "t-empty", "--task-definition", "t-app");
    assert.equal(none.code, "InvalidParameterException");
    assert.match(none.stderr, /No Container Instances were found in your cluster\./);
    await startAgent("t-empty");
    const missing = await w.awsError("ecs", "run-task", "--cluster", "t-empty", "--task-definition", "nope-family");
    assert.equal(missing.code, "ClientException");
    const badOverride = await w.awsError(
      "ecs", "run-task", "--cluster", "t-empty", "--task-definition", "t-app",
      "--overrides", JSON.stringify({ containerOverrides: [{ name: "ghost", command: ["x"] }] }),
    );
    assert.equal(badOverride.code, "InvalidParameterException");
    const fargate = await w.awsError("ecs", "run-task", "--cluster", "t-empty", "--task-definition", "t-app", "--launch-type", "FARGATE");
    assert.equal(fargate.code, "InvalidParameterException");
    const tooMany = await w.awsError("ecs", "run-task", "--cluster", "t-empty", "--task-definition", "t-app", "--count", "11");
    assert.equal(tooMany.code, "InvalidParameterException");
    const reg = await registerTd(w, "t-old");
    await w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: reg.taskDefinition!.taskDefinitionArn! }));
    await assert.rejects(w.ecs.send(new RunTaskCommand({ cluster: "t-empty", taskDefinition: "t-old:1" })), /inactive/);
    const listed = await w.ecs.send(new ListTasksCommand({ cluster: "t-empty" }));
    assert.deepEqual(listed.taskArns, []);
    const noCluster = await w.awsError("ecs", "list-tasks", "--cluster", "no-such-cluster");
    assert.equal(noCluster.code, "ClusterNotFoundException");
  });

  it("is idempotent per clientToken, and refuses the token with another input", async () => {
    await startAgent("t-token");
    const first = await w.ecs.send(new RunTaskCommand({ cluster: "t-token", taskDefinition: "t-app", count: 2, clientToken: "tok-1" }));
    const again = await w.ecs.send(new RunTaskCommand({ cluster: "t-token", taskDefinition: "t-app", count: 2, clientToken: "tok-1" }));
    assert.equal(first.tasks?.length, 2);
    assert.deepEqual(again.tasks?.map((t) => t.taskArn), first.tasks?.map((t) => t.taskArn));
    await assert.rejects(
      w.ecs.send(new RunTaskCommand({ cluster: "t-token", taskDefinition: "t-app", count: 1, clientToken: "tok-1" })),
      (e: Error) => e.name === "ConflictException",
    );
    const listed = await w.ecs.send(new ListTasksCommand({ cluster: "t-token" }));
    assert.equal(listed.taskArns?.length, 2);
  });

  it("lists with filters and pages, and describes unknown ids as MISSING", async () => {
    const a = await startAgent("t-list");
    const one = await w.ecs.send(new RunTaskCommand({ cluster: "t-list", taskDefinition: "t-app", count: 3, startedBy: "batch" }));
    const other = await w.ecs.send(new RunTaskCommand({ cluster: "t-list", taskDefinition: "t-static", group: "service:web" }));
    const arns = one.tasks!.map((t) => t.taskArn!);
    const staticArn = other.tasks![0]!.taskArn!;
    const list = async (o: object) => (await w.ecs.send(new ListTasksCommand({ cluster: "t-list", ...o }))).taskArns;
    assert.deepEqual(await list({ family: "t-app" }), arns);
    assert.deepEqual(await list({ startedBy: "batch" }), arns);
    assert.deepEqual(await list({ serviceName: "web" }), [staticArn]);
    assert.deepEqual(await list({ containerInstance: a.arn }), [...arns, staticArn]);
    assert.deepEqual(await list({ launchType: "EXTERNAL" }), []);
    const p1 = await w.ecs.send(new ListTasksCommand({ cluster: "t-list", maxResults: 3 }));
    assert.deepEqual(p1.taskArns, arns);
    const p2 = await w.ecs.send(new ListTasksCommand({ cluster: "t-list", maxResults: 3, nextToken: p1.nextToken }));
    assert.deepEqual(p2.taskArns, [staticArn]);
    assert.equal(p2.nextToken, undefined);
    const cli = await w.aws("ecs", "list-tasks", "--cluster", "t-list", "--page-size", "2");
    assert.deepEqual(cli.taskArns, [...arns, staticArn]);

    await w.ecs.send(new StopTaskCommand({ cluster: "t-list", task: arns[0]!.split("/").pop()!, reason: "done with it" }));
    assert.deepEqual(await list({ desiredStatus: "STOPPED" }), [arns[0]]);
    assert.deepEqual(await list({}), [arns[1], arns[2], staticArn]);
    const stopped = await describeOne("t-list", arns[0]!);
    assert.equal(stopped.stoppedReason, "done with it");

    const d = await w.ecs.send(new DescribeTasksCommand({ cluster: "t-list", tasks: [arns[1]!, "0".repeat(32)] }));
    assert.equal(d.tasks?.length, 1);
    assert.deepEqual(d.failures, [{ arn: `arn:aws:ecs:us-east-1:000000000000:task/t-list/${"0".repeat(32)}`, reason: "MISSING" }]);
  });

  it("takes reports forward only, derives stop codes, and forgets stopped tasks after the retention", async () => {
    const a = await startAgent("t-report", { autoRun: false });
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "t-report", taskDefinition: "t-app", count: 2 }));
    const [x, y] = run.tasks!.map((t) => t.taskArn!);
    const ack = await a.report(x!, "RUNNING", { containers: [{ containerName: "app", status: "RUNNING", runtimeId: "r1" }] });
    assert.equal(ack.acknowledgment, "ACK");
    const stale = await a.report(x!, "PENDING");
    assert.equal(stale.acknowledgment, "ACK");
    assert.equal((await describeOne("t-report", x!)).lastStatus, "RUNNING");
    await w.ecs.send(
      new SubmitContainerStateChangeCommand({ cluster: "t-report", task: x!, containerName: "side", status: "STOPPED", exitCode: 0 }),
    );
    let tx = await describeOne("t-report", x!);
    assert.equal(tx.lastStatus, "RUNNING", "a non-essential container may exit alone");
    assert.equal(tx.containers![1]!.exitCode, 0);
    await a.report(x!, "STOPPED", {
      reason: "Essential container in task exited",
      containers: [{ containerName: "app", status: "STOPPED", exitCode: 3 }],
    });
    tx = await describeOne("t-report", x!);
    assert.equal(tx.stopCode, "EssentialContainerExited");
    assert.equal(tx.stoppedReason, "Essential container in task exited");
    assert.equal(tx.desiredStatus, "STOPPED");
    assert.equal(tx.containers![0]!.exitCode, 3);
    assert.equal(tx.startedAt !== undefined, true);

    await a.report(y!, "STOPPED", { reason: "CannotPullContainerError: pull access denied for nope" });
    const ty = await describeOne("t-report", y!);
    assert.equal(ty.stopCode, "TaskFailedToStart");
    assert.equal(ty.startedAt, undefined);
    assert.ok(ty.stoppedAt);

    // Past the retention (4 s here) the reaper removes both; until then they stay describable.
    const gone = await waitFor(
      async () => {
        const out = await w.ecs.send(new DescribeTasksCommand({ cluster: "t-report", tasks: [x!, y!] }));
        return out.tasks?.length === 0 ? out : undefined;
      },
      { what: "the stopped tasks reaped after the retention" },
    );
    assert.deepEqual(gone.failures?.map((f) => f.reason), ["MISSING", "MISSING"]);
  });

  it("refuses unsigned polls, and keeps tasks and a rising seq across a control-plane restart", async () => {
    const a = await startAgent("t-keep", { autoRun: false });
    const unsigned = await a.poll(0, 0, { unsigned: true });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.body.__type, "MissingAuthenticationTokenException");
    const run = await w.ecs.send(new RunTaskCommand({ cluster: "t-keep", taskDefinition: "t-app" }));
    const arn = run.tasks![0]!.taskArn!;
    await a.waitFor((r) => r.tasks.length === 1);
    const seqBefore = a.seq;
    await a.stop();
    await w.stop();
    await w.restart();
    const after = await a.poll(seqBefore, 5000);
    assert.ok(after.body.seq > seqBefore, "seq keeps rising across restarts: answered at once");
    assert.deepEqual(after.body.tasks.map((t) => t.taskArn), [arn]);
    assert.equal(after.body.tasks[0]!.taskDefinition.family, "t-app");
    // Reinstate agents for the remaining cleanup.
    for (const ag of agents) await ag.stop();
  });
});
