import { COMPARISONS } from "../../core/cloudwatch/alarm-eval.js";
import { type Dimension, isStatistic, isValidPeriod, sortDimensions } from "../../core/cloudwatch/stats.js";
import type { Principal } from "../../core/arn.js";
import type { RequestContext } from "../../edge/service.js";
import type { AlarmDoc } from "./alarm-book.js";
import { changeState } from "./alarm-state.js";
import {
  alarmArn,
  type CloudWatchDeps,
  decodeToken,
  encodeToken,
  invalidCombination,
  invalidFormat,
  invalidValue,
  isOffset,
  limitExceeded,
  missingParameter,
  resourceNotFound,
  unsupported,
} from "./common.js";
import type { DataQuery } from "./metrics.js";

export interface PutMetricAlarmInput {
  AlarmName: string;
  AlarmDescription?: string;
  ActionsEnabled?: boolean;
  OKActions?: string[];
  AlarmActions?: string[];
  InsufficientDataActions?: string[];
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Dimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  Metrics?: DataQuery[];
  Tags?: { Key: string; Value: string }[];
  ThresholdMetricId?: string;
}

/** CloudWatch's quota of metric alarms per Region and account (a soft limit). */
export const MAX_ALARMS_PER_REGION = 10_000;

const TREAT_MISSING = ["breaching", "notBreaching", "ignore", "missing"];

function checkAlarm(input: PutMetricAlarmInput): void {
  // The model requires AlarmName only; CloudWatch itself requires these.
  if (input.EvaluationPeriods === undefined) throw missingParameter("The parameter EvaluationPeriods is required.");
  if (input.ComparisonOperator === undefined) throw missingParameter("The parameter ComparisonOperator is required.");
  if (input.EvaluationPeriods < 1) throw invalidValue("The parameter EvaluationPeriods must be greater than or equal to 1.");
  if (!COMPARISONS.includes(input.ComparisonOperator as never)) {
    throw unsupported(`ComparisonOperator ${input.ComparisonOperator} (anomaly detection bands)`);
  }
  if (input.ThresholdMetricId !== undefined) throw unsupported("ThresholdMetricId (anomaly detection)");
  if (input.Threshold === undefined) throw missingParameter("The parameter Threshold is required.");
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData)) {
    throw invalidValue(`The value ${input.TreatMissingData} for parameter TreatMissingData is invalid. Valid values are: ${TREAT_MISSING.join(", ")}.`);
  }
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
    throw invalidValue("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
  }
  if (input.Metrics?.length) {
    if (input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined || input.Dimensions?.length || input.Period !== undefined) {
      throw invalidCombination("The parameters MetricName, Namespace, Statistic, Dimensions and Period must not be specified with Metrics.");
    }
    const returned = input.Metrics.filter((m) => m.ReturnData ?? true);
    if (returned.length !== 1) throw invalidValue("Exactly one element of the metrics list should return data.");
    for (const m of input.Metrics) if (m.MetricStat && !isValidPeriod(m.MetricStat.Period)) throw invalidValue("Metrics periods must be 1, 5, 10, 30, or a multiple of 60.");
    return;
  }
  if (input.MetricName === undefined || input.Namespace === undefined) throw missingParameter("The parameters MetricName and Namespace are required unless Metrics is specified.");
  if (input.Statistic === undefined && input.ExtendedStatistic === undefined) throw missingParameter("One of the parameters Statistic and ExtendedStatistic is required.");
  if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) throw invalidCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.");
  if (input.ExtendedStatistic !== undefined) throw unsupported("ExtendedStatistic (percentiles)");
  if (!isStatistic(input.Statistic!)) throw invalidValue(`The value ${input.Statistic} for parameter Statistic is invalid.`);
  if (input.Period === undefined) throw missingParameter("The parameter Period is required.");
  if (!isValidPeriod(input.Period)) throw invalidValue("Period must be 10, 30 or a multiple of 60.");
  if (input.Period * input.EvaluationPeriods > 7 * 24 * 3600) throw invalidValue("The evaluation period can't exceed 7 days.");
}

/** PutMetricAlarm (and the AlarmRegistry's putAlarm): creates, or replaces the configuration keeping the state. */
export async function putAlarm(deps: CloudWatchDeps, p: Principal, input: PutMetricAlarmInput): Promise<AlarmDoc> {
  checkAlarm(input);
  const now = deps.clock.now() / 1000;
  const old = deps.alarms.get(p.accountId, p.region, input.AlarmName);
  if (!old && deps.alarms.list(p.accountId, p.region).length >= MAX_ALARMS_PER_REGION) {
    throw limitExceeded(`The maximum number of alarms (${MAX_ALARMS_PER_REGION}) for this account has been reached.`);
  }
  const doc: AlarmDoc = {
    accountId: p.accountId,
    region: p.region,
    AlarmName: input.AlarmName,
    AlarmArn: alarmArn(p, input.AlarmName),
    ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: now,
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    StateValue: old?.StateValue ?? "INSUFFICIENT_DATA",
    StateReason: old?.StateReason ?? "Unchecked: Initial alarm creation",
    ...(old?.StateReasonData !== undefined ? { StateReasonData: old.StateReasonData } : {}),
    StateUpdatedTimestamp: old?.StateUpdatedTimestamp ?? now,
    StateTransitionedTimestamp: old?.StateTransitionedTimestamp ?? now,
    ...(input.MetricName !== undefined ? { MetricName: input.MetricName } : {}),
    ...(input.Namespace !== undefined ? { Namespace: input.Namespace } : {}),
    ...(input.Statistic !== undefined ? { Statistic: input.Statistic } : {}),
    Dimensions: input.Metrics?.length ? [] : sortDimensions(input.Dimensions),
    ...(input.Period !== undefined ? { Period: input.Period } : {}),
    ...(input.Unit !== undefined ? { Unit: input.Unit } : {}),
    EvaluationPeriods: input.EvaluationPeriods,
    ...(input.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: input.DatapointsToAlarm } : {}),
    Threshold: input.Threshold!,
    ComparisonOperator: input.ComparisonOperator,
    TreatMissingData: input.TreatMissingData ?? "missing",
    ...(input.EvaluateLowSampleCountPercentile !== undefined ? { EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile } : {}),
    ...(input.Metrics?.length ? { Metrics: input.Metrics } : {}),
    tags: { ...(old?.tags ?? {}), ...Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value])) },
  };
  await deps.alarms.save(doc);
  const { tags: _t, accountId: _a, region: _r, ...shown } = doc;
  deps.alarms.record(doc, {
    AlarmName: doc.AlarmName,
    AlarmType: "MetricAlarm",
    Timestamp: now,
    HistoryItemType: "ConfigurationUpdate",
    HistorySummary: `Alarm "${doc.AlarmName}" ${old ? "updated" : "created"}`,
    HistoryData: JSON.stringify({ version: "1.0", type: old ? "Update" : "Create", [old ? "updatedAlarm" : "createdAlarm"]: shown }),
  }, now);
  return doc;
}

export async function putMetricAlarm(deps: CloudWatchDeps, input: PutMetricAlarmInput, ctx: RequestContext): Promise<Record<string, never>> {
  await putAlarm(deps, ctx.principal, input);
  return {};
}

/** The MetricAlarm shape of an alarm (what DescribeAlarms answers). */
export function metricAlarmOf(a: AlarmDoc): Record<string, unknown> {
  const { tags: _t, accountId: _a, region: _r, ...shown } = a;
  return shown;
}

export async function describeAlarms(
  deps: CloudWatchDeps,
  input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; ChildrenOfAlarmName?: string; ParentsOfAlarmName?: string; StateValue?: string; ActionPrefix?: string; MaxRecords?: number; NextToken?: string },
  ctx: RequestContext,
): Promise<unknown> {
  if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined) {
    throw invalidCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.");
  }
  const offset = decodeToken(input.NextToken, isOffset)?.o ?? 0;
  const metricAlarmsWanted = !input.AlarmTypes?.length || input.AlarmTypes.includes("MetricAlarm");
  const names = input.AlarmNames?.length ? new Set(input.AlarmNames) : undefined;
  const matches = !metricAlarmsWanted || input.ChildrenOfAlarmName !== undefined || input.ParentsOfAlarmName !== undefined
    ? []
    : deps.alarms.list(ctx.principal.accountId, ctx.principal.region).filter(
        (a) =>
          (!names || names.has(a.AlarmName)) &&
          (input.AlarmNamePrefix === undefined || a.AlarmName.startsWith(input.AlarmNamePrefix)) &&
          (input.StateValue === undefined || a.StateValue === input.StateValue) &&
          (input.ActionPrefix === undefined || [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) => x.startsWith(input.ActionPrefix!))),
      );
  const size = input.MaxRecords ?? 50;
  const page = matches.slice(offset, offset + size);
  return {
    MetricAlarms: page.map(metricAlarmOf),
    CompositeAlarms: [],
    ...(offset + size < matches.length ? { NextToken: encodeToken({ o: offset + size }) } : {}),
  };
}

export async function describeAlarmsForMetric(
  deps: CloudWatchDeps,
  input: { MetricName: string; Namespace: string; Statistic?: string; ExtendedStatistic?: string; Dimensions?: Dimension[]; Period?: number; Unit?: string },
  ctx: RequestContext,
): Promise<unknown> {
  const dims = JSON.stringify(sortDimensions(input.Dimensions));
  const MetricAlarms = deps.alarms
    .list(ctx.principal.accountId, ctx.principal.region)
    .filter(
      (a) =>
        a.MetricName === input.MetricName &&
        a.Namespace === input.Namespace &&
        JSON.stringify(a.Dimensions) === dims &&
        (input.Statistic === undefined || a.Statistic === input.Statistic) &&
        (input.Period === undefined || a.Period === input.Period) &&
        (input.Unit === undefined || a.Unit === input.Unit),
    )
    .map(metricAlarmOf);
  return { MetricAlarms };
}

export async function deleteAlarms(deps: CloudWatchDeps, input: { AlarmNames: string[] }, ctx: RequestContext): Promise<Record<string, never>> {
  const p = ctx.principal;
  const docs = input.AlarmNames.map((n) => deps.alarms.get(p.accountId, p.region, n));
  const missing = input.AlarmNames.filter((_n, i) => !docs[i]);
  if (missing.length) throw resourceNotFound(`The named resource does not exist: ${missing.join(", ")}`);
  await deps.alarms.delete(docs as AlarmDoc[]);
  return {};
}

export async function setAlarmState(
  deps: CloudWatchDeps,
  input: { AlarmName: string; StateValue: "OK" | "ALARM" | "INSUFFICIENT_DATA"; StateReason: string; StateReasonData?: string },
  ctx: RequestContext,
): Promise<Record<string, never>> {
  const p = ctx.principal;
  const doc = deps.alarms.get(p.accountId, p.region, input.AlarmName);
  if (!doc) throw resourceNotFound(`Alarm ${input.AlarmName} not found`);
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      throw invalidFormat("Could not parse StateReasonData: it must be valid JSON.");
    }
  }
  await changeState(deps, doc, { state: input.StateValue, reason: input.StateReason, ...(input.StateReasonData !== undefined ? { reasonData: input.StateReasonData } : {}) }, deps.clock.now(), true);
  return {};
}

async function setActions(deps: CloudWatchDeps, names: string[], p: Principal, enabled: boolean): Promise<void> {
  for (const n of names) {
    const doc = deps.alarms.get(p.accountId, p.region, n);
    if (doc && doc.ActionsEnabled !== enabled) await deps.alarms.save({ ...doc, ActionsEnabled: enabled });
  }
}

export async function enableAlarmActions(deps: CloudWatchDeps, input: { AlarmNames: string[] }, ctx: RequestContext): Promise<Record<string, never>> {
  await setActions(deps, input.AlarmNames, ctx.principal, true);
  return {};
}

export async function disableAlarmActions(deps: CloudWatchDeps, input: { AlarmNames: string[] }, ctx: RequestContext): Promise<Record<string, never>> {
  await setActions(deps, input.AlarmNames, ctx.principal, false);
  return {};
}
