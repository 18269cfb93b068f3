import type { AlarmRegistry, AlarmStateReader } from "../../contracts/metric-alarms.js";
import { putAlarm } from "./alarms.js";
import type { CloudWatchDeps } from "./common.js";

/**
 * CloudWatch's side of src/contracts/metric-alarms.ts: Application Auto Scaling creates and
 * deletes its target-tracking alarms through this, with PutMetricAlarm's own checks; they are
 * then alarms like any other (DescribeAlarms lists them, the evaluator evaluates them).
 */
export function cloudwatchAlarmRegistry(deps: CloudWatchDeps): AlarmRegistry {
  return {
    async putAlarm(accountId, region, spec) {
      const doc = await putAlarm(deps, { accountId, region }, { ...spec, Dimensions: spec.Dimensions });
      return doc.AlarmArn;
    },
    async deleteAlarms(accountId, region, names) {
      const docs = names.map((n) => deps.alarms.get(accountId, region, n)).filter((d) => d !== undefined);
      await deps.alarms.delete(docs);
    },
  };
}

/** CloudWatch's side of `AlarmStateReader`: ECS's deployment alarms read the alarms' states from the alarm book. */
export function cloudwatchAlarmStates(deps: CloudWatchDeps): AlarmStateReader {
  return {
    alarmStates(accountId, region, names) {
      return names.flatMap((n) => {
        const a = deps.alarms.get(accountId, region, n);
        if (!a) return [];
        return [{ name: n, state: a.StateValue, evaluationPeriods: a.EvaluationPeriods, ...(a.Period !== undefined ? { periodS: a.Period } : {}) }];
      });
    },
  };
}
