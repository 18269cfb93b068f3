import type { RequestContext } from "../../edge/service.js";
import { type CloudWatchDeps, decodeToken, encodeToken, isOffset } from "./common.js";

export async function describeAlarmHistory(
  deps: CloudWatchDeps,
  input: { AlarmName?: string; AlarmContributorId?: string; AlarmTypes?: string[]; HistoryItemType?: string; StartDate?: number; EndDate?: number; MaxRecords?: number; NextToken?: string; ScanBy?: string },
  ctx: RequestContext,
): Promise<unknown> {
  const offset = decodeToken(input.NextToken, isOffset)?.o ?? 0;
  const p = ctx.principal;
  const wantMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes("MetricAlarm");
  const items = (wantMetric ? deps.alarms.historyOf(p.accountId, p.region, input.AlarmName) : []).filter(
    (h) =>
      (input.HistoryItemType === undefined || h.HistoryItemType === input.HistoryItemType) &&
      (input.StartDate === undefined || h.Timestamp >= input.StartDate) &&
      (input.EndDate === undefined || h.Timestamp <= input.EndDate),
  );
  if ((input.ScanBy ?? "TimestampDescending") === "TimestampDescending") items.reverse();
  const size = input.MaxRecords ?? 100;
  return {
    AlarmHistoryItems: items.slice(offset, offset + size),
    ...(offset + size < items.length ? { NextToken: encodeToken({ o: offset + size }) } : {}),
  };
}
