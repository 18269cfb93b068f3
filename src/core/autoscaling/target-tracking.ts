import { parseEcsResourceId, targetTrackingAlarmName } from "./names.js";

/*
 * The CloudWatch alarms a target-tracking policy owns, as Application Auto Scaling creates them
 * for an ECS service (their shape is CloudWatch's PutMetricAlarm input; src/contracts/metric-alarms.ts
 * carries it to CloudWatch):
 * - `TargetTracking-<resourceId>-AlarmHigh-<uuid>`: the metric > target for 3 of 3 periods;
 * - `TargetTracking-<resourceId>-AlarmLow-<uuid>`: the metric < 90 % of target for 15 of 15
 *   periods — not created when DisableScaleIn is true;
 * - period 60 s (Wharf lets a server choose down to 10 s: `alarmPeriodS`), statistic Average for
 *   the ECS utilization metrics and Sum for ALBRequestCountPerTarget, TreatMissingData `missing`,
 *   description "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy <policy ARN>.".
 */

export interface TrackedMetric {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic: "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";
  Unit?: string;
}

export interface TargetTrackingConfig {
  TargetValue: number;
  PredefinedMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
  CustomizedMetricSpecification?: {
    MetricName?: string;
    Namespace?: string;
    Dimensions?: { Name: string; Value: string }[];
    Statistic?: string;
    Unit?: string;
    Metrics?: unknown[];
  };
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

/** ECS's default cooldowns for target tracking (seconds). */
export const ECS_DEFAULT_COOLDOWN_S = 300;
export const HIGH_PERIODS = 3;
export const LOW_PERIODS = 15;
export const LOW_FACTOR = 0.9;
export const DEFAULT_ALARM_PERIOD_S = 60;
export const MIN_ALARM_PERIOD_S = 10;

export type MetricChoice = { ok: true; metric: TrackedMetric } | { ok: false; message: string };

/** The metric a policy tracks, or the ValidationException text that refuses it. */
export function trackedMetric(resourceId: string, cfg: TargetTrackingConfig): MetricChoice {
  const pre = cfg.PredefinedMetricSpecification;
  const custom = cfg.CustomizedMetricSpecification;
  if (pre && custom) return { ok: false, message: "Only one of PredefinedMetricSpecification or CustomizedMetricSpecification can be specified." };
  if (!pre && !custom) return { ok: false, message: "Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified." };
  if (pre) {
    const svc = parseEcsResourceId(resourceId)!;
    const ecsDims = [
      { Name: "ClusterName", Value: svc.cluster },
      { Name: "ServiceName", Value: svc.service },
    ];
    switch (pre.PredefinedMetricType) {
      case "ECSServiceAverageCPUUtilization":
        return { ok: true, metric: { Namespace: "AWS/ECS", MetricName: "CPUUtilization", Dimensions: ecsDims, Statistic: "Average", Unit: "Percent" } };
      case "ECSServiceAverageMemoryUtilization":
        return { ok: true, metric: { Namespace: "AWS/ECS", MetricName: "MemoryUtilization", Dimensions: ecsDims, Statistic: "Average", Unit: "Percent" } };
      case "ALBRequestCountPerTarget": {
        const label = pre.ResourceLabel;
        const m = label ? /^app\/[^/]+\/[^/]+\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label) : null;
        if (!label) return { ok: false, message: "ResourceLabel must be specified for predefined metric type ALBRequestCountPerTarget." };
        if (!m) return { ok: false, message: `Invalid ResourceLabel: ${label}. Expected format: app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.` };
        return { ok: true, metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCountPerTarget", Dimensions: [{ Name: "TargetGroup", Value: m[1]! }], Statistic: "Sum" } };
      }
      default:
        return { ok: false, message: `Unsupported predefined metric type ${pre.PredefinedMetricType} for service namespace ecs.` };
    }
  }
  if (custom!.Metrics?.length) return { ok: false, message: "Wharf does not support metric math (Metrics) in CustomizedMetricSpecification; name one metric with MetricName, Namespace and Statistic." };
  if (!custom!.MetricName || !custom!.Namespace || !custom!.Statistic) {
    return { ok: false, message: "CustomizedMetricSpecification must specify MetricName, Namespace and Statistic." };
  }
  return {
    ok: true,
    metric: {
      Namespace: custom!.Namespace,
      MetricName: custom!.MetricName,
      Dimensions: custom!.Dimensions ?? [],
      Statistic: custom!.Statistic as TrackedMetric["Statistic"],
      ...(custom!.Unit ? { Unit: custom!.Unit } : {}),
    },
  };
}

export interface OwnedAlarm extends TrackedMetric {
  AlarmName: string;
  AlarmDescription: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
  TreatMissingData: "missing";
  AlarmActions: string[];
  ActionsEnabled: true;
}

/** The alarms of one target-tracking policy (High always, Low unless scale-in is disabled). */
export function targetTrackingAlarms(a: {
  resourceId: string;
  policyArn: string;
  alarmUuid: string;
  metric: TrackedMetric;
  cfg: TargetTrackingConfig;
  periodS?: number;
}): OwnedAlarm[] {
  const base = {
    ...a.metric,
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${a.policyArn}.`,
    Period: a.periodS ?? DEFAULT_ALARM_PERIOD_S,
    TreatMissingData: "missing" as const,
    AlarmActions: [a.policyArn],
    ActionsEnabled: true as const,
  };
  const high: OwnedAlarm = {
    ...base,
    AlarmName: targetTrackingAlarmName(a.resourceId, "High", a.alarmUuid),
    EvaluationPeriods: HIGH_PERIODS,
    DatapointsToAlarm: HIGH_PERIODS,
    Threshold: a.cfg.TargetValue,
    ComparisonOperator: "GreaterThanThreshold",
  };
  if (a.cfg.DisableScaleIn) return [high];
  const low: OwnedAlarm = {
    ...base,
    AlarmName: targetTrackingAlarmName(a.resourceId, "Low", a.alarmUuid),
    EvaluationPeriods: LOW_PERIODS,
    DatapointsToAlarm: LOW_PERIODS,
    Threshold: roundThreshold(a.cfg.TargetValue * LOW_FACTOR),
    ComparisonOperator: "LessThanThreshold",
  };
  return [high, low];
}

const roundThreshold = (n: number): number => Math.round(n * 1e6) / 1e6;
