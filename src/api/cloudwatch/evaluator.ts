import { type AlarmRule, type ComparisonOperator, evaluateAlarm, evaluationRange, type RangePoint, type TreatMissingData } from "../../core/cloudwatch/alarm-eval.js";
import { isStatistic, periodStart, statValue } from "../../core/cloudwatch/stats.js";
import type { AlarmDoc } from "./alarm-book.js";
import { changeState, isRepeatingAction, runActions } from "./alarm-state.js";
import type { CloudWatchDeps } from "./common.js";
import { runQueries } from "./metric-data.js";
import { MetricStore } from "./metric-store.js";

/** How often alarms are evaluated by default (CloudWatch: every minute); `ServerOptions.alarmIntervalMs` sets it, down to 10 s. */
export const DEFAULT_ALARM_INTERVAL_MS = 60_000;
export const MIN_ALARM_INTERVAL_MS = 10_000;

/** The period of an alarm: its own, or that of its metric-math queries (the returned one's, else the first's). */
function periodOf(doc: AlarmDoc): number {
  if (doc.Period !== undefined) return doc.Period;
  const ret = doc.Metrics?.find((m) => m.ReturnData ?? true);
  return ret?.Period ?? ret?.MetricStat?.Period ?? doc.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
}

/** The datapoints of an alarm's evaluation range at `nowMs`: complete periods only, oldest first. */
export function rangeOf(metrics: MetricStore, doc: AlarmDoc, nowMs: number): RangePoint[] {
  const period = periodOf(doc);
  const end = periodStart(nowMs / 1000, period);
  const start = end - evaluationRange(doc.EvaluationPeriods) * period;
  const scope = MetricStore.scopeOf(doc.accountId, doc.region);
  let values: Map<number, number>;
  if (doc.Metrics?.length) {
    const ret = runQueries(metrics, scope, doc.Metrics, start, end).find((r) => r.returnData)!;
    values = ret.series;
  } else {
    values = new Map();
    const stat = doc.Statistic ?? "Average";
    const periods = metrics.aggregate(scope, doc.Namespace!, doc.MetricName!, doc.Dimensions, start, end, period, doc.Unit);
    for (const [t, s] of periods) if (isStatistic(stat)) values.set(t, statValue(stat, s));
  }
  const out: RangePoint[] = [];
  for (let t = start; t < end; t += period) out.push({ timestamp: t, value: values.get(t) });
  return out;
}

export const ruleOf = (doc: AlarmDoc): AlarmRule => ({
  period: periodOf(doc),
  evaluationPeriods: doc.EvaluationPeriods,
  datapointsToAlarm: doc.DatapointsToAlarm ?? doc.EvaluationPeriods,
  threshold: doc.Threshold ?? 0,
  comparison: doc.ComparisonOperator as ComparisonOperator,
  treatMissingData: (doc.TreatMissingData ?? "missing") as TreatMissingData,
  ...(doc.Statistic ? { statistic: doc.Statistic } : {}),
});

/** Evaluates one alarm now: state change (and its actions), else the repeating Auto Scaling actions. */
export async function evaluateOne(deps: CloudWatchDeps, doc: AlarmDoc, nowMs: number): Promise<void> {
  let result;
  try {
    result = evaluateAlarm(ruleOf(doc), rangeOf(deps.metrics, doc, nowMs), doc.StateValue, nowMs);
  } catch {
    return; // a metric-math alarm whose expression fails this time: left as it is
  }
  const change = { state: result.state, reason: result.reason, reasonData: result.reasonData, ...(result.latest !== undefined ? { value: result.latest } : {}) };
  const changed = await changeState(deps, doc, change, nowMs);
  if (!changed) await runActions(deps, doc, change, nowMs, isRepeatingAction);
}

export interface AlarmEvaluator {
  /** One pass over every alarm now (tests and the timer call this). */
  evaluateNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The alarm loop: every `intervalMs` it evaluates every alarm on the injected clock's time (and
 * sweeps metric data past retention). One pass at a time; a missed tick is simply the next one.
 */
export function startAlarmEvaluator(deps: CloudWatchDeps, intervalMs = DEFAULT_ALARM_INTERVAL_MS, log?: (line: Record<string, unknown>) => void): AlarmEvaluator {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async () => {
    const now = deps.clock.now();
    deps.metrics.sweep(now / 1000);
    for (const doc of deps.alarms.all()) {
      if (stopped) return;
      const current = deps.alarms.get(doc.accountId, doc.region, doc.AlarmName);
      if (!current) continue;
      await evaluateOne(deps, current, now).catch((e: unknown) => log?.({ level: "warn", msg: "alarm evaluation failed", alarm: doc.AlarmName, err: String(e) }));
    }
  };
  const evaluateNow = async (): Promise<void> => {
    while (running) await running.catch(() => undefined);
    running = pass().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void evaluateNow(), intervalMs);
  timer.unref();
  return {
    evaluateNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
