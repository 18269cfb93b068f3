import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  type InputLogEvent,
  PutLogEventsCommand,
  type PutLogEventsCommandInput,
  TagLogGroupCommand,
  TagResourceCommand as TagLogsResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeClustersCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appendLogEvents } from "../src/api/logs/index.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * Constraint errors of ECS's and CloudWatch Logs' models through the real SDKs and the aws CLI:
 * InvalidParameterException, 400, with AWS's validation text naming every violation.
 */
const one = (text: string) => `1 validation error detected: ${text}`;

async function refused(call: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(call, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, "InvalidParameterException", e.message);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    assert.equal(e.message, message);
    return true;
  });
}

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

describe("model constraints through a running Wharf", () => {
  let w: TestWharf;
  let cw: CloudWatchLogsClient;
  before(async () => {
    w = await startTestWharf();
    cw = new CloudWatchLogsClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
  });
  after(async () => w.close());

  describe("ECS", () => {
    const arn = (c: string) => `arn:aws:ecs:us-east-1:${w.server.accountId}:cluster/${c}`;

    it("more than 50 tags, a key over 128 characters, a value outside the tag pattern", async () => {
      await refused(
        w.ecs.send(new CreateClusterCommand({ clusterName: "mc-tags", tags: tags(51) })),
        one("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"),
      );
      await w.ecs.send(new CreateClusterCommand({ clusterName: "mc-tags", tags: tags(50) }));
      const long = "k".repeat(129);
      await refused(
        w.ecs.send(new TagResourceCommand({ resourceArn: arn("mc-tags"), tags: [{ key: "ok", value: "a" }, { key: long, value: "b" }] })),
        one(`Value '${long}' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`),
      );
      await refused(
        w.ecs.send(new TagResourceCommand({ resourceArn: arn("mc-tags"), tags: [{ key: "team", value: "a&b" }] })),
        one("Value 'a&b' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"),
      );
      // Letters of any script, spaces and the allowed punctuation pass the same pattern.
      await w.ecs.send(new TagResourceCommand({ resourceArn: arn("mc-tags"), tags: [{ key: "k0", value: "équipe 日本 a/b:c=d+e-f@g_h.i" }] }));
    });

    it("enum values, alone and in a list", async () => {
      await refused(
        w.ecs.send(new RunTaskCommand({ taskDefinition: "x", launchType: "MOON" } as unknown as RunTaskCommandInput)),
        one("Value 'MOON' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]"),
      );
      await refused(
        w.ecs.send(new DescribeClustersCommand({ include: ["TAGS", "BOGUS" as "TAGS"] })),
        one(
          "Value '[TAGS, BOGUS]' at 'include' failed to satisfy constraint: Member must satisfy constraint: " +
            "[Member must satisfy enum value set: [ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS, TAGS]]",
        ),
      );
    });

    it("number ranges (a strategy weight, a Service Connect port), every violation in one answer", async () => {
      const input: CreateServiceCommandInput = {
        serviceName: "mc-svc",
        taskDefinition: "x",
        capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1001 }],
        serviceConnectConfiguration: { enabled: true, services: [{ portName: "web", clientAliases: [{ port: 70000 }] }] },
      };
      await refused(
        w.ecs.send(new CreateServiceCommand(input)),
        "2 validation errors detected: " +
          "Value '1001' at 'capacityProviderStrategy.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 1000; " +
          "Value '70000' at 'serviceConnectConfiguration.services.1.member.clientAliases.1.member.port' failed to satisfy constraint: Member must have value less than or equal to 65535",
      );
    });

    it("through the aws CLI (which leaves maximums to the service)", async () => {
      const file = join(w.dataDir, "cluster-51-tags.json");
      writeFileSync(file, JSON.stringify({ clusterName: "mc-cli", tags: tags(51) }));
      const r = await w.awsError("ecs", "create-cluster", "--cli-input-json", `file://${file}`);
      assert.equal(r.code, "InvalidParameterException", r.stderr);
      assert.match(r.stderr, /1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/);
    });
  });

  describe("CloudWatch Logs", () => {
    const events = (n: number): Array<{ timestamp: number; message: string }> => Array.from({ length: n }, (_, i) => ({ timestamp: Date.now(), message: `line ${i}` }));

    it("PutLogEvents with more than 10,000 events, none, an empty message or no logEvents at all", async () => {
      await cw.send(new CreateLogGroupCommand({ logGroupName: "mc-group" }));
      await cw.send(new CreateLogStreamCommand({ logGroupName: "mc-group", logStreamName: "s" }));
      const put = (logEvents: InputLogEvent[] | undefined) =>
        cw.send(new PutLogEventsCommand({ logGroupName: "mc-group", logStreamName: "s", logEvents } as PutLogEventsCommandInput));
      const tooMany = one("Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000");
      await refused(put(events(10_001)), tooMany);
      await refused(put([]), one("Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"));
      await refused(
        put([{ timestamp: Date.now(), message: "ok" }, { timestamp: Date.now(), message: "" }]),
        one("Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"),
      );
      await refused(put(undefined), one("Value null at 'logEvents' failed to satisfy constraint: Member must not be null"));
      assert.equal((await put(events(10_000))).rejectedLogEventsInfo, undefined);
      // The in-process entry point for shippers applies the same model.
      assert.throws(
        () => appendLogEvents(w.server.logs, { region: "us-east-1", logGroupName: "mc-group", logStreamName: "s", logEvents: events(10_001) }),
        { name: "InvalidParameterException", message: tooMany },
      );
    });

    it("a log group name too long and of the wrong characters: both violations", async () => {
      const long = "g".repeat(513);
      await refused(
        cw.send(new CreateLogGroupCommand({ logGroupName: long })),
        one(`Value '${long}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512`),
      );
      const bad = `${"g".repeat(512)}!`;
      await refused(
        cw.send(new CreateLogGroupCommand({ logGroupName: bad })),
        "2 validation errors detected: " +
          `Value '${bad}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512; ` +
          `Value '${bad}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    });

    it("tags: more than 50 in one call, a value over 256 characters", async () => {
      await cw.send(new CreateLogGroupCommand({ logGroupName: "mc-tagged" }));
      const map = Object.fromEntries(tags(51).map((t) => [t.key, t.value]));
      await refused(
        cw.send(new TagLogGroupCommand({ logGroupName: "mc-tagged", tags: map })),
        one(`Value '{${Object.entries(map).map(([k, v]) => `${k}=${v}`).join(", ")}}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`),
      );
      const long = "v".repeat(257);
      const groupArn = `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:mc-tagged`;
      await refused(
        cw.send(new TagLogsResourceCommand({ resourceArn: groupArn, tags: { team: long } })),
        one(
          `Value '{team=${long}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: ` +
            "[Member must have length less than or equal to 256, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]",
        ),
      );
    });

    it("enum values and number ranges", async () => {
      await refused(
        cw.send(new DescribeLogStreamsCommand({ logGroupName: "mc-group", orderBy: "Bogus" as "LogStreamName" })),
        one("Value 'Bogus' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"),
      );
      await refused(
        cw.send(new DescribeLogGroupsCommand({ limit: 51 })),
        one("Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"),
      );
    });
  });
});
