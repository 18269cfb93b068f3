import { evaluateExpression, MathError, type MathValue, parseExpression, referencedIds, type Series } from "../../core/cloudwatch/metric-math.js";
import { isStatistic, isValidPeriod, periodStart, statValue } from "../../core/cloudwatch/stats.js";
import type { RequestContext } from "../../edge/service.js";
import { type CloudWatchDeps, decodeToken, encodeToken, invalidValue, unsupported, scopeOf, invalidNextToken } from "./common.js";
import type { MetricStore } from "./metric-store.js";
import type { DataQuery } from "./metrics.js";

export interface QueryResult {
  id: string;
  label: string;
  returnData: boolean;
  series: Series;
  /** An expression that could not be computed: CloudWatch's per-result message. */
  error?: string;
}

/**
 * Runs GetMetricData's queries over [start, end) seconds: each MetricStat aggregated by its
 * period and statistic, then each expression in the order its references allow (a cycle, or an
 * id that names nothing, is refused). Shared by GetMetricData and the alarms on metric math.
 */
export function runQueries(metrics: MetricStore, scope: string, queries: DataQuery[], start: number, end: number): QueryResult[] {
  const ids = new Set<string>();
  for (const q of queries) {
    if (ids.has(q.Id)) throw invalidValue(`The value ${q.Id} for parameter MetricDataQueries.member.Id is not unique.`);
    ids.add(q.Id);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw invalidValue(`The parameter MetricDataQueries.member.${q.Id} must specify either an Expression or a MetricStat, but not both.`);
    }
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw invalidValue(`The value ${q.Id} for parameter MetricDataQueries.member.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
  }
  const values = new Map<string, MathValue>();
  const results = new Map<string, QueryResult>();
  const metricSeries: { id: string; series: Series }[] = [];
  for (const q of queries) {
    if (!q.MetricStat) continue;
    const ms = q.MetricStat;
    if (!isValidPeriod(ms.Period)) throw invalidValue("The parameter MetricDataQueries.member.MetricStat.Period must be 1, 5, 10, 30, or a multiple of 60.");
    if (!isStatistic(ms.Stat)) throw unsupported(`The statistic ${ms.Stat}`);
    const m = ms.Metric;
    if (!m.Namespace || !m.MetricName) throw invalidValue("The parameter MetricDataQueries.member.MetricStat.Metric must specify Namespace and MetricName.");
    const periods = metrics.aggregate(scope, m.Namespace, m.MetricName, m.Dimensions, periodStart(start, ms.Period), end, ms.Period, ms.Unit);
    const series: Series = new Map();
    for (const t of [...periods.keys()].sort((a, b) => a - b)) series.set(t, statValue(ms.Stat, periods.get(t)!));
    values.set(q.Id, { kind: "series", series });
    metricSeries.push({ id: q.Id, series });
    results.set(q.Id, { id: q.Id, label: q.Label ?? m.MetricName, returnData: q.ReturnData ?? true, series });
  }
  // Expressions, in dependency order.
  const pending = new Map<string, { q: DataQuery; node: ReturnType<typeof parseExpression>; refs: string[] }>();
  for (const q of queries) {
    if (q.Expression === undefined) continue;
    let node;
    try {
      node = parseExpression(q.Expression);
    } catch (e) {
      if (e instanceof MathError) throw invalidValue(`${e.message} (in MetricDataQueries.member.${q.Id}.Expression)`);
      throw e;
    }
    const refs = referencedIds(node);
    for (const r of refs) if (!ids.has(r)) throw invalidValue(`Error in expression ${q.Id}: Unrecognized metric or expression id '${r}'`);
    pending.set(q.Id, { q, node, refs });
  }
  while (pending.size) {
    const ready = [...pending.values()].find((p) => p.refs.every((r) => values.has(r)));
    if (!ready) throw invalidValue(`Error in expression ${[...pending.keys()][0]}: Circular dependency between expressions.`);
    pending.delete(ready.q.Id);
    const q = ready.q;
    let value: MathValue;
    try {
      value = evaluateExpression(ready.node, {
        lookup: (id) => values.get(id),
        metrics: (filter) => metricSeries.filter((m) => filter === undefined || m.id.includes(filter)).map((m) => m.series),
      });
    } catch (e) {
      if (e instanceof MathError) throw invalidValue(`${e.message} (in MetricDataQueries.member.${q.Id}.Expression)`);
      throw e;
    }
    values.set(q.Id, value);
    results.set(q.Id, { id: q.Id, label: q.Label ?? q.Id, returnData: q.ReturnData ?? true, series: asSeries(value, q.Period, start, end, metricSeries) });
  }
  return queries.map((q) => results.get(q.Id)!);
}

/** An expression's value as one series: a scalar spans the request's periods; an array is refused for one result. */
function asSeries(v: MathValue, period: number | undefined, start: number, end: number, metrics: { series: Series }[]): Series {
  if (v.kind === "series") return v.series;
  if (v.kind === "array") {
    if (v.list.length === 1) return v.list[0]!;
    throw invalidValue("Error in expression: the expression returns an array of time series; return one time series (wrap it in SUM, AVG, MIN or MAX).");
  }
  const times = new Set<number>();
  for (const m of metrics) for (const t of m.series.keys()) times.add(t);
  if (times.size === 0 && period) for (let t = periodStart(start, period); t < end; t += period) times.add(t);
  const out: Series = new Map();
  for (const t of [...times].sort((a, b) => a - b)) out.set(t, v.value);
  return out;
}

const DEFAULT_MAX_DATAPOINTS = 100_800;

export async function getMetricData(
  deps: CloudWatchDeps,
  input: { MetricDataQueries: DataQuery[]; StartTime: number; EndTime: number; NextToken?: string; ScanBy?: string; MaxDatapoints?: number; LabelOptions?: unknown },
  ctx: RequestContext,
): Promise<unknown> {
  if (input.EndTime <= input.StartTime) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  const token = decodeToken(input.NextToken, (v): v is { o: number; s: number; e: number } => typeof v === "object" && v !== null && Number.isInteger((v as { o?: unknown }).o));
  if (token && (token.s !== input.StartTime || token.e !== input.EndTime)) throw invalidNextToken();
  const results = runQueries(deps.metrics, scopeOf(ctx.principal), input.MetricDataQueries, input.StartTime, input.EndTime).filter((r) => r.returnData);
  const descending = (input.ScanBy ?? "TimestampDescending") === "TimestampDescending";
  const max = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
  // One flat order of datapoints over the results; a page is a window of it.
  let skip = token?.o ?? 0;
  let room = max;
  let seen = 0;
  let more = false;
  const MetricDataResults = results.map((r) => {
    const times = [...r.series.keys()].filter((t) => t >= periodStart(input.StartTime, 1) && t < input.EndTime).sort((a, b) => (descending ? b - a : a - b));
    const from = Math.min(skip, times.length);
    skip -= from;
    const take = times.slice(from, from + room);
    room -= take.length;
    seen += from + take.length;
    const partial = from + take.length < times.length;
    if (partial) more = true;
    return { Id: r.id, Label: r.label, Timestamps: take, Values: take.map((t) => r.series.get(t)!), StatusCode: partial ? "PartialData" : "Complete", Messages: [] };
  });
  return {
    MetricDataResults,
    ...(more ? { NextToken: encodeToken({ o: seen, s: input.StartTime, e: input.EndTime }) } : {}),
    Messages: [],
  };
}
