/** CloudWatch's metric identity and statistics, pure. */

export interface Dimension {
  Name: string;
  Value: string;
}

/** A statistic set: what PutMetricData's StatisticValues carries and what a period aggregates to. */
export interface StatSet {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type Statistic = (typeof STATISTICS)[number];

export const isStatistic = (s: string): s is Statistic => (STATISTICS as readonly string[]).includes(s);

/** Dimensions in CloudWatch's identity order (by name): a metric is namespace + name + this set. */
export const sortDimensions = (dims: readonly Dimension[] | undefined): Dimension[] =>
  [...(dims ?? [])].map((d) => ({ Name: d.Name, Value: d.Value })).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));

/** The key of one metric (series). */
export function seriesKey(namespace: string, metricName: string, dims: readonly Dimension[] | undefined): string {
  return JSON.stringify([namespace, metricName, sortDimensions(dims).map((d) => [d.Name, d.Value])]);
}

export function mergeStats(a: StatSet | undefined, b: StatSet): StatSet {
  if (!a) return { ...b };
  return { count: a.count + b.count, sum: a.sum + b.sum, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** One value repeated `count` times (PutMetricData's Values + Counts). */
export const valueStats = (value: number, count = 1): StatSet => ({ count, sum: value * count, min: value, max: value });

export function statValue(stat: Statistic, s: StatSet): number {
  switch (stat) {
    case "SampleCount":
      return s.count;
    case "Sum":
      return s.sum;
    case "Minimum":
      return s.min;
    case "Maximum":
      return s.max;
    case "Average":
      return s.count === 0 ? 0 : s.sum / s.count;
  }
}

/**
 * The start of the period holding `t` (seconds), periods aligned to the epoch as CloudWatch aligns
 * them (a 60 s period starts on the minute).
 */
export const periodStart = (t: number, period: number): number => Math.floor(t / period) * period;

/** CloudWatch's allowed periods: 1, 5, 10, 30 (high resolution) or a multiple of 60. */
export const isValidPeriod = (p: number): boolean => p === 1 || p === 5 || p === 10 || p === 30 || (p >= 60 && p % 60 === 0);
