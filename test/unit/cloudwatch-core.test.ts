import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type AlarmRule, type AlarmState, breaches, evaluateAlarm, evaluationRange, javaDouble, reasonDate, type TreatMissingData } from "../../src/core/cloudwatch/alarm-eval.js";
import { evaluateExpression, type MathValue, parseExpression } from "../../src/core/cloudwatch/metric-math.js";
import { isValidPeriod, mergeStats, seriesKey, statValue, valueStats } from "../../src/core/cloudwatch/stats.js";
import { MetricStore } from "../../src/api/cloudwatch/metric-store.js";

const T0 = 1_764_000_000; // a period start (divisible by 60)
const rule = (over: Partial<AlarmRule> = {}): AlarmRule => ({
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 50,
  comparison: "GreaterThanThreshold",
  treatMissingData: "missing",
  statistic: "Average",
  ...over,
});
/** "0" not breaching (10), "X" breaching (90), "-" missing; oldest first, over the evaluation range. */
const range = (pattern: string) =>
  pattern.split(" ").map((c, i) => ({ timestamp: T0 + i * 60, value: c === "-" ? undefined : c === "X" ? 90 : 10 }));

describe("CloudWatch alarm evaluation: the table of missing-data modes and M of N", () => {
  // [evaluation range (5 periods for N = 3), M, state before, expected per mode: missing, ignore, breaching, notBreaching]
  const cases: [string, number, AlarmState, [AlarmState, AlarmState, AlarmState, AlarmState]][] = [
    ["0 0 0 0 0", 3, "OK", ["OK", "OK", "OK", "OK"]],
    ["X X X X X", 3, "OK", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    ["0 - X - X", 3, "OK", ["OK", "OK", "OK", "OK"]], // 3 real datapoints: missing data plays no part
    ["- - - - -", 3, "OK", ["INSUFFICIENT_DATA", "OK", "ALARM", "OK"]],
    ["- - - - -", 3, "ALARM", ["INSUFFICIENT_DATA", "ALARM", "ALARM", "OK"]],
    ["- - - - 0", 3, "ALARM", ["OK", "OK", "OK", "OK"]], // the real 0 makes 3 of 3 impossible
    ["- - - X -", 3, "OK", ["OK", "OK", "ALARM", "OK"]], // 1 of 3 real: undecided → state kept, except breaching/notBreaching
    ["- - - X -", 3, "INSUFFICIENT_DATA", ["INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "ALARM", "OK"]],
    ["- - X X -", 2, "OK", ["ALARM", "ALARM", "ALARM", "ALARM"]], // 2 of 3: M reached by the real ones
    ["- 0 - X -", 2, "OK", ["OK", "OK", "ALARM", "OK"]],
    ["X 0 X 0 0", 2, "ALARM", ["OK", "OK", "OK", "OK"]], // the newest 3 real: 1 breaching of 2 needed
    ["X 0 X X 0", 2, "OK", ["ALARM", "ALARM", "ALARM", "ALARM"]],
  ];
  const modes: TreatMissingData[] = ["missing", "ignore", "breaching", "notBreaching"];
  for (const [pattern, m, before, expected] of cases) {
    for (let i = 0; i < modes.length; i++) {
      it(`${pattern} with ${m} of 3, ${modes[i]}, from ${before} → ${expected[i]}`, () => {
        const r = evaluateAlarm(rule({ datapointsToAlarm: m, treatMissingData: modes[i]! }), range(pattern), before, (T0 + 300) * 1000);
        assert.equal(r.state, expected[i]);
      });
    }
  }

  it("StateReason texts as CloudWatch writes them", () => {
    const now = (T0 + 300) * 1000;
    const one = evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1 }), range("0 0 X"), "OK", now);
    assert.equal(one.reason, `Threshold Crossed: 1 datapoint [90.0 (${reasonDate(T0 + 120)})] was greater than the threshold (50.0).`);
    const all = evaluateAlarm(rule(), range("X X X X X"), "OK", now);
    assert.match(all.reason, /^Threshold Crossed: 3 datapoints \[90\.0 \(.+\), 90\.0 \(.+\), 90\.0 \(.+\)\] were greater than the threshold \(50\.0\)\.$/);
    const mOfN = evaluateAlarm(rule({ datapointsToAlarm: 2 }), range("0 0 X 0 X"), "OK", now);
    assert.equal(
      mOfN.reason,
      `Threshold Crossed: 2 out of the last 3 datapoints [90.0 (${reasonDate(T0 + 240)}), 90.0 (${reasonDate(T0 + 120)})] were greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).`,
    );
    const ok = evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1 }), range("0 0 0"), "ALARM", now);
    assert.equal(ok.reason, `Threshold Crossed: 1 datapoint [10.0 (${reasonDate(T0 + 120)})] was not greater than the threshold (50.0).`);
    const none = evaluateAlarm(rule({ evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "breaching" }), range("- - -"), "OK", now);
    assert.equal(none.reason, "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].");
    assert.equal(evaluateAlarm(rule(), range("- - - - -"), "OK", now).reason, "Insufficient Data: 3 datapoints were unknown.");
    const data = JSON.parse(all.reasonData);
    assert.equal(data.version, "1.0");
    assert.equal(data.statistic, "Average");
    assert.equal(data.period, 60);
    assert.equal(data.threshold, 50);
    assert.equal(data.evaluatedDatapoints.length, 3);
    assert.equal(reasonDate(Date.UTC(2026, 11, 4, 23, 10, 5) / 1000), "04/12/26 23:10:05");
    assert.equal(javaDouble(50), "50.0");
    assert.equal(javaDouble(81.25), "81.25");
  });

  it("property: with every period present, ALARM exactly when at least M of the newest N breach, whatever the mode", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.constantFrom<TreatMissingData>("missing", "ignore", "breaching", "notBreaching"),
        fc.constantFrom("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold" as const),
        fc.constantFrom<AlarmState>("OK", "ALARM", "INSUFFICIENT_DATA"),
        (n, mRaw, values, mode, comparison, before) => {
          const m = Math.min(mRaw, n);
          const r = rule({ evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: mode, comparison, threshold: 0 });
          const pts = values.slice(0, evaluationRange(n)).map((v, i) => ({ timestamp: T0 + i * 60, value: v }));
          const newest = pts.slice(-n);
          const count = newest.filter((p) => breaches(p.value, 0, comparison)).length;
          assert.equal(evaluateAlarm(r, pts, before, 0).state, count >= m ? "ALARM" : "OK");
        },
      ),
    );
  });

  it("property: missing datapoints never make a notBreaching alarm ALARM, nor a breaching one OK, beyond what the real ones decide", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.option(fc.constantFrom(10, 90), { nil: undefined }), { minLength: 7, maxLength: 7 }),
        (n, values) => {
          const pts = values.slice(0, evaluationRange(n)).map((v, i) => ({ timestamp: T0 + i * 60, value: v }));
          const real = pts.filter((p) => p.value !== undefined);
          const notB = evaluateAlarm(rule({ evaluationPeriods: n, datapointsToAlarm: n, treatMissingData: "notBreaching" }), pts, "OK", 0).state;
          const b = evaluateAlarm(rule({ evaluationPeriods: n, datapointsToAlarm: n, treatMissingData: "breaching" }), pts, "OK", 0).state;
          if (real.length < n) {
            if (real.some((p) => p.value === 10)) assert.equal(notB, "OK");
            if (real.every((p) => p.value === 90)) assert.equal(b, "ALARM");
          }
          assert.notEqual(notB, "INSUFFICIENT_DATA");
          assert.notEqual(b, "INSUFFICIENT_DATA");
        },
      ),
    );
  });
});

describe("CloudWatch statistics, metric math and the metric store", () => {
  it("statistic sets merge; periods; series identity ignores dimension order", () => {
    const s = mergeStats(valueStats(2, 3), { count: 1, sum: 10, min: 10, max: 10 });
    assert.deepEqual(s, { count: 4, sum: 16, min: 2, max: 10 });
    assert.equal(statValue("Average", s), 4);
    assert.ok([1, 5, 10, 30, 60, 120].every(isValidPeriod));
    assert.ok(![0, 2, 15, 45, 90].some(isValidPeriod));
    assert.equal(seriesKey("N", "M", [{ Name: "b", Value: "1" }, { Name: "a", Value: "2" }]), seriesKey("N", "M", [{ Name: "a", Value: "2" }, { Name: "b", Value: "1" }]));
  });

  it("metric math: precedence, functions over arrays and series, scalars", () => {
    const a = new Map([[0, 1], [10, 2]]);
    const b = new Map([[0, 10], [10, 20]]);
    const env = { lookup: (id: string): MathValue | undefined => (id === "a" ? { kind: "series", series: a } : id === "b" ? { kind: "series", series: b } : undefined), metrics: () => [a, b] };
    const ev = (e: string) => evaluateExpression(parseExpression(e), env);
    assert.deepEqual(ev("1 + 2 * 3 ^ 2"), { kind: "scalar", value: 19 });
    assert.deepEqual(ev("(a + b) * 2"), { kind: "series", series: new Map([[0, 22], [10, 44]]) });
    assert.deepEqual(ev("-a"), { kind: "series", series: new Map([[0, -1], [10, -2]]) });
    assert.deepEqual(ev("SUM(METRICS())"), { kind: "series", series: new Map([[0, 11], [10, 22]]) });
    assert.deepEqual(ev("MAX([a, b]) - MIN([a, b])"), { kind: "series", series: new Map([[0, 9], [10, 18]]) });
    assert.deepEqual(ev("AVG(b)"), { kind: "scalar", value: 15 });
    assert.throws(() => ev("FOO(a)"), /Unsupported function FOO/);
    assert.throws(() => parseExpression("a +"), /Error in expression/);
  });

  it("the store keeps series within their bounds: per series, in total, and by retention", () => {
    const store = new MetricStore({ retentionSeconds: 600, maxPointsPerSeries: 5, maxTotalPoints: 20 });
    for (let i = 0; i < 8; i++) store.put("s", "N", "A", [], T0 + i, valueStats(i), undefined, 1);
    assert.equal(store.totalPoints, 5);
    const agg = store.aggregate("s", "N", "A", [], T0, T0 + 60, 60);
    assert.deepEqual(agg.get(T0), { count: 5, sum: 3 + 4 + 5 + 6 + 7, min: 3, max: 7 });
    for (let k = 0; k < 10; k++) for (let i = 0; i < 5; i++) store.put("s", "N", `S${k}`, [], T0 + i, valueStats(1), undefined, 1);
    assert.ok(store.totalPoints <= 20);
    assert.equal(store.sweep(T0 + 100), 0); // all within 600 s
    assert.ok(store.sweep(T0 + 10_000) > 0);
    assert.equal(store.totalPoints, 0);
    assert.equal(store.seriesCount, 0);
  });
});
