import { type Dimension, isStatistic, isValidPeriod, periodStart, type StatSet, statValue, valueStats } from "../../core/cloudwatch/stats.js";
import type { RequestContext } from "../../edge/service.js";
import { type CloudWatchDeps, decodeToken, encodeToken, invalidCombination, invalidValue, isOffset, missingParameter, scopeOf, unsupported } from "./common.js";

// Timestamps arrive as epoch seconds (the edge's form for JSON 1.0 and Query alike).
interface MetricDatum {
  MetricName: string;
  Dimensions?: Dimension[];
  Timestamp?: number;
  Value?: number;
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  Values?: number[];
  Counts?: number[];
  Unit?: string;
  StorageResolution?: number;
}

const MAX_FUTURE_SECONDS = 2 * 3600;
const MAX_PAST_SECONDS = 14 * 24 * 3600;

export async function putMetricData(deps: CloudWatchDeps, input: { Namespace: string; MetricData?: MetricDatum[]; EntityMetricData?: unknown[]; StrictEntityValidation?: boolean }, ctx: RequestContext): Promise<Record<string, never>> {
  if (input.Namespace.startsWith("AWS/")) throw invalidValue(`The value ${input.Namespace} for parameter Namespace is invalid.`);
  if (input.EntityMetricData?.length) throw unsupported("EntityMetricData");
  const data = input.MetricData ?? [];
  if (data.length === 0) throw missingParameter("The parameter MetricData is required.");
  const now = deps.clock.now() / 1000;
  const points: [MetricDatum, number, StatSet[]][] = [];
  data.forEach((d, i) => {
    const at = `MetricData.member.${i + 1}`;
    const given = [d.Value !== undefined && "Value", d.StatisticValues !== undefined && "StatisticValues", d.Values !== undefined && "Values"].filter(Boolean) as string[];
    if (given.length > 1) throw invalidCombination(`The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`);
    if (d.Counts !== undefined && d.Values === undefined) throw invalidCombination(`The parameter ${at}.Counts requires ${at}.Values.`);
    if (d.Counts !== undefined && d.Counts.length !== d.Values!.length) {
      throw invalidCombination(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
      throw invalidValue(`The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid.`);
    }
    const ts = d.Timestamp ?? now;
    if (ts > now + MAX_FUTURE_SECONDS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
    if (ts < now - MAX_PAST_SECONDS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`);
    const sets: StatSet[] = [];
    if (d.StatisticValues) {
      const s = d.StatisticValues;
      if (s.SampleCount <= 0) throw invalidValue(`The value ${s.SampleCount} for parameter ${at}.StatisticValues.SampleCount is invalid.`);
      if (s.Minimum > s.Maximum) throw invalidValue(`The parameter ${at}.StatisticValues.Maximum must be greater than ${at}.StatisticValues.Minimum.`);
      sets.push({ count: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum });
    } else if (d.Values) {
      d.Values.forEach((v, j) => {
        const c = d.Counts?.[j] ?? 1;
        if (c > 0) sets.push(valueStats(v, c));
      });
    } else if (d.Value !== undefined) sets.push(valueStats(d.Value));
    else throw missingParameter(`The parameter ${at}.Value or ${at}.StatisticValues or ${at}.Values is required.`);
    points.push([d, ts, sets]);
  });
  const scope = scopeOf(ctx.principal);
  for (const [d, ts, sets] of points) {
    for (const s of sets) deps.metrics.put(scope, input.Namespace, d.MetricName, d.Dimensions, ts, s, d.Unit, d.StorageResolution ?? 60);
  }
  return {};
}

/** CloudWatch's datapoint limit for one GetMetricStatistics call. */
const MAX_STATISTICS_DATAPOINTS = 1440;

export async function getMetricStatistics(
  deps: CloudWatchDeps,
  input: { Namespace: string; MetricName: string; Dimensions?: Dimension[]; StartTime: number; EndTime: number; Period: number; Statistics?: string[]; ExtendedStatistics?: string[]; Unit?: string },
  ctx: RequestContext,
): Promise<unknown> {
  if (!input.Statistics?.length && !input.ExtendedStatistics?.length) {
    throw missingParameter("The parameter Statistics or ExtendedStatistics is required.");
  }
  if (input.ExtendedStatistics?.length) throw unsupported("ExtendedStatistics (percentiles)");
  if (!isValidPeriod(input.Period)) throw invalidValue("The parameter Period must be 1, 5, 10, 30, or a multiple of 60.");
  if (input.EndTime <= input.StartTime) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  const start = periodStart(input.StartTime, input.Period);
  const count = Math.ceil((input.EndTime - start) / input.Period);
  if (count > MAX_STATISTICS_DATAPOINTS) {
    throw invalidCombination(
      `You have requested up to ${count.toLocaleString("en-US")} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS.toLocaleString("en-US")}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  const scope = scopeOf(ctx.principal);
  const series = deps.metrics.find(scope, input.Namespace, input.MetricName, input.Dimensions);
  const periods = deps.metrics.aggregate(scope, input.Namespace, input.MetricName, input.Dimensions, start, input.EndTime, input.Period, input.Unit);
  const unit = input.Unit ?? series?.unit ?? "None";
  const stats = input.Statistics!.filter(isStatistic);
  const Datapoints = [...periods.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, s]) => ({ Timestamp: t, ...Object.fromEntries(stats.map((st) => [st, statValue(st, s)])), Unit: unit }));
  return { Label: input.MetricName, Datapoints };
}

interface MetricStatQuery {
  Metric: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] };
  Period: number;
  Stat: string;
  Unit?: string;
}
interface DataQuery {
  Id: string;
  MetricStat?: MetricStatQuery;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

export async function listMetrics(
  deps: CloudWatchDeps,
  input: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value?: string }[]; NextToken?: string; RecentlyActive?: string; IncludeLinkedAccounts?: boolean; OwningAccount?: string },
  ctx: RequestContext,
): Promise<unknown> {
  const offset = decodeToken(input.NextToken, isOffset)?.o ?? 0;
  const since = input.RecentlyActive === "PT3H" ? deps.clock.now() / 1000 - 3 * 3600 : undefined;
  const matches = deps.metrics
    .list(scopeOf(ctx.principal), since)
    .filter((s) => (input.Namespace === undefined || s.namespace === input.Namespace) && (input.MetricName === undefined || s.metricName === input.MetricName))
    .filter((s) => (input.Dimensions ?? []).every((f) => s.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))))
    .map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const PAGE = 500;
  const page = matches.slice(offset, offset + PAGE);
  return { Metrics: page, ...(offset + PAGE < matches.length ? { NextToken: encodeToken({ o: offset + PAGE }) } : {}) };
}

export { getMetricData } from "./metric-data.js";
export type { DataQuery, MetricStatQuery };
