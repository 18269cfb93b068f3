import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AlarmActionEvent } from "../src/contracts/metric-alarms.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { signedQuery } from "./helpers/signed-query.js";

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/**
 * CloudWatch through @aws-sdk/client-cloudwatch (AWS JSON 1.0, awsQueryCompatible), the aws CLI
 * (botocore's json protocol) and signed Query posts (what the Terraform provider sends), on a
 * server whose clock the test moves: metrics, statistics, metric math, alarms evaluated, their
 * actions invoked and recorded.
 */
describe("CloudWatch API: SDK v3, aws CLI and Query", () => {
  let w: TestWharf;
  let cw: CloudWatchClient;
  let now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
  const invoked: AlarmActionEvent[] = [];
  before(async () => {
    w = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, registry: false, clock: { now: () => now } } });
    // First in the list: the server already registers Application Auto Scaling's invoker for this prefix.
    w.server.cloudwatch.invokers.unshift({ arnPrefix: "arn:aws:autoscaling:", invoke: async (e) => void invoked.push(e) });
    cw = new CloudWatchClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    cw?.destroy();
    await w?.close();
  });

  const sec = () => Math.floor(now / 1000);

  it("PutMetricData (Value, Values+Counts, StatisticValues) → GetMetricStatistics per period, with the unit", async () => {
    const base = Math.floor(sec() / 60) * 60 - 120; // two complete minutes ago
    const dims = [{ Name: "Host", Value: "a" }];
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "App/Test",
        MetricData: [
          { MetricName: "Latency", Dimensions: dims, Timestamp: new Date(base * 1000), Value: 10, Unit: "Milliseconds" },
          { MetricName: "Latency", Dimensions: dims, Timestamp: new Date((base + 5) * 1000), Values: [20, 30], Counts: [1, 2], Unit: "Milliseconds" },
          { MetricName: "Latency", Dimensions: dims, Timestamp: new Date((base + 60) * 1000), StatisticValues: { SampleCount: 4, Sum: 400, Minimum: 50, Maximum: 150 }, Unit: "Milliseconds" },
        ],
      }),
    );
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "App/Test",
        MetricName: "Latency",
        Dimensions: dims,
        StartTime: new Date(base * 1000),
        EndTime: new Date((base + 120) * 1000),
        Period: 60,
        Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
      }),
    );
    assert.equal(out.Label, "Latency");
    const pts = out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.equal(pts.length, 2);
    assert.deepEqual(
      pts.map((p) => [p.Timestamp!.getTime() / 1000, p.SampleCount, p.Sum, p.Average, p.Minimum, p.Maximum, p.Unit]),
      [
        [base, 4, 90, 22.5, 10, 30, "Milliseconds"],
        [base + 60, 4, 400, 100, 50, 150, "Milliseconds"],
      ],
    );
    // Other dimensions are another metric.
    const none = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: "App/Test", MetricName: "Latency", StartTime: new Date(base * 1000), EndTime: new Date((base + 120) * 1000), Period: 60, Statistics: ["Sum"] }),
    );
    assert.deepEqual(none.Datapoints, []);
  });

  it("refuses what CloudWatch refuses, in its codes", async () => {
    await rejects(cw.send(new PutMetricDataCommand({ Namespace: "AWS/ECS", MetricData: [{ MetricName: "x", Value: 1 }] })), "InvalidParameterValueException", /AWS\/ECS/);
    await rejects(
      cw.send(new PutMetricDataCommand({ Namespace: "App/Test", MetricData: [{ MetricName: "x", Value: 1, Values: [1] }] })),
      "InvalidParameterCombinationException",
      /mutually exclusive/,
    );
    await rejects(
      cw.send(new GetMetricStatisticsCommand({ Namespace: "App/Test", MetricName: "Latency", StartTime: new Date((sec() - 86400 * 2) * 1000), EndTime: new Date(sec() * 1000), Period: 60, Statistics: ["Sum"] })),
      "InvalidParameterCombinationException",
      /exceeds the limit of 1,440/,
    );
    await rejects(cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })), "ResourceNotFound");
    await rejects(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["nope"] })), "ResourceNotFound");
  });

  it("a PutMetricData the SDK gzips (over 10 KiB) is read", async () => {
    const t = sec() - 30;
    const MetricData = Array.from({ length: 300 }, (_v, i) => ({ MetricName: "Bulk", Dimensions: [{ Name: "Shard", Value: `s-${i % 3}` }], Timestamp: new Date(t * 1000), Value: i, StorageResolution: 1 }));
    await cw.send(new PutMetricDataCommand({ Namespace: "App/Bulk", MetricData }));
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "App/Bulk" }));
    assert.deepEqual(listed.Metrics!.map((m) => m.Dimensions![0]!.Value).sort(), ["s-0", "s-1", "s-2"]);
    const stat = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: "App/Bulk", MetricName: "Bulk", Dimensions: [{ Name: "Shard", Value: "s-0" }], StartTime: new Date((t - 10) * 1000), EndTime: new Date((t + 10) * 1000), Period: 10, Statistics: ["SampleCount"] }),
    );
    assert.equal(stat.Datapoints![0]!.SampleCount, 100);
  });

  it("ListMetrics filters by namespace, name and dimension (name only or name and value)", async () => {
    const t = sec() - 20;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "App/List",
        MetricData: [
          { MetricName: "A", Dimensions: [{ Name: "Env", Value: "prod" }], Timestamp: new Date(t * 1000), Value: 1 },
          { MetricName: "A", Dimensions: [{ Name: "Env", Value: "dev" }], Timestamp: new Date(t * 1000), Value: 1 },
          { MetricName: "B", Timestamp: new Date(t * 1000), Value: 1 },
        ],
      }),
    );
    const all = await cw.send(new ListMetricsCommand({ Namespace: "App/List" }));
    assert.equal(all.Metrics!.length, 3);
    const byName = await cw.send(new ListMetricsCommand({ Namespace: "App/List", MetricName: "A" }));
    assert.equal(byName.Metrics!.length, 2);
    const byDim = await cw.send(new ListMetricsCommand({ Namespace: "App/List", Dimensions: [{ Name: "Env", Value: "prod" }] }));
    assert.deepEqual(byDim.Metrics, [{ Namespace: "App/List", MetricName: "A", Dimensions: [{ Name: "Env", Value: "prod" }] }]);
    const anyEnv = await cw.send(new ListMetricsCommand({ Namespace: "App/List", Dimensions: [{ Name: "Env" }] }));
    assert.equal(anyEnv.Metrics!.length, 2);
  });

  it("GetMetricData: MetricStat queries, SUM/AVG/MIN/MAX and arithmetic, ReturnData, paging by MaxDatapoints", async () => {
    const base = Math.floor(sec() / 10) * 10 - 60;
    const MetricData = [];
    for (let i = 0; i < 5; i++) {
      MetricData.push({ MetricName: "Req", Dimensions: [{ Name: "Node", Value: "x" }], Timestamp: new Date((base + i * 10) * 1000), Value: i + 1, StorageResolution: 1 });
      MetricData.push({ MetricName: "Req", Dimensions: [{ Name: "Node", Value: "y" }], Timestamp: new Date((base + i * 10) * 1000), Value: 10 * (i + 1), StorageResolution: 1 });
    }
    await cw.send(new PutMetricDataCommand({ Namespace: "App/Math", MetricData }));
    const stat = (id: string, node: string) => ({ Id: id, MetricStat: { Metric: { Namespace: "App/Math", MetricName: "Req", Dimensions: [{ Name: "Node", Value: node }] }, Period: 10, Stat: "Sum" }, ReturnData: false });
    const q = {
      StartTime: new Date(base * 1000),
      EndTime: new Date((base + 50) * 1000),
      ScanBy: "TimestampAscending" as const,
      MetricDataQueries: [
        stat("mx", "x"),
        stat("my", "y"),
        { Id: "total", Expression: "SUM(METRICS())", Label: "Total" },
        { Id: "avg", Expression: "AVG([mx, my])" },
        { Id: "lo", Expression: "MIN([mx, my])" },
        { Id: "hi", Expression: "MAX(METRICS())" },
        { Id: "ratio", Expression: "(my - mx) / mx * 100" },
      ],
    };
    const out = await cw.send(new GetMetricDataCommand(q));
    const byId = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id, r]));
    assert.deepEqual(Object.keys(byId).sort(), ["avg", "hi", "lo", "ratio", "total"]);
    assert.equal(byId.total!.Label, "Total");
    assert.deepEqual(byId.total!.Timestamps!.map((t: Date) => t.getTime() / 1000), [0, 1, 2, 3, 4].map((i) => base + i * 10));
    assert.deepEqual(byId.total!.Values, [11, 22, 33, 44, 55]);
    assert.deepEqual(byId.avg!.Values, [5.5, 11, 16.5, 22, 27.5]);
    assert.deepEqual(byId.lo!.Values, [1, 2, 3, 4, 5]);
    assert.deepEqual(byId.hi!.Values, [10, 20, 30, 40, 50]);
    assert.deepEqual(byId.ratio!.Values, [900, 900, 900, 900, 900]);
    assert.ok(out.MetricDataResults!.every((r) => r.StatusCode === "Complete"));

    // Paging: 3 datapoints a page over 25 in all.
    const seen: number[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cw.send(new GetMetricDataCommand({ ...q, MaxDatapoints: 3, ...(NextToken ? { NextToken } : {}) }));
      for (const r of page.MetricDataResults!) seen.push(...r.Values!);
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    assert.equal(seen.length, 25);
    assert.equal(pages, 9);

    await rejects(cw.send(new GetMetricDataCommand({ ...q, MetricDataQueries: [{ Id: "e", Expression: "SUM(nothere)" }] })), "InvalidParameterValueException", /nothere/);
    await rejects(cw.send(new GetMetricDataCommand({ ...q, MetricDataQueries: [{ Id: "e", Expression: "RATE(1)" }] })), "InvalidParameterValueException", /RATE/);
  });

  it("alarms: M-of-N evaluation, StateReason as CloudWatch writes it, actions invoked (and failed ones recorded), history", async () => {
    const name = "cpu-high";
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: "App/Alarm",
        MetricName: "CPU",
        Dimensions: [{ Name: "Service", Value: "web" }],
        Statistic: "Average",
        Period: 10,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 50,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:resource/ecs/service/c/web:policyName/up", "arn:aws:sns:us-east-1:123456789012:nobody"],
        OKActions: [],
        Tags: [{ Key: "team", Value: "web" }],
      }),
    );
    let a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    assert.equal(a.StateValue, "INSUFFICIENT_DATA");
    assert.equal(a.StateReason, "Unchecked: Initial alarm creation");
    assert.equal(a.AlarmArn, `arn:aws:cloudwatch:us-east-1:${w.server.accountId}:alarm:${name}`);
    assert.equal(a.TreatMissingData, "missing");

    // No data: still INSUFFICIENT_DATA ("missing"); no transition, so the reason stays.
    await w.server.cloudwatch.evaluateNow();
    a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    assert.equal(a.StateValue, "INSUFFICIENT_DATA");
    assert.equal(a.StateReason, "Unchecked: Initial alarm creation");

    // Three complete periods: 80, 20, 90 → 2 of 3 above 50 → ALARM.
    const end = Math.floor(sec() / 10) * 10;
    const put = (values: number[]) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: "App/Alarm",
          MetricData: values.map((v, i) => ({ MetricName: "CPU", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date((end - 10 * (values.length - i)) * 1000), Value: v, StorageResolution: 1 })),
        }),
      );
    await put([80, 20, 90]);
    await w.server.cloudwatch.evaluateNow();
    a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    assert.equal(a.StateValue, "ALARM");
    assert.match(a.StateReason!, /^Threshold Crossed: 2 out of the last 3 datapoints \[90\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\), 80\.0 \(.+\)\] were greater than the threshold \(50\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    const data = JSON.parse(a.StateReasonData!);
    assert.equal(data.version, "1.0");
    assert.deepEqual(data.recentDatapoints, [80, 20, 90]);
    assert.equal(data.threshold, 50);
    assert.equal(invoked.length, 1);
    assert.equal(invoked[0]!.state, "ALARM");
    assert.equal(invoked[0]!.alarmName, name);
    assert.equal(invoked[0]!.value, 90);

    // Still ALARM at the next evaluation: the Auto Scaling action runs again, the state does not change.
    now += 10_000;
    await put([95]);
    await w.server.cloudwatch.evaluateNow();
    assert.equal(invoked.length, 2);

    const hist = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name }));
    const summaries = hist.AlarmHistoryItems!.map((h) => h.HistorySummary);
    assert.ok(summaries.includes(`Alarm "${name}" created`), summaries.join("\n"));
    assert.ok(summaries.includes("Alarm updated from INSUFFICIENT_DATA to ALARM"), summaries.join("\n"));
    assert.ok(summaries.some((s) => s!.startsWith("Successfully executed action arn:aws:autoscaling:")));
    assert.ok(summaries.some((s) => s!.startsWith("Failed to execute action arn:aws:sns:us-east-1:123456789012:nobody")));
    const onlyState = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: "StateUpdate" }));
    assert.ok(onlyState.AlarmHistoryItems!.length >= 1 && onlyState.AlarmHistoryItems!.every((h) => h.HistoryItemType === "StateUpdate"));

    // Disabled actions: SetAlarmState moves the state, nothing is invoked.
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: [name] }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "OK", StateReason: "testing" }));
    a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    assert.equal(a.StateValue, "OK");
    assert.equal(a.StateReason, "testing");
    assert.equal(a.ActionsEnabled, false);
    await w.server.cloudwatch.evaluateNow();
    assert.equal(invoked.length, 2);
    await cw.send(new EnableAlarmActionsCommand({ AlarmNames: [name] }));

    const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: "App/Alarm", MetricName: "CPU", Dimensions: [{ Name: "Service", Value: "web" }] }));
    assert.deepEqual(forMetric.MetricAlarms!.map((x) => x.AlarmName), [name]);

    // Tags.
    const arn = a.AlarmArn!;
    await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "tier", Value: "1" }] }));
    await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["team"] }));
    assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "tier", Value: "1" }]);
    await rejects(cw.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:cloudwatch:us-east-1:${w.server.accountId}:alarm:nope` })), "ResourceNotFoundException");
  });

  it("TreatMissingData breaching / notBreaching / ignore on an alarm without data", async () => {
    const mk = (AlarmName: string, TreatMissingData: string) =>
      cw.send(new PutMetricAlarmCommand({ AlarmName, Namespace: "App/Empty", MetricName: "None", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData }));
    await mk("tmd-breaching", "breaching");
    await mk("tmd-not", "notBreaching");
    await mk("tmd-ignore", "ignore");
    await w.server.cloudwatch.evaluateNow();
    const states = Object.fromEntries((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tmd-" }))).MetricAlarms!.map((x) => [x.AlarmName, x.StateValue]));
    assert.deepEqual(states, { "tmd-breaching": "ALARM", "tmd-ignore": "INSUFFICIENT_DATA", "tmd-not": "OK" });
    // Paging and the state filter.
    const p1 = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tmd-", MaxRecords: 2 }));
    assert.equal(p1.MetricAlarms!.length, 2);
    const p2 = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tmd-", MaxRecords: 2, NextToken: p1.NextToken! }));
    assert.deepEqual(p2.MetricAlarms!.map((x) => x.AlarmName), ["tmd-not"]);
    assert.equal(p2.NextToken, undefined);
    const inAlarm = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tmd-", StateValue: "ALARM" }));
    assert.deepEqual(inAlarm.MetricAlarms!.map((x) => x.AlarmName), ["tmd-breaching"]);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["tmd-breaching", "tmd-not", "tmd-ignore"] }));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "tmd-" }))).MetricAlarms, []);
  });

  it("the AlarmRegistry (Application Auto Scaling's side) creates alarms DescribeAlarms lists, and deletes them", async () => {
    const arn = await w.server.cloudwatch.registry.putAlarm(w.server.accountId, "us-east-1", {
      AlarmName: "TargetTracking-service/c/web-AlarmHigh-0000",
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [{ Name: "ClusterName", Value: "c" }, { Name: "ServiceName", Value: "web" }],
      Statistic: "Average",
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 50,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: ["arn:aws:autoscaling:us-east-1:1:scalingPolicy:x"],
    });
    assert.match(arn, /:alarm:TargetTracking-service\/c\/web-AlarmHigh-0000$/);
    const listed = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "TargetTracking-" }));
    assert.equal(listed.MetricAlarms!.length, 1);
    await w.server.cloudwatch.registry.deleteAlarms(w.server.accountId, "us-east-1", ["TargetTracking-service/c/web-AlarmHigh-0000", "not-there"]);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "TargetTracking-" }))).MetricAlarms, []);
  });

  it("the aws CLI (botocore's json protocol): put-metric-data, get-metric-statistics, put-metric-alarm, describe-alarms, errors", async () => {
    const t = Math.floor(sec() / 60) * 60 - 60;
    const ts = new Date(t * 1000).toISOString();
    await w.aws("cloudwatch", "put-metric-data", "--namespace", "Cli/Test", "--metric-name", "Hits", "--dimensions", "Page=home", "--value", "7", "--timestamp", ts, "--unit", "Count");
    await w.aws("cloudwatch", "put-metric-data", "--namespace", "Cli/Test", "--metric-name", "Hits", "--dimensions", "Page=home", "--value", "3", "--timestamp", ts, "--unit", "Count");
    const stats = await w.aws(
      "cloudwatch", "get-metric-statistics", "--namespace", "Cli/Test", "--metric-name", "Hits", "--dimensions", "Name=Page,Value=home",
      "--start-time", new Date((t - 60) * 1000).toISOString(), "--end-time", new Date((t + 60) * 1000).toISOString(), "--period", "60", "--statistics", "Sum", "Maximum",
    );
    assert.equal(stats.Label, "Hits");
    assert.equal(stats.Datapoints.length, 1);
    assert.equal(stats.Datapoints[0].Sum, 10);
    assert.equal(stats.Datapoints[0].Maximum, 7);
    assert.equal(stats.Datapoints[0].Unit, "Count");
    await w.aws(
      "cloudwatch", "put-metric-alarm", "--alarm-name", "cli-alarm", "--namespace", "Cli/Test", "--metric-name", "Hits", "--dimensions", "Name=Page,Value=home",
      "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "5", "--comparison-operator", "GreaterThanThreshold",
    );
    const described = await w.aws("cloudwatch", "describe-alarms", "--alarm-names", "cli-alarm");
    assert.equal(described.MetricAlarms[0].AlarmName, "cli-alarm");
    assert.equal(described.MetricAlarms[0].Threshold, 5);
    const err = await w.awsError("cloudwatch", "set-alarm-state", "--alarm-name", "no-such", "--state-value", "OK", "--state-reason", "x");
    assert.equal(err.code, "ResourceNotFound", err.stderr);
    const bad = await w.awsError("cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "x", "--value", "1");
    assert.equal(bad.code, "InvalidParameterValue", bad.stderr);
    await w.aws("cloudwatch", "delete-alarms", "--alarm-names", "cli-alarm");
  });

  it("the Query protocol (the Terraform provider's): PutMetricAlarm, DescribeAlarms as XML, errors as ErrorResponse", async () => {
    const put = await signedQuery(
      w,
      "monitoring",
      new URLSearchParams({
        Action: "PutMetricAlarm", Version: "2010-08-01", AlarmName: "q-alarm", Namespace: "Q/Test", MetricName: "M", Statistic: "Average", Period: "60",
        EvaluationPeriods: "2", Threshold: "1.5", ComparisonOperator: "LessThanThreshold", "Dimensions.member.1.Name": "K", "Dimensions.member.1.Value": "v",
        "AlarmActions.member.1": "arn:aws:autoscaling:us-east-1:1:scalingPolicy:q",
      }).toString(),
    );
    assert.equal(put.status, 200, put.text);
    assert.match(put.text, /<PutMetricAlarmResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/">/);
    const d = await signedQuery(w, "monitoring", "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=q-alarm");
    assert.equal(d.status, 200, d.text);
    assert.match(d.text, /<MetricAlarms><member>.*<AlarmName>q-alarm<\/AlarmName>/s);
    assert.match(d.text, /<Dimensions><member><Name>K<\/Name><Value>v<\/Value><\/member><\/Dimensions>/);
    assert.match(d.text, /<AlarmActions><member>arn:aws:autoscaling:us-east-1:1:scalingPolicy:q<\/member><\/AlarmActions>/);
    assert.match(d.text, /<Threshold>1.5<\/Threshold>/);
    assert.match(d.text, /<StateValue>INSUFFICIENT_DATA<\/StateValue>/);
    const e = await signedQuery(w, "monitoring", "Action=DeleteAlarms&Version=2010-08-01&AlarmNames.member.1=nope");
    assert.equal(e.status, 404);
    assert.match(e.text, /<ErrorResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>ResourceNotFound<\/Code>/);
    const v = await signedQuery(w, "monitoring", "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=x");
    assert.equal(v.status, 400);
    assert.match(v.text, /<Code>MissingParameter<\/Code><Message>The parameter EvaluationPeriods is required.<\/Message>/);
    const tooLong = await signedQuery(w, "monitoring", `Action=DescribeAlarms&Version=2010-08-01&AlarmNamePrefix=${"x".repeat(256)}`);
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.text, /<Code>ValidationError<\/Code><Message>1 validation error detected: Value '.*' at 'alarmNamePrefix' failed to satisfy constraint: Member must have length less than or equal to 255<\/Message>/);
    await signedQuery(w, "monitoring", "Action=DeleteAlarms&Version=2010-08-01&AlarmNames.member.1=q-alarm");
  });
  it("alarms (configuration and state) survive a control-plane restart; metric data does not", async () => {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "persist", Namespace: "App/P", MetricName: "M", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: "persist", StateValue: "ALARM", StateReason: "before the restart" }));
    await w.stop();
    await w.restart();
    cw.destroy();
    cw = new CloudWatchClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["persist"] }))).MetricAlarms![0]!;
    assert.equal(a.StateValue, "ALARM");
    assert.equal(a.StateReason, "before the restart");
    assert.deepEqual((await cw.send(new ListMetricsCommand({ Namespace: "App/Test" }))).Metrics, []);
  });
});
