import type { AlarmActionEvent, AlarmRegistry, MetricAlarmSpec } from "../../src/contracts/metric-alarms.js";

/**
 * An in-memory AlarmRegistry (src/contracts/metric-alarms.ts) for Application Auto Scaling's
 * tests until CloudWatch's is wired: it keeps what PutMetricAlarm would, and `fire` builds the
 * event CloudWatch's evaluator would hand the alarm's actions.
 */
export class MemoryAlarms implements AlarmRegistry {
  readonly alarms = new Map<string, MetricAlarmSpec & { accountId: string; region: string; arn: string }>();

  async putAlarm(accountId: string, region: string, spec: MetricAlarmSpec): Promise<string> {
    const arn = `arn:aws:cloudwatch:${region}:${accountId}:alarm:${spec.AlarmName}`;
    this.alarms.set(spec.AlarmName, { ...structuredClone(spec), accountId, region, arn });
    return arn;
  }

  async deleteAlarms(_accountId: string, _region: string, names: string[]): Promise<void> {
    for (const n of names) this.alarms.delete(n);
  }

  /** The events an evaluation in ALARM (or another state) would send, one per alarm action. */
  events(name: string, value: number, at = Date.now(), state: AlarmActionEvent["state"] = "ALARM"): AlarmActionEvent[] {
    const a = this.alarms.get(name);
    if (!a) throw new Error(`no alarm ${name}`);
    const cmp = a.ComparisonOperator.startsWith("Greater") ? "greater than" : "less than";
    return a.AlarmActions.map((actionArn) => ({
      accountId: a.accountId,
      region: a.region,
      actionArn,
      alarmName: a.AlarmName,
      alarmArn: a.arn,
      state,
      reason: `Threshold Crossed: 1 datapoint [${value.toFixed(1)}] was ${cmp} the threshold (${a.Threshold.toFixed(1)}).`,
      value,
      at,
    }));
  }
}
