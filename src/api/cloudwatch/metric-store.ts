import { type Dimension, mergeStats, periodStart, seriesKey, sortDimensions, type StatSet } from "../../core/cloudwatch/stats.js";

/**
 * CloudWatch's metric data, in memory, bounded (docs/cloudwatch.md#bounds):
 * - each series keeps buckets of its storage resolution (1 s for StorageResolution 1, else 60 s),
 *   each a statistic set, in time order, in columnar arrays;
 * - datapoints older than `retentionSeconds` (default 15 days, CloudWatch's for 1-minute data) are
 *   swept, and a series left with none is forgotten;
 * - a series holds at most `maxPointsPerSeries` buckets (oldest dropped first);
 * - all series together hold at most `maxTotalPoints` buckets: past it, the series written longest
 *   ago are forgotten whole until the total is under it again.
 * Metric data is not persisted: a control-plane restart starts with none (alarms are persisted).
 */
export interface MetricStoreBounds {
  retentionSeconds: number;
  maxPointsPerSeries: number;
  maxTotalPoints: number;
}

export const DEFAULT_METRIC_BOUNDS: MetricStoreBounds = {
  retentionSeconds: 15 * 24 * 3600,
  maxPointsPerSeries: 20_160,
  maxTotalPoints: 4_000_000,
};

export interface SeriesInfo {
  scope: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  unit?: string;
}

interface Series extends SeriesInfo {
  ts: number[];
  count: number[];
  sum: number[];
  min: number[];
  max: number[];
  lastWrite: number;
}

/** First index whose timestamp is >= t. */
function lowerBound(a: number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private total = 0;
  private writes = 0;

  constructor(readonly bounds: MetricStoreBounds = DEFAULT_METRIC_BOUNDS) {}

  /** Scope = `<account>:<region>`: metrics are per account and Region. */
  static scopeOf(accountId: string, region: string): string {
    return `${accountId}:${region}`;
  }

  get totalPoints(): number {
    return this.total;
  }
  get seriesCount(): number {
    return this.series.size;
  }

  /** Adds one datapoint (a statistic set at `timestamp` seconds) to its series. */
  put(scope: string, namespace: string, metricName: string, dims: readonly Dimension[] | undefined, timestamp: number, stats: StatSet, unit: string | undefined, resolution: number): void {
    const key = `${scope}|${seriesKey(namespace, metricName, dims)}`;
    let s = this.series.get(key);
    if (!s) {
      s = { scope, namespace, metricName, dimensions: sortDimensions(dims), ts: [], count: [], sum: [], min: [], max: [], lastWrite: 0 };
      this.series.set(key, s);
    }
    if (unit !== undefined) s.unit = unit;
    s.lastWrite = ++this.writes;
    const t = periodStart(timestamp, resolution === 1 ? 1 : 60);
    const n = s.ts.length;
    const i = n > 0 && s.ts[n - 1]! < t ? n : lowerBound(s.ts, t);
    if (i < n && s.ts[i] === t) {
      const m = mergeStats({ count: s.count[i]!, sum: s.sum[i]!, min: s.min[i]!, max: s.max[i]! }, stats);
      s.count[i] = m.count;
      s.sum[i] = m.sum;
      s.min[i] = m.min;
      s.max[i] = m.max;
      return;
    }
    if (i === n) {
      s.ts.push(t);
      s.count.push(stats.count);
      s.sum.push(stats.sum);
      s.min.push(stats.min);
      s.max.push(stats.max);
    } else {
      s.ts.splice(i, 0, t);
      s.count.splice(i, 0, stats.count);
      s.sum.splice(i, 0, stats.sum);
      s.min.splice(i, 0, stats.min);
      s.max.splice(i, 0, stats.max);
    }
    this.total++;
    if (s.ts.length > this.bounds.maxPointsPerSeries) {
      this.dropHead(s, s.ts.length - this.bounds.maxPointsPerSeries);

    }
    if (this.total > this.bounds.maxTotalPoints) this.evict();
  }

  private dropHead(s: Series, k: number): void {
    for (const a of [s.ts, s.count, s.sum, s.min, s.max]) a.splice(0, k);
    this.total -= k;
  }

  private evict(): void {
    const byAge = [...this.series.entries()].sort((a, b) => a[1].lastWrite - b[1].lastWrite);
    for (const [key, s] of byAge) {
      if (this.total <= this.bounds.maxTotalPoints * 0.9) break;
      this.series.delete(key);
      this.total -= s.ts.length;
    }
  }

  /** Deletes datapoints past the retention; answers how many went. */
  sweep(nowSeconds: number): number {
    const cutoff = nowSeconds - this.bounds.retentionSeconds;
    let dropped = 0;
    for (const [key, s] of this.series) {
      const k = lowerBound(s.ts, cutoff);
      if (k > 0) {
        this.dropHead(s, k);
        dropped += k;
      }
      if (s.ts.length === 0) this.series.delete(key);
    }
    return dropped;
  }

  find(scope: string, namespace: string, metricName: string, dims: readonly Dimension[] | undefined): SeriesInfo | undefined {
    return this.series.get(`${scope}|${seriesKey(namespace, metricName, dims)}`);
  }

  /**
   * The statistic set of each period in [start, end) (seconds), periods aligned to the epoch;
   * `unit`, when given, must be the series' unit.
   */
  aggregate(scope: string, namespace: string, metricName: string, dims: readonly Dimension[] | undefined, start: number, end: number, period: number, unit?: string): Map<number, StatSet> {
    const out = new Map<number, StatSet>();
    const s = this.series.get(`${scope}|${seriesKey(namespace, metricName, dims)}`);
    if (!s || (unit !== undefined && (s.unit ?? "None") !== unit)) return out;
    for (let i = lowerBound(s.ts, start); i < s.ts.length && s.ts[i]! < end; i++) {
      const p = periodStart(s.ts[i]!, period);
      out.set(p, mergeStats(out.get(p), { count: s.count[i]!, sum: s.sum[i]!, min: s.min[i]!, max: s.max[i]! }));
    }
    return out;
  }

  /** Every series of a scope (ListMetrics), optionally only those written since `since` seconds. */
  list(scope: string, since?: number): SeriesInfo[] {
    const out: SeriesInfo[] = [];
    for (const s of this.series.values()) {
      if (s.scope !== scope) continue;
      if (since !== undefined && (s.ts.length === 0 || s.ts[s.ts.length - 1]! < periodStart(since, 60))) continue;
      out.push(s);
    }
    return out;
  }
}
