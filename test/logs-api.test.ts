import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startServer } from "../src/server.js";
import { cleanupStack } from "./helpers/cleanup.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const logsClient = (w: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } }) =>
  new CloudWatchLogsClient({ endpoint: w.url, region: "us-east-1", credentials: w.credentials, maxAttempts: 1 });

let unique = 0;
const name = (p: string) => `/wharf-test/${p}-${process.pid}-${++unique}`;

/** Reads every page of a FilterLogEvents query. */
async function filterAll(cw: CloudWatchLogsClient, input: FilterLogEventsCommandInput) {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const out = await cw.send(new FilterLogEventsCommand({ ...input, nextToken }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    assert.notEqual(nextToken, "");
    pages++;
  } while (nextToken);
  return { events, pages };
}

describe("CloudWatch Logs API through @aws-sdk/client-cloudwatch-logs", () => {
  let w: TestWharf;
  let cw: CloudWatchLogsClient;
  before(async () => {
    w = await startTestWharf();
    cw = logsClient(w.server);
  });
  after(async () => w.close());

  it("creates, describes (prefix, pages) and deletes log groups with AWS's errors", async () => {
    const prefix = name("groups");
    for (const n of ["a", "b", "c", "d", "e"]) await cw.send(new CreateLogGroupCommand({ logGroupName: `${prefix}/${n}` }));
    await assert.rejects(cw.send(new CreateLogGroupCommand({ logGroupName: `${prefix}/a` })), {
      name: "ResourceAlreadyExistsException",
    });
    await assert.rejects(cw.send(new CreateLogGroupCommand({ logGroupName: "bad name!" })), {
      name: "InvalidParameterException",
    });
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, limit: 2, nextToken }));
      assert.ok((out.logGroups ?? []).length <= 2);
      seen.push(...(out.logGroups ?? []).map((g) => g.logGroupName!));
      nextToken = out.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, ["a", "b", "c", "d", "e"].map((n) => `${prefix}/${n}`));
    const one = (await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `${prefix}/c` }))).logGroups![0]!;
    assert.equal(one.arn, `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:${prefix}/c:*`);
    assert.equal(one.logGroupArn, `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:${prefix}/c`);
    assert.equal(one.storedBytes, 0);
    assert.ok(Math.abs(one.creationTime! - Date.now()) < 60_000);

    await cw.send(new DeleteLogGroupCommand({ logGroupName: `${prefix}/c` }));
    const after = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }));
    assert.equal(after.logGroups?.length, 4);
    await assert.rejects(cw.send(new DeleteLogGroupCommand({ logGroupName: `${prefix}/c` })), {
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
  });

  it("creates, orders, pages and deletes log streams", async () => {
    const g = name("streams");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    for (const s of ["s1", "s2", "s3"]) await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: s }));
    await assert.rejects(cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s1" })), {
      name: "ResourceAlreadyExistsException",
    });
    await assert.rejects(cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "a:b" })), {
      name: "InvalidParameterException",
    });
    const now = Date.now();
    // s1 gets the newest event, s3 the oldest, s2 none.
    await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s1", logEvents: [{ timestamp: now, message: "x" }] }));
    await cw.send(
      new PutLogEventsCommand({ logGroupName: g, logStreamName: "s3", logEvents: [{ timestamp: now - 5000, message: "y" }] }),
    );
    const byTime = await cw.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: "LastEventTime", descending: true }));
    assert.deepEqual(byTime.logStreams?.map((s) => s.logStreamName), ["s1", "s3", "s2"]);
    const s1 = byTime.logStreams![0]!;
    assert.equal(s1.lastEventTimestamp, now);
    assert.equal(s1.firstEventTimestamp, now);
    assert.ok(s1.lastIngestionTime! >= now - 1000);
    assert.equal(s1.arn, `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:${g}:log-stream:s1`);

    const page1 = await cw.send(new DescribeLogStreamsCommand({ logGroupName: g, limit: 2 }));
    assert.deepEqual(page1.logStreams?.map((s) => s.logStreamName), ["s1", "s2"]);
    const page2 = await cw.send(new DescribeLogStreamsCommand({ logGroupName: g, limit: 2, nextToken: page1.nextToken }));
    assert.deepEqual(page2.logStreams?.map((s) => s.logStreamName), ["s3"]);
    assert.equal(page2.nextToken, undefined);
    const byArn = await cw.send(
      new DescribeLogStreamsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:${g}`, logStreamNamePrefix: "s2" }),
    );
    assert.deepEqual(byArn.logStreams?.map((s) => s.logStreamName), ["s2"]);
    await assert.rejects(
      cw.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: "LastEventTime", logStreamNamePrefix: "s" })),
      { name: "InvalidParameterException" },
    );

    await cw.send(new DeleteLogStreamCommand({ logGroupName: g, logStreamName: "s1" }));
    const left = await cw.send(new DescribeLogStreamsCommand({ logGroupName: g }));
    assert.deepEqual(left.logStreams?.map((s) => s.logStreamName), ["s2", "s3"]);
    await assert.rejects(cw.send(new DeleteLogStreamCommand({ logGroupName: g, logStreamName: "s1" })), {
      name: "ResourceNotFoundException",
      message: "The specified log stream does not exist.",
    });
    // A re-created stream of the same name starts empty.
    await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s1" }));
    const fresh = await cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s1" }));
    assert.deepEqual(fresh.events, []);
  });

  it("PutLogEvents enforces the batch rules and reports rejected events", async () => {
    const g = name("put");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s" }));
    const now = Date.now();
    const put = (logEvents: { timestamp: number; message: string }[]) =>
      cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents }));

    await assert.rejects(put([{ timestamp: now, message: "b" }, { timestamp: now - 1, message: "a" }]), {
      name: "InvalidParameterException",
      message: /chronological order/,
    });
    await assert.rejects(put([{ timestamp: now - 23 * 3600_000, message: "a" }, { timestamp: now + 3600_000 + 1, message: "b" }]), {
      name: "InvalidParameterException",
      message: /24 hours/,
    });
    await assert.rejects(
      cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "nope", logEvents: [{ timestamp: now, message: "x" }] })),
      { name: "ResourceNotFoundException" },
    );
    // Over 1,048,576 bytes counting 26 bytes per event: 2 × (524,276 + 26) = 1,048,604.
    const big = "x".repeat(524_276);
    await assert.rejects(put([{ timestamp: now, message: big }, { timestamp: now, message: big }]), {
      name: "InvalidParameterException",
      message: /Upload too large: 1048604 bytes exceeds limit of 1048576/,
    });
    // Exactly at the limit is accepted (the request body is then over 1 MiB of JSON).
    const fits = "y".repeat(524_262);
    const ok = await put([{ timestamp: now, message: fits }, { timestamp: now, message: fits }]);
    assert.equal(ok.rejectedLogEventsInfo, undefined);
    assert.ok(ok.nextSequenceToken);

    const mixed = await put([
      { timestamp: now - 15 * 86_400_000, message: "too old" },
      { timestamp: now - 1000, message: "kept 1" },
      { timestamp: now, message: "kept 2" },
      { timestamp: now + 3 * 3600_000, message: "too new" },
    ]);
    assert.deepEqual(mixed.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 3 });
    // Sequence tokens are ignored, as CloudWatch does today.
    await put([{ timestamp: now, message: "kept 3" }]);
    await cw.send(
      new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", sequenceToken: "bogus", logEvents: [{ timestamp: now, message: "kept 4" }] }),
    );
    const kept = await filterAll(cw, { logGroupName: g, filterPattern: "kept" });
    assert.deepEqual(kept.events.map((e) => e.message), ["kept 1", "kept 2", "kept 3", "kept 4"]);
    // Reads are capped near 1 MB per response, as CloudWatch's: the two big events take a page each.
    const got = await cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", startFromHead: true, limit: 100 }));
    assert.deepEqual(got.events?.map((e) => e.message!.length), [6, 524_262]);

    await cw.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 1 }));
    const expired = await put([
      { timestamp: now - 2 * 86_400_000, message: "expired" },
      { timestamp: now, message: "fresh" },
    ]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 0 });
  });

  it("GetLogEvents pages forward and backward with AWS's token semantics", async () => {
    const g = name("get");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s" }));
    const t0 = Date.now() - 60_000;
    const lines = Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + i * 100, message: `line ${i}` }));
    await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: lines }));
    const get = (extra: object) => cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, ...extra }));

    // Default: the newest events; startFromHead: the oldest.
    const tail = await get({});
    assert.deepEqual(tail.events?.map((e) => e.message), lines.slice(15).map((l) => l.message));
    const head = await get({ startFromHead: true });
    assert.deepEqual(head.events?.map((e) => e.message), lines.slice(0, 10).map((l) => l.message));
    assert.ok(head.events![0]!.ingestionTime! >= head.events![0]!.timestamp!);

    // Forward to the end; at the end the same token comes back, until new events arrive.
    const seen = [...head.events!.map((e) => e.message)];
    let token = head.nextForwardToken!;
    for (;;) {
      const out = await get({ nextToken: token });
      seen.push(...out.events!.map((e) => e.message));
      if (out.nextForwardToken === token) {
        assert.equal(out.events!.length, 0);
        break;
      }
      token = out.nextForwardToken!;
    }
    assert.deepEqual(seen, lines.map((l) => l.message));
    await cw.send(
      new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: [{ timestamp: t0 + 10_000, message: "late" }] }),
    );
    const more = await get({ nextToken: token });
    assert.deepEqual(more.events?.map((e) => e.message), ["late"]);
    assert.notEqual(more.nextForwardToken, token);

    // Backward from the tail.
    const back = await get({ nextToken: tail.nextBackwardToken });
    assert.deepEqual(back.events?.map((e) => e.message), lines.slice(5, 15).map((l) => l.message));
    const back2 = await get({ nextToken: back.nextBackwardToken });
    assert.deepEqual(back2.events?.map((e) => e.message), lines.slice(0, 5).map((l) => l.message));
    const back3 = await get({ nextToken: back2.nextBackwardToken });
    assert.deepEqual(back3.events, []);
    assert.equal(back3.nextBackwardToken, back2.nextBackwardToken);

    // A time window: [startTime, endTime).
    const win = await get({ startTime: t0 + 500, endTime: t0 + 1000, startFromHead: true });
    assert.deepEqual(win.events?.map((e) => e.message), ["line 5", "line 6", "line 7", "line 8", "line 9"]);
    await assert.rejects(get({ nextToken: "garbage" }), { name: "InvalidParameterException" });
  });

  it("FilterLogEvents interleaves streams, matches patterns in a time window, and pages with stable eventIds", async () => {
    const g = name("filter");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    const t0 = Date.now() - 3600_000;
    const all: { stream: string; timestamp: number; message: string }[] = [];
    for (const s of ["app/web/1", "app/web/2", "db/1"]) {
      await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: s }));
      const evs = Array.from({ length: 300 }, (_, i) => {
        const level = i % 7 === 0 ? "ERROR" : i % 5 === 0 ? "WARN" : "INFO";
        return { timestamp: t0 + i * 1000 + s.length, message: `${level} ${s} request ${i} took ${i % 13} ms` };
      });
      await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: s, logEvents: evs }));
      all.push(...evs.map((e) => ({ stream: s, ...e })));
    }
    all.sort((a, b) => a.timestamp - b.timestamp);
    const startTime = t0 + 50_000;
    const endTime = t0 + 250_000;
    const inWindow = all.filter((e) => e.timestamp >= startTime && e.timestamp <= endTime);

    const errors = await filterAll(cw, { logGroupName: g, filterPattern: "ERROR", startTime, endTime, limit: 7 });
    const want = inWindow.filter((e) => e.message.includes("ERROR"));
    assert.ok(errors.pages > 3);
    assert.deepEqual(errors.events.map((e) => e.message), want.map((e) => e.message));
    assert.deepEqual(errors.events.map((e) => e.logStreamName), want.map((e) => e.stream));
    const ids = errors.events.map((e) => e.eventId!);
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < errors.events.length; i++) assert.ok(errors.events[i]!.timestamp! >= errors.events[i - 1]!.timestamp!);

    // The same query again gives the same eventIds.
    const again = await filterAll(cw, { logGroupName: g, filterPattern: "ERROR", startTime, endTime, limit: 50 });
    assert.deepEqual(again.events.map((e) => e.eventId), ids);

    const both = await filterAll(cw, { logGroupName: g, filterPattern: 'ERROR "web/2 request"' });
    assert.deepEqual(both.events.map((e) => e.message), all.filter((e) => e.message.startsWith("ERROR app/web/2 request")).map((e) => e.message));
    const either = await filterAll(cw, { logGroupName: g, filterPattern: "?ERROR ?WARN", logStreamNamePrefix: "db/" });
    assert.deepEqual(
      either.events.map((e) => e.message),
      all.filter((e) => e.stream === "db/1" && !e.message.startsWith("INFO")).map((e) => e.message),
    );
    const named = await filterAll(cw, { logGroupName: g, logStreamNames: ["app/web/1"], filterPattern: "-INFO -WARN" });
    assert.deepEqual(named.events.map((e) => e.message), all.filter((e) => e.stream === "app/web/1" && e.message.startsWith("ERROR")).map((e) => e.message));
    // A regex is matched row by row in JS: paging must not skip rows it did not examine.
    const re = await filterAll(cw, { logGroupName: g, filterPattern: "%request 1[0-9]7 took%", limit: 4 });
    assert.deepEqual(re.events.map((e) => e.message), all.filter((e) => /request 1[0-9]7 took/.test(e.message)).map((e) => e.message));
    assert.equal(re.events.length, 30);
    const everything = await filterAll(cw, { logGroupName: g });
    assert.equal(everything.events.length, all.length);

    await assert.rejects(cw.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: "{ $.level = 1 }" })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(cw.send(new FilterLogEventsCommand({ logGroupName: name("missing") })), {
      name: "ResourceNotFoundException",
    });
  });

  it("tags log groups by ARN and by name", async () => {
    const g = name("tags");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g, tags: { team: "a" } }));
    const arn = `arn:aws:logs:us-east-1:${w.server.accountId}:log-group:${g}`;
    await cw.send(new TagResourceCommand({ resourceArn: arn, tags: { env: "dev", team: "b" } }));
    assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: "b", env: "dev" });
    await cw.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["team"] }));
    await cw.send(new TagLogGroupCommand({ logGroupName: g, tags: { old: "api" } }));
    assert.deepEqual((await cw.send(new ListTagsLogGroupCommand({ logGroupName: g }))).tags, { env: "dev", old: "api" });
    await assert.rejects(cw.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-nope` })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(cw.send(new TagResourceCommand({ resourceArn: arn, tags: { "aws:x": "y" } })), {
      name: "InvalidParameterException",
    });
  });

  it("keeps events across a restart", async () => {
    const g = name("durable");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s" }));
    await cw.send(
      new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "survives" }] }),
    );
    await w.stop();
    await w.restart();
    cw = logsClient(w.server);
    const out = await cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s" }));
    assert.deepEqual(out.events?.map((e) => e.message), ["survives"]);
  });
});

describe("CloudWatch Logs retention is enforced by the sweeper", () => {
  it("deletes events older than the retention, and the events of deleted groups", async (t) => {
    const defer = cleanupStack((run) => t.after(run));
    let dataDir: string | undefined;
    defer(() => dataDir && rmSync(dataDir, { recursive: true, force: true }));
    dataDir = mkdtempSync(join(tmpdir(), "wharf-logs-retention-"));
    const server = await startServer({ dataDir, port: 0, logsSweepIntervalMs: 100 });
    defer(() => server.close());
    const cw = logsClient(server);
    const g = name("retention");
    await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s" }));
    const now = Date.now();
    const old = Array.from({ length: 50 }, (_, i) => ({ timestamp: now - 3 * 86_400_000 + i, message: `old ${i}` }));
    const recent = Array.from({ length: 5 }, (_, i) => ({ timestamp: now - 1000 + i, message: `recent ${i}` }));
    await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: old }));
    await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: recent }));
    const before = (await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups![0]!;
    assert.equal(before.retentionInDays, undefined);
    await server.logs.sweepNow();
    assert.equal((await filterAll(cw, { logGroupName: g })).events.length, 55, "no retention: nothing deleted");

    await cw.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 1 }));
    const described = (await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups![0]!;
    assert.equal(described.retentionInDays, 1);
    // Level-triggered: the periodic sweeper (100 ms here) notices without being told.
    let left: string[] = [];
    await waitFor(
      async () => {
        left = (await filterAll(cw, { logGroupName: g })).events.map((e) => e.message!);
        return left.length === 5;
      },
      { what: "the sweeper to delete the old events", detail: () => `${left.length} events left` },
    );
    assert.deepEqual(left, recent.map((e) => e.message));
    const after = (await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups![0]!;
    assert.ok(after.storedBytes! < before.storedBytes!, "storedBytes shrinks with deleted events");
    await cw.send(new DeleteRetentionPolicyCommand({ logGroupName: g }));
    assert.equal((await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }))).logGroups![0]!.retentionInDays, undefined);
    await assert.rejects(cw.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 2 })), {
      name: "InvalidParameterException",
    });

    // Deleting the group removes its events from storage in the background.
    const stored = server.logs.logs.countEvents();
    await cw.send(new DeleteLogGroupCommand({ logGroupName: g }));
    await server.logs.sweepNow();
    assert.equal(server.logs.logs.countEvents(), stored - 5);
  });
});
