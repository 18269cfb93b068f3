import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { EXEC_TOKEN_HEADER, openUpgrade, UpgradeRefused } from "../src/contracts/exec-stream.js";
import { EXEC_NOT_ENABLED, INTERACTIVE_ONLY } from "../src/core/exec/rules.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { runOnPty } from "./helpers/pty.js";
import { waitFor } from "./helpers/wait.js";
import { WHARF_BIN } from "./helpers/wharf-cli.js";

const IMAGE = "wharf-test/busybox:latest";
const FOREVER = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("wharf exec and ExecuteCommand: commands in running containers", { timeout: 240_000 }, () => {
  const world = new AgentWorld();
  let execTask = "";
  let plainTask = "";
  let readOnlyTask = "";
  let twoTask = "";

  /** Spawns `wharf exec ARGS` against the test server (killed at the end if it still runs). */
  const spawnExec = (args: string[], env: NodeJS.ProcessEnv = world.h.awsEnv): ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } => {
    const p = spawn(process.execPath, [WHARF_BIN, "exec", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    world.defer(() => p.exitCode === null && p.signalCode === null && p.kill("SIGKILL"));
    return p as never;
  };
  const wharfExec = (args: string[], env?: NodeJS.ProcessEnv): Promise<Run> => {
    const p = spawnExec(args, env);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve) => p.on("close", (code) => resolve({ code, stdout, stderr })));
  };
  const run = async (family: string, enableExecuteCommand: boolean): Promise<string> => {
    const out = await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: family, enableExecuteCommand }));
    assert.deepEqual(out.failures, []);
    return out.tasks![0]!.taskArn!;
  };

  before(async () => {
    await world.start("exec");
    await world.agent();
    const ecs = world.h.ecs;
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "exec-one", containerDefinitions: [{ name: "app", image: IMAGE, memory: 64, essential: true, command: FOREVER }] }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "exec-ro",
        containerDefinitions: [{ name: "app", image: IMAGE, memory: 64, essential: true, command: FOREVER, readonlyRootFilesystem: true }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "exec-two",
        containerDefinitions: [
          { name: "web", image: IMAGE, memory: 64, essential: true, command: FOREVER },
          { name: "side", image: IMAGE, memory: 64, essential: false, command: FOREVER, environment: [{ name: "ROLE", value: "sidecar" }] },
        ],
      }),
    );
    execTask = await run("exec-one", true);
    plainTask = await run("exec-one", false);
    readOnlyTask = await run("exec-ro", true);
    twoTask = await run("exec-two", true);
    await world.waitTasks([execTask, plainTask, readOnlyTask, twoTask], "RUNNING", 90_000);
  });
  after(async () => world.close());

  const id = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

  it("runs sh -c 'echo hi; exit 3': prints hi and exits 3; stdout and stderr stay apart", async () => {
    const r = await wharfExec([id(execTask), "--cluster", world.cluster, "--", "sh", "-c", "echo hi; exit 3"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "hi\n");
    const both = await wharfExec([id(execTask), "--cluster", world.cluster, "--", "sh", "-c", "echo out; echo err >&2"]);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(both.stdout, "out\n");
    assert.equal(both.stderr, "err\n");
  });

  it("passes stdin with -i, and arguments with spaces and quotes intact", async () => {
    const p = spawn(process.execPath, [WHARF_BIN, "exec", execTask, "--cluster", world.cluster, "-i", "--", "sh", "-c", "tr a-z A-Z; echo \"$0|$1\"", "it's", "a b"], {
      env: world.h.awsEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    world.defer(() => p.exitCode === null && p.kill("SIGKILL"));
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    p.stdin.end("hello from stdin\n");
    const code = await new Promise((resolve) => p.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "HELLO FROM STDIN\nit's|a b\n");
  });

  it("-it gives an interactive shell on a pseudo-terminal: its size, echo $((6*7)) → 42, exit 5 → 5, the terminal restored", async () => {
    const shell = `'${process.execPath}' '${WHARF_BIN}' exec ${id(execTask)} --cluster ${world.cluster} -it -- sh; echo "EXIT=$?"; stty -a`;
    const r = await runOnPty(
      ["sh", "-c", shell],
      [
        { expect: "# ", send: "stty size; echo $((6*7))\r" },
        { expect: "\\n42\\r*\\n", send: "exit 5\r" },
        { expect: "EXIT=5" },
      ],
      { env: world.h.awsEnv, rows: 33, cols: 101 },
    );
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /\n33 101\r*\n/, "the session's terminal has the local terminal's size");
    assert.match(r.output, /EXIT=5/);
    // After the session, the local terminal is back in cooked mode with echo.
    const stty = r.output.slice(r.output.indexOf("EXIT=5"));
    assert.match(stty, /(^|\s)icanon(\s|$)/);
    assert.match(stty, /(^|\s)echo(\s|$)/);
  });

  it("forwards SIGTERM to the command and exits with its code", async () => {
    const p = spawnExec([id(execTask), "--cluster", world.cluster, "--", "sh", "-c", "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 1; done"]);
    let stdout = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const closed = new Promise<number | null>((resolve) => p.on("close", resolve));
    await waitFor(async () => stdout.includes("ready\n") || undefined, { what: "the command to start", timeoutMs: 30_000 });
    p.kill("SIGTERM");
    assert.equal(await closed, 42);
    assert.equal(stdout, "ready\ngot TERM\n");
  });

  it("works on a read-only root filesystem", async () => {
    const r = await wharfExec([id(readOnlyTask), "--cluster", world.cluster, "--", "sh", "-c", "if touch /probe 2>/dev/null; then echo writable; else echo read-only; fi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "read-only\n");
  });

  it("needs --container in a task of two containers, and runs in the one named", async () => {
    const noName = await wharfExec([id(twoTask), "--cluster", world.cluster, "--", "sh", "-c", "echo $ROLE"]);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /InvalidParameterException: The task has more than one container/);
    const side = await wharfExec([id(twoTask), "--cluster", world.cluster, "--container", "side", "--", "sh", "-c", "echo $ROLE"]);
    assert.equal(side.code, 0, side.stderr);
    assert.equal(side.stdout, "sidecar\n");
  });

  it("ExecuteCommand answers ECS's session; refuses without enableExecuteCommand, non-interactive calls, and unknown tasks", async () => {
    const ecs = world.h.ecs;
    const out = await ecs.send(new ExecuteCommandCommand({ cluster: world.cluster, task: execTask, command: "/bin/sh", interactive: true }));
    assert.equal(out.taskArn, execTask);
    assert.equal(out.containerName, "app");
    assert.match(out.containerArn!, /:container\//);
    assert.equal(out.interactive, true);
    assert.match(out.session!.sessionId!, /^ecs-execute-command-[0-9a-f]{17}$/);
    assert.equal(out.session!.streamUrl, `${world.h.server.url}/_wharf/exec/data-channel/${out.session!.sessionId}`);
    assert.ok(out.session!.tokenValue!.length >= 32);

    const refusal = async (input: ConstructorParameters<typeof ExecuteCommandCommand>[0]) => {
      const err = await ecs.send(new ExecuteCommandCommand(input)).then(
        () => assert.fail("not refused"),
        (e: Error) => e,
      );
      return `${err.name}: ${err.message}`;
    };
    assert.equal(await refusal({ cluster: world.cluster, task: plainTask, command: "sh", interactive: true }), `InvalidParameterException: ${EXEC_NOT_ENABLED}`);
    assert.equal(await refusal({ cluster: world.cluster, task: execTask, command: "sh", interactive: false }), `InvalidParameterException: ${INTERACTIVE_ONLY}`);
    assert.equal(await refusal({ cluster: world.cluster, task: "0123456789abcdef0123456789abcdef", command: "sh", interactive: true }), "InvalidParameterException: The referenced task was not found.");
    // The CLI says the same and exits 1.
    const cli = await wharfExec([id(plainTask), "--cluster", world.cluster, "--", "sh", "-c", "echo never"]);
    assert.equal(cli.code, 1);
    assert.equal(cli.stdout, "");
    assert.ok(cli.stderr.includes(`InvalidParameterException: ${EXEC_NOT_ENABLED}`), cli.stderr);
  });

  it("the AWS CLI's execute-command needs the Session Manager plugin, which this machine lacks (docs/exec.md)", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn("aws", ["ecs", "execute-command", "--cluster", world.cluster, "--task", execTask, "--command", "sh", "--interactive"], { env: world.h.awsEnv, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      p.stdout.on("data", (c: Buffer) => (stderr += c.toString()));
      p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      p.on("close", (code) => resolve({ code, stderr }));
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SessionManagerPlugin is not found/);
  });

  it("a stream URL opens once, and only with the session's token", async () => {
    const out = await world.h.ecs.send(new ExecuteCommandCommand({ cluster: world.cluster, task: execTask, command: "echo once", interactive: true }));
    const url = new URL(out.session!.streamUrl!);
    const bad = await openUpgrade(url, { [EXEC_TOKEN_HEADER]: "not-the-token" }).then(
      () => assert.fail("opened with a wrong token"),
      (e: Error) => e,
    );
    assert.ok(bad instanceof UpgradeRefused);
    assert.equal(bad.statusCode, 403);
    assert.equal(bad.code, "AccessDeniedException");
    const { socket } = await openUpgrade(url, { [EXEC_TOKEN_HEADER]: out.session!.tokenValue! });
    socket.destroy();
    const again = await openUpgrade(url, { [EXEC_TOKEN_HEADER]: out.session!.tokenValue! }).then(
      () => assert.fail("opened twice"),
      (e: Error) => e,
    );
    assert.ok(again instanceof UpgradeRefused);
    assert.equal(again.statusCode, 404);
  });

  it("an IAM user without ecs:ExecuteCommand is denied; one allowed it on the task runs the command", async () => {
    const iam = new IAMClient({ endpoint: world.h.server.url, region: "us-east-1", credentials: world.h.server.credentials, maxAttempts: 1 });
    world.defer(() => iam.destroy());
    const account = world.h.server.accountId;
    const userWith = async (name: string, statement: Record<string, unknown>) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    };
    const denied = `exec-denied-${hex(3)}`;
    const deniedKeys = await userWith(denied, { Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:ListTasks"], Resource: "*" });
    const asDenied = new ECSClient({ endpoint: world.h.server.url, region: "us-east-1", credentials: deniedKeys, maxAttempts: 1 });
    world.defer(() => asDenied.destroy());
    const err = await asDenied.send(new ExecuteCommandCommand({ cluster: world.cluster, task: execTask, command: "sh", interactive: true })).then(
      () => assert.fail("not denied"),
      (e: Error) => e,
    );
    assert.equal(err.name, "AccessDeniedException");
    assert.ok(err.message.includes(`User: arn:aws:iam::${account}:user/${denied} is not authorized to perform: ecs:ExecuteCommand on resource: ${execTask}`), err.message);
    const cli = await wharfExec([execTask, "--cluster", world.cluster, "--", "sh", "-c", "echo never"], { ...world.h.awsEnv, AWS_ACCESS_KEY_ID: deniedKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: deniedKeys.secretAccessKey });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /AccessDeniedException: .*ecs:ExecuteCommand/);

    const allowed = `exec-allowed-${hex(3)}`;
    const allowedKeys = await userWith(allowed, {
      Effect: "Allow",
      Action: "ecs:ExecuteCommand",
      Resource: [execTask, `arn:aws:ecs:us-east-1:${account}:cluster/${world.cluster}`],
    });
    const ok = await wharfExec([execTask, "--cluster", world.cluster, "--", "sh", "-c", "echo allowed"], { ...world.h.awsEnv, AWS_ACCESS_KEY_ID: allowedKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: allowedKeys.secretAccessKey });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "allowed\n");
  });

  it("a service's tasks: enableExecuteCommand from CreateService/UpdateService, and each session recorded in the service's events", async () => {
    const ecs = world.h.ecs;
    const name = `exec-svc-${hex(3)}`;
    world.defer(() => ecs.send(new UpdateServiceCommand({ cluster: world.cluster, service: name, desiredCount: 0 })).catch(() => undefined));
    const created = await ecs.send(new CreateServiceCommand({ cluster: world.cluster, serviceName: name, taskDefinition: "exec-one", desiredCount: 1, enableExecuteCommand: true }));
    assert.equal(created.service!.enableExecuteCommand, true);
    const taskArn = await waitFor(
      async () => {
        const arns = (await ecs.send(new ListTasksCommand({ cluster: world.cluster, serviceName: name, desiredStatus: "RUNNING" }))).taskArns ?? [];
        const tasks = arns.length ? await world.describe(arns) : [];
        return tasks.find((t) => t.lastStatus === "RUNNING")?.taskArn;
      },
      { what: "the service's task RUNNING", timeoutMs: 90_000 },
    );
    assert.equal((await world.describe([taskArn]))[0]!.enableExecuteCommand, true);
    const r = await wharfExec([id(taskArn), "--cluster", world.cluster, "--", "sh", "-c", "echo from-service"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "from-service\n");
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: world.cluster, services: [name] }))).services![0]!;
    const event = svc.events!.find((e) => e.message!.includes("started execute command session"));
    assert.ok(event, JSON.stringify(svc.events));
    assert.match(
      event.message!,
      new RegExp(`^\\(service ${name}\\) started execute command session ecs-execute-command-[0-9a-f]{17} on task ${id(taskArn)} \\(container app\\) for arn:aws:iam::${world.h.server.accountId}:root: sh -c 'echo from-service'$`),
    );
  });
});
