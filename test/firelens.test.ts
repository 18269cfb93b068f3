import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { type ContainerDefinition, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";

const IMAGE = "wharf-test/busybox:latest";

/**
 * FireLens-style routing: the task has a log router container (it runs, as defined), and the
 * agent itself routes each awsfirelens container's lines to its output — CloudWatch Logs, a
 * file, an HTTP endpoint, the agent's stdout — as Fluent Bit records with ECS metadata.
 */
describe("FireLens: the agent routes awsfirelens containers' lines", { timeout: 60_000 }, () => {
  const world = new AgentWorld();
  const agentLog: Record<string, unknown>[] = [];
  const posts: { url: string; type: string; body: string }[] = [];
  let http: Server;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), "wharf-firelens-"));
  before(async () => {
    await world.start("firelens");
    await world.agent({ log: (l) => agentLog.push(l) });
    http = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        posts.push({ url: req.url ?? "", type: String(req.headers["content-type"]), body });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
    port = (http.address() as { port: number }).port;
  });
  after(async () => {
    http?.close();
    rmSync(dir, { recursive: true, force: true });
    await world.close();
  });

  const app = (name: string, options: Record<string, string>, essential = false): ContainerDefinition => ({
    name,
    image: IMAGE,
    memory: 32,
    essential,
    command: ["sh", "-c", essential ? `echo hello ${name}; sleep 1` : `echo hello ${name}`],
    logConfiguration: { logDriver: "awsfirelens", options },
  });

  it("routes to cloudwatch_logs, file, http and stdout with ECS metadata", async () => {
    const group = `/wharf-test/firelens-${hex(4)}`;
    const td = await world.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "firelens",
        containerDefinitions: [
          {
            name: "log_router",
            image: IMAGE,
            memory: 32,
            essential: false,
            command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"],
            firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
          },
          app("cw", { Name: "cloudwatch_logs", region: "us-west-2", log_group_name: group, log_stream_prefix: "from-", auto_create_group: "true" }, true),
          app("tofile", { Name: "file", Path: dir, Format: "plain" }),
          app("tohttp", { Name: "http", Host: "127.0.0.1", Port: String(port), URI: "/ingest", Format: "json" }),
          app("tostdout", { Name: "stdout" }),
        ],
      }),
    );
    const tdArn = td.taskDefinition!.taskDefinitionArn!;
    assert.ok(td.taskDefinition!.requiresAttributes!.some((a) => a.name === "ecs.capability.firelens.fluentbit"));
    const arn = (await world.h.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: tdArn }))).tasks![0]!.taskArn!;
    const id = arn.slice(arn.lastIndexOf("/") + 1);
    const [t] = await world.waitTasks([arn], "STOPPED", 30_000);
    const runtimeId = (name: string) => t!.containers!.find((c) => c.name === name)!.runtimeId!;
    const meta = { ecs_cluster: world.cluster, ecs_task_arn: arn, ecs_task_definition: "firelens:1" };

    const cw = new CloudWatchLogsClient({ endpoint: world.h.server.url, region: "us-west-2", credentials: world.h.server.credentials, maxAttempts: 1 });
    const events = (await cw.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: `from-cw-firelens-${id}`, startFromHead: true }))).events!;
    assert.equal(events.length, 1);
    const rec = JSON.parse(events[0]!.message!);
    assert.deepEqual(
      { ...rec, container_name: undefined },
      { source: "stdout", log: "hello cw", container_id: runtimeId("cw"), container_name: undefined, ...meta },
    );
    assert.match(rec.container_name, /^\/ecs-firelens-1-cw-[0-9a-f]+$/);

    const fileLines = readFileSync(join(dir, `tofile-firelens-${id}`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(fileLines.map((r) => [r.log, r.source, r.container_id, r.ecs_task_arn]), [["hello tofile", "stdout", runtimeId("tofile"), arn]]);

    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.url, "/ingest");
    assert.equal(posts[0]!.type, "application/json");
    const [httpRec] = JSON.parse(posts[0]!.body);
    assert.equal(httpRec.log, "hello tohttp");
    assert.equal(httpRec.ecs_cluster, world.cluster);
    assert.ok(Math.abs(httpRec.date * 1000 - Date.now()) < 60_000, "date is the line's time in epoch seconds");

    const out = agentLog.filter((l) => l.msg === "firelens stdout").map((l) => l.record as Record<string, string>);
    assert.deepEqual(out.map((r) => [r.log, r.container_id]), [["hello tostdout", runtimeId("tostdout")]]);
  });

  it("refuses at registration what the agent cannot route, saying what is supported", async () => {
    const router: ContainerDefinition = { name: "r", image: IMAGE, memory: 32, essential: false, firelensConfiguration: { type: "fluentbit" } };
    const reg = (containers: ContainerDefinition[]) =>
      world.h.ecs.send(new RegisterTaskDefinitionCommand({ family: `bad-${hex(3)}`, containerDefinitions: containers }));
    await assert.rejects(reg([router, app("a", { Name: "kinesis_firehose", region: "us-east-1", delivery_stream: "x" }, true)]), {
      name: "ClientException",
      message: /'Name' value 'kinesis_firehose' is not supported \(container 'a'\): S3, Kinesis, Firehose and OpenSearch destinations do not exist in Wharf\. Use cloudwatch_logs/,
    });
    await assert.rejects(reg([router, app("a", { Name: "cloudwatch_logs", region: "us-east-1", log_group_name: "/g", log_stream_name: "s", compress: "gzip" }, true)]), {
      name: "ClientException",
      message: /option 'compress' is not supported for Name 'cloudwatch_logs'/,
    });
    await assert.rejects(reg([app("a", { Name: "stdout" }, true)]), { name: "ClientException", message: /has no log router: add a container with firelensConfiguration/ });
    await assert.rejects(
      reg([{ ...router, firelensConfiguration: { type: "fluentbit", options: { "config-file-type": "file", "config-file-value": "/x.conf" } } }, app("a", { Name: "stdout" }, true)]),
      { name: "ClientException", message: /'config-file-type' is not supported by Wharf/ },
    );
    await assert.rejects(reg([app("a", { Name: "http", Host: "h", Format: "msgpack" }, true), router]), { name: "ClientException", message: /Format' must be json or json_lines/ });
    await assert.rejects(
      world.h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "nogroup",
          containerDefinitions: [{ name: "a", image: IMAGE, memory: 32, logConfiguration: { logDriver: "awslogs", options: { "awslogs-region": "us-east-1" } } }],
        }),
      ),
      { name: "ClientException", message: "Log driver awslogs option 'awslogs-group' should not be null or empty." },
    );
  });
});
