/**
 * CloudWatch's alarm evaluation as a pure function: the datapoints of an alarm's evaluation range
 * (one per period, oldest first, `undefined` where the period has no data) and the alarm's rule
 * → its next state and the StateReason / StateReasonData CloudWatch writes.
 *
 * The rule (CloudWatch's "Configuring how CloudWatch alarms treat missing data"):
 * - The evaluation range holds more periods than EvaluationPeriods (N): `evaluationRange(N)`.
 * - At least N real datapoints in the range: the most recent N real ones are evaluated; how missing
 *   data is treated does not matter.
 * - No real datapoint: `missing` → INSUFFICIENT_DATA, `ignore` → the current state, `breaching` →
 *   ALARM, `notBreaching` → OK.
 * - Some (k < N): every real one is evaluated and N − k missing ones are filled in: as breaching or
 *   not (`breaching`, `notBreaching`); with `ignore` and `missing` they are not filled in: ALARM when
 *   the real ones alone reach DatapointsToAlarm (M), OK when too few are left to reach it, else the
 *   current state stays.
 * - ALARM when at least M of the N evaluated are breaching, else OK.
 */

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type ComparisonOperator =
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

export const COMPARISONS: readonly ComparisonOperator[] = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
];

export interface AlarmRule {
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData: TreatMissingData;
  /** Named in StateReasonData (`Average`, `p90`…, or absent for metric math). */
  statistic?: string;
}

export interface RangePoint {
  /** Period start, seconds since the epoch. */
  timestamp: number;
  value: number | undefined;
}

export interface Evaluation {
  state: AlarmState;
  reason: string;
  /** CloudWatch's StateReasonData JSON. */
  reasonData: string;
  /** The newest real datapoint's value, when there is one. */
  latest?: number;
}

/** How many periods an evaluation looks at for N evaluation periods (N + 2, as in AWS's tables). */
export const evaluationRange = (evaluationPeriods: number): number => evaluationPeriods + 2;

export function breaches(value: number, threshold: number, op: ComparisonOperator): boolean {
  switch (op) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

const OP_WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/** A double as Java prints it (CloudWatch's texts): 50 → "50.0", 81.25 → "81.25". */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  const s = String(v);
  if (/e/.test(s)) {
    const [m, e] = s.split("e");
    return `${m!.includes(".") ? m : `${m}.0`}E${Number(e)}`;
  }
  return s;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** `dd/MM/yy HH:mm:ss` in UTC, the datapoint dates of CloudWatch's StateReason. */
export function reasonDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2026-12-04T23:10:00.000+0000`, StateReasonData's date form. */
export const reasonDataDate = (ms: number): string => new Date(ms).toISOString().replace("Z", "+0000");

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function evaluateAlarm(rule: AlarmRule, range: readonly RangePoint[], current: AlarmState, nowMs: number): Evaluation {
  const n = rule.evaluationPeriods;
  const m = Math.min(rule.datapointsToAlarm, n);
  const real = range.filter((p): p is { timestamp: number; value: number } => p.value !== undefined);
  const recent = real.slice(-n).reverse(); // newest first, as CloudWatch lists them
  const latest = real.length ? real[real.length - 1]!.value : undefined;
  const isBreach = (v: number) => breaches(v, rule.threshold, rule.comparison);
  const breaching = recent.filter((p) => isBreach(p.value)).length;
  const words = OP_WORDS[rule.comparison];

  const data = (evaluated: { timestamp: number; value?: number }[]): string =>
    JSON.stringify({
      version: "1.0",
      queryDate: reasonDataDate(nowMs),
      ...(range.length ? { startDate: reasonDataDate(range[0]!.timestamp * 1000) } : {}),
      ...(rule.statistic ? { statistic: rule.statistic } : {}),
      period: rule.period,
      recentDatapoints: recent.map((p) => p.value).reverse(),
      threshold: rule.threshold,
      evaluatedDatapoints: evaluated.map((p) => ({ timestamp: reasonDataDate(p.timestamp * 1000), ...(p.value !== undefined ? { value: p.value } : {}) })),
    });
  const out = (state: AlarmState, reason: string, evaluated: { timestamp: number; value?: number }[]): Evaluation => ({
    state,
    reason,
    reasonData: data(evaluated),
    ...(latest !== undefined ? { latest } : {}),
  });
  const listed = (pts: { timestamp: number; value: number }[]) => `[${pts.map((p) => `${javaDouble(p.value)} (${reasonDate(p.timestamp)})`).join(", ")}]`;
  const transition = (state: AlarmState) => (n > 1 && m < n ? ` (minimum ${m} datapoint${m === 1 ? "" : "s"} for ${current === "ALARM" ? "ALARM" : "OK"} -> ${state} transition)` : "");

  // Enough real datapoints: missing data plays no part.
  if (recent.length >= n) {
    const alarm = breaching >= m;
    const shown = alarm ? recent.filter((p) => isBreach(p.value)) : recent;
    const head = m < n && alarm ? `${breaching} out of the last ${n} datapoints` : plural(shown.length, "datapoint");
    const verb = shown.length === 1 && !(m < n && alarm) ? "was" : "were";
    const reason = alarm
      ? `Threshold Crossed: ${head} ${listed(shown)} ${verb} ${words} the threshold (${javaDouble(rule.threshold)})${transition("ALARM")}.`
      : `Threshold Crossed: ${head} ${listed(shown)} ${verb} not ${words} the threshold (${javaDouble(rule.threshold)}).`;
    return out(alarm ? "ALARM" : "OK", reason, recent.slice().reverse());
  }

  const missing = n - recent.length;
  const missingPeriods = range.length - real.length;
  const evaluated = range.slice(-n);
  if (recent.length === 0) {
    const none = `no datapoints were received for ${plural(Math.min(missingPeriods, n), "period")}`;
    switch (rule.treatMissingData) {
      case "missing":
        return out("INSUFFICIENT_DATA", `Insufficient Data: ${plural(n, "datapoint")} ${n === 1 ? "was" : "were"} unknown.`, evaluated);
      case "ignore":
        return out(current, `Unchanged: ${none} and the alarm's missing data is ignored.`, evaluated);
      case "breaching":
        return out("ALARM", `Threshold Crossed: ${none} and ${plural(missing, "missing datapoint")} ${missing === 1 ? "was" : "were"} treated as [Breaching].`, evaluated);
      case "notBreaching":
        return out("OK", `Threshold Crossed: ${none} and ${plural(missing, "missing datapoint")} ${missing === 1 ? "was" : "were"} treated as [NonBreaching].`, evaluated);
    }
  }

  // Some real datapoints, fewer than N.
  const treated = rule.treatMissingData;
  if (treated === "breaching" || treated === "notBreaching") {
    const count = breaching + (treated === "breaching" ? missing : 0);
    const alarm = count >= m;
    const label = treated === "breaching" ? "Breaching" : "NonBreaching";
    const shown = alarm ? recent.filter((p) => isBreach(p.value)) : recent;
    return out(
      alarm ? "ALARM" : "OK",
      `Threshold Crossed: ${plural(shown.length, "datapoint")} ${listed(shown)} ${shown.length === 1 ? "was" : "were"} ${alarm ? "" : "not "}${words} the threshold (${javaDouble(rule.threshold)}) and ${plural(missing, "missing datapoint")} ${missing === 1 ? "was" : "were"} treated as [${label}]${alarm ? transition("ALARM") : ""}.`,
      evaluated,
    );
  }
  if (breaching >= m) {
    const shown = recent.filter((p) => isBreach(p.value));
    return out(
      "ALARM",
      `Threshold Crossed: ${plural(shown.length, "datapoint")} ${listed(shown)} ${shown.length === 1 ? "was" : "were"} ${words} the threshold (${javaDouble(rule.threshold)})${transition("ALARM")}.`,
      evaluated,
    );
  }
  // Even if every missing one breached, M could not be reached.
  if (breaching + missing < m) {
    return out(
      "OK",
      `Threshold Crossed: ${plural(recent.length, "datapoint")} ${listed(recent)} ${recent.length === 1 ? "was" : "were"} not ${words} the threshold (${javaDouble(rule.threshold)}).`,
      evaluated,
    );
  }
  return out(current, `Unchanged: ${plural(recent.length, "datapoint")} of ${n} received; ${plural(missing, "missing datapoint")} not evaluated.`, evaluated);
}
