import type { AlarmState } from "../../core/cloudwatch/alarm-eval.js";
import type { Dimension } from "../../core/cloudwatch/stats.js";
import type { Store } from "../../store/store.js";
import type { DataQuery } from "./metrics.js";

/** One metric alarm as stored: the MetricAlarm shape CloudWatch answers, plus its owner and tags. */
export interface AlarmDoc {
  accountId: string;
  region: string;
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: Dimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  Metrics?: DataQuery[];
  ThresholdMetricId?: string;
  tags: Record<string, string>;
}

export interface HistoryItem {
  AlarmName: string;
  AlarmType: "MetricAlarm";
  Timestamp: number;
  HistoryItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  HistorySummary: string;
  HistoryData: string;
}

/** Bounds of the alarm history (memory only): per alarm the newest items, for 30 days at most. */
export const HISTORY_PER_ALARM = 200;
export const HISTORY_SECONDS = 30 * 24 * 3600;

const keyOf = (accountId: string, region: string, name: string) => `${accountId}:${region}:${name}`;

/**
 * The alarms, in memory and written through to the store (kind `cw-alarm`, scope
 * `<account>:<region>`), and their history (memory only, bounded). Every write of an alarm goes
 * through `save`; reads are from memory.
 */
export class AlarmBook {
  private readonly alarms = new Map<string, AlarmDoc>();
  private readonly history = new Map<string, HistoryItem[]>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const r of await this.store.list<AlarmDoc>("cw-alarm")) this.alarms.set(keyOf(r.value.accountId, r.value.region, r.value.AlarmName), r.value);
  }

  get(accountId: string, region: string, name: string): AlarmDoc | undefined {
    return this.alarms.get(keyOf(accountId, region, name));
  }

  /** Alarms of one account and Region, by name. */
  list(accountId: string, region: string): AlarmDoc[] {
    const out = [...this.alarms.values()].filter((a) => a.accountId === accountId && a.region === region);
    return out.sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0));
  }

  all(): AlarmDoc[] {
    return [...this.alarms.values()];
  }

  async save(doc: AlarmDoc): Promise<void> {
    const id = keyOf(doc.accountId, doc.region, doc.AlarmName);
    await this.store.write([{ op: "put", kind: "cw-alarm", id, scope: `${doc.accountId}:${doc.region}`, sort: doc.AlarmName, value: doc }]);
    this.alarms.set(id, doc);
  }

  async delete(docs: AlarmDoc[]): Promise<void> {
    if (docs.length === 0) return;
    const ids = docs.map((d) => keyOf(d.accountId, d.region, d.AlarmName));
    await this.store.write(ids.map((id) => ({ op: "delete" as const, kind: "cw-alarm" as const, id })));
    for (const id of ids) this.alarms.delete(id);
  }

  record(doc: Pick<AlarmDoc, "accountId" | "region">, item: HistoryItem, nowSeconds: number): void {
    const id = keyOf(doc.accountId, doc.region, item.AlarmName);
    const items = this.history.get(id) ?? [];
    items.push(item);
    const cutoff = nowSeconds - HISTORY_SECONDS;
    while (items.length > HISTORY_PER_ALARM || (items.length && items[0]!.Timestamp < cutoff)) items.shift();
    this.history.set(id, items);
  }

  /** History of one account and Region (of one alarm when named), oldest first. */
  historyOf(accountId: string, region: string, name?: string): HistoryItem[] {
    if (name !== undefined) return [...(this.history.get(keyOf(accountId, region, name)) ?? [])];
    const prefix = `${accountId}:${region}:`;
    const out: HistoryItem[] = [];
    for (const [k, items] of this.history) if (k.startsWith(prefix)) out.push(...items);
    return out.sort((a, b) => a.Timestamp - b.Timestamp);
  }
}
