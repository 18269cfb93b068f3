import type { AlarmState } from "../../core/cloudwatch/alarm-eval.js";
import type { AlarmActionEvent } from "../../contracts/metric-alarms.js";
import type { AlarmDoc } from "./alarm-book.js";
import type { CloudWatchDeps } from "./common.js";

export interface StateChange {
  state: AlarmState;
  reason: string;
  reasonData?: string;
  /** The newest datapoint the evaluation saw. */
  value?: number;
}

const actionsFor = (doc: AlarmDoc, state: AlarmState): string[] =>
  state === "ALARM" ? doc.AlarmActions : state === "OK" ? doc.OKActions : doc.InsufficientDataActions;

/** Application Auto Scaling's actions run again on every evaluation while the alarm stays in the state. */
export const isRepeatingAction = (arn: string): boolean => /^arn:[^:]+:autoscaling:/.test(arn);

/**
 * Moves an alarm to a state (an evaluation, or SetAlarmState): when the state changes it is saved,
 * a StateUpdate history item written, and the actions of the new state run (when enabled).
 * Answers whether the state changed.
 */
export async function changeState(deps: CloudWatchDeps, doc: AlarmDoc, change: StateChange, nowMs: number, manual = false): Promise<boolean> {
  const now = nowMs / 1000;
  if (doc.StateValue === change.state && !manual) return false;
  const old = { stateValue: doc.StateValue, stateReason: doc.StateReason };
  const next: AlarmDoc = {
    ...doc,
    StateValue: change.state,
    StateReason: change.reason,
    StateUpdatedTimestamp: now,
    ...(doc.StateValue !== change.state ? { StateTransitionedTimestamp: now } : {}),
  };
  if (change.reasonData !== undefined) next.StateReasonData = change.reasonData;
  else delete next.StateReasonData;
  await deps.alarms.save(next);
  if (doc.StateValue === change.state) return false;
  deps.alarms.record(next, {
    AlarmName: doc.AlarmName,
    AlarmType: "MetricAlarm",
    Timestamp: now,
    HistoryItemType: "StateUpdate",
    HistorySummary: `Alarm updated from ${doc.StateValue} to ${change.state}`,
    HistoryData: JSON.stringify({
      version: "1.0",
      oldState: old,
      newState: { stateValue: change.state, stateReason: change.reason, ...(change.reasonData ? { stateReasonData: JSON.parse(change.reasonData) as unknown } : {}) },
    }),
  }, now);
  await runActions(deps, next, change, nowMs, () => true);
  return true;
}

/** Runs the actions of the alarm's current state that `which` selects; each outcome goes into the history. */
export async function runActions(deps: CloudWatchDeps, doc: AlarmDoc, change: StateChange, nowMs: number, which: (arn: string) => boolean): Promise<void> {
  if (!doc.ActionsEnabled) return;
  const now = nowMs / 1000;
  for (const arn of actionsFor(doc, doc.StateValue).filter(which)) {
    const invoker = deps.invokers.find((i) => arn.startsWith(i.arnPrefix));
    const event: AlarmActionEvent = {
      accountId: doc.accountId,
      region: doc.region,
      actionArn: arn,
      alarmName: doc.AlarmName,
      alarmArn: doc.AlarmArn,
      state: doc.StateValue,
      reason: change.reason,
      ...(change.value !== undefined ? { value: change.value } : {}),
      at: nowMs,
    };
    let error: string | undefined;
    if (!invoker) error = `No action handler is registered for ${arn}`;
    else {
      try {
        await invoker.invoke(event);
      } catch (e) {
        error = (e as Error).message ?? String(e);
      }
    }
    deps.alarms.record(doc, {
      AlarmName: doc.AlarmName,
      AlarmType: "MetricAlarm",
      Timestamp: now,
      HistoryItemType: "Action",
      HistorySummary: error ? `Failed to execute action ${arn}. Received error: "${error}"` : `Successfully executed action ${arn}`,
      HistoryData: JSON.stringify({ actionState: error ? "Failed" : "Succeeded", stateUpdateTimestamp: Math.round(doc.StateUpdatedTimestamp * 1000), notificationResource: arn, ...(error ? { error } : {}) }),
    }, now);
  }
}
