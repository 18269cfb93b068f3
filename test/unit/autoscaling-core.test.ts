import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { adjustedCapacity, chooseStep, clamp, decide, stepCapacity, targetTrackingCapacity } from "../../src/core/autoscaling/capacity.js";
import { instantOf, nextRun, parseSchedule, runsBetween, ScheduleError } from "../../src/core/autoscaling/schedule.js";
import { targetTrackingAlarms, trackedMetric } from "../../src/core/autoscaling/target-tracking.js";
import { parsePolicyArn, policyArn } from "../../src/core/autoscaling/names.js";

const P = { accountId: "123456789012", region: "us-east-1" };

describe("autoscaling core: step adjustments", () => {
  const steps = [
    { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
    { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
  ];
  it("bounds: lower inclusive above the threshold, upper inclusive below it", () => {
    assert.equal(chooseStep(steps, 0)!.ScalingAdjustment, 1);
    assert.equal(chooseStep(steps, 19.99)!.ScalingAdjustment, 1);
    assert.equal(chooseStep(steps, 20)!.ScalingAdjustment, 3);
    // Below the threshold the upper bound is the inclusive one: −10 belongs to (−∞, −10].
    assert.equal(chooseStep(steps, -10)!.ScalingAdjustment, -2);
    assert.equal(chooseStep(steps, -9.99)!.ScalingAdjustment, -1);
    assert.equal(chooseStep([{ MetricIntervalLowerBound: 5, ScalingAdjustment: 1 }], 1), undefined);
  });
  it("adjustment types and percent rounding", () => {
    assert.equal(adjustedCapacity(4, "ChangeInCapacity", 2), 6);
    assert.equal(adjustedCapacity(4, "ExactCapacity", 9), 9);
    assert.equal(adjustedCapacity(10, "PercentChangeInCapacity", 25), 12); // 2.5 → 2
    assert.equal(adjustedCapacity(10, "PercentChangeInCapacity", -25), 8); // −2.5 → −2
    assert.equal(adjustedCapacity(2, "PercentChangeInCapacity", 10), 3); // 0.2 → 1
    assert.equal(adjustedCapacity(2, "PercentChangeInCapacity", -10), 1); // −0.2 → −1
    assert.equal(adjustedCapacity(10, "PercentChangeInCapacity", 10, 3), 13); // 1 raised to 3
    assert.equal(stepCapacity(5, { AdjustmentType: "ChangeInCapacity", StepAdjustments: steps }, 25), 8);
  });
  it("property: a percent change moves by at least 1 and never past the exact change", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -100, max: 500 }).filter((p) => p !== 0), (cur, pct) => {
        const got = adjustedCapacity(cur, "PercentChangeInCapacity", pct);
        const exact = (cur * pct) / 100;
        assert.ok(Math.abs(got - cur) >= 1);
        assert.ok(Math.abs(got - cur) <= Math.max(1, Math.abs(exact)));
        assert.equal(Math.sign(got - cur), Math.sign(pct));
      }),
    );
  });
  it("property: contiguous steps cover every breach exactly once", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 6 }), fc.double({ min: -200, max: 200, noNaN: true }), (cuts, breach) => {
        const b = [...cuts].sort((x, y) => x - y);
        const s = [{ MetricIntervalUpperBound: b[0]!, ScalingAdjustment: 0 }, ...b.map((lo, i) => ({ MetricIntervalLowerBound: lo, ...(b[i + 1] !== undefined ? { MetricIntervalUpperBound: b[i + 1]! } : {}), ScalingAdjustment: i + 1 }))];
        const hits = s.filter((x) => chooseStep([x], breach) !== undefined);
        assert.equal(hits.length, 1);
      }),
    );
  });
});

describe("autoscaling core: target tracking and decisions", () => {
  it("proportional capacity, rounded up", () => {
    assert.equal(targetTrackingCapacity(2, 100, 50), 4);
    assert.equal(targetTrackingCapacity(3, 60, 50), 4);
    assert.equal(targetTrackingCapacity(4, 20, 50), 2);
    assert.equal(targetTrackingCapacity(5, 40, 50), 4);
  });
  it("property: the decision stays within [min, max] and moves toward the proposal", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (current, proposed, lo, span) => {
        const min = lo;
        const max = lo + span;
        const d = decide({ current, proposed, min, max, now: 0, scaleOutCooldownS: 0, scaleInCooldownS: 0, memory: {} });
        if (d.kind === "scale") {
          assert.ok(d.to >= min && d.to <= max);
          assert.equal(Math.sign(d.to - current), Math.sign(proposed - current));
          assert.equal(d.to, clamp(proposed, min, max));
        }
      }),
    );
  });
  it("cooldowns: a bigger scale-out passes, scale-in waits for both cooldowns", () => {
    const base = { min: 1, max: 10, scaleOutCooldownS: 60, scaleInCooldownS: 60 };
    const memory = { lastScaleOutAt: 0, lastScaleOutTo: 4 };
    assert.deepEqual(decide({ ...base, current: 4, proposed: 4, now: 1000, memory }), { kind: "not-scaled", code: "AlreadyAtDesiredCapacity", to: 4 });
    assert.deepEqual(decide({ ...base, current: 3, proposed: 4, now: 1000, memory }), { kind: "hold", why: "cooldown" });
    assert.deepEqual(decide({ ...base, current: 4, proposed: 6, now: 1000, memory }), { kind: "scale", to: 6, direction: "out" });
    assert.deepEqual(decide({ ...base, current: 4, proposed: 2, now: 1000, memory }), { kind: "hold", why: "cooldown" });
    assert.deepEqual(decide({ ...base, current: 4, proposed: 2, now: 61_000, memory }), { kind: "scale", to: 2, direction: "in" });
    assert.deepEqual(decide({ ...base, current: 4, proposed: 2, now: 61_000, memory, disableScaleIn: true }), { kind: "hold", why: "scale-in-disabled" });
    assert.deepEqual(decide({ ...base, current: 1, proposed: 0, now: 61_000, memory: {} }), { kind: "not-scaled", code: "AlreadyAtMinCapacity", to: 1 });
  });
  it("alarms as AWS creates them for an ECS service", () => {
    const m = trackedMetric("service/c/s", { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } });
    assert.ok(m.ok);
    const arn = policyArn(P, "11111111-2222-3333-4444-555555555555", "ecs", "service/c/s", "p");
    const [high, low] = targetTrackingAlarms({ resourceId: "service/c/s", policyArn: arn, alarmUuid: "u", metric: m.metric, cfg: { TargetValue: 70 }, periodS: 10 });
    assert.equal(high!.AlarmName, "TargetTracking-service/c/s-AlarmHigh-u");
    assert.equal(low!.AlarmName, "TargetTracking-service/c/s-AlarmLow-u");
    assert.equal(low!.Threshold, 63);
    assert.equal(high!.Period, 10);
    assert.deepEqual(parsePolicyArn(arn), { region: "us-east-1", accountId: P.accountId, uuid: "11111111-2222-3333-4444-555555555555", namespace: "ecs", resourceId: "service/c/s", name: "p" });
    assert.equal(trackedMetric("service/c/s", { TargetValue: 1 }).ok, false);
  });
});

describe("autoscaling core: schedules", () => {
  const utc = (s: string) => Date.parse(s);
  it("at(...) in a time zone", () => {
    const s = parseSchedule("at(2027-01-15T09:00:00)", "Asia/Seoul");
    assert.equal(nextRun(s, utc("2027-01-01T00:00:00Z")), utc("2027-01-15T00:00:00Z"));
    assert.equal(nextRun(s, utc("2027-01-15T00:00:00Z")), undefined);
  });
  it("rate(...) from its anchor", () => {
    const s = parseSchedule("rate(5 minutes)");
    const anchor = utc("2027-01-01T00:00:00Z");
    assert.equal(nextRun(s, anchor, anchor), anchor + 300_000);
    assert.equal(nextRun(s, anchor + 300_000, anchor), anchor + 600_000);
    assert.deepEqual(runsBetween(s, anchor, anchor + 900_000, anchor).length, 3);
    assert.throws(() => parseSchedule("rate(1 minutes)"), ScheduleError);
    assert.throws(() => parseSchedule("rate(0 hours)"), ScheduleError);
  });
  it("cron(...) with names, ranges, steps, L and time zones (DST)", () => {
    const weekdays = parseSchedule("cron(0 9 ? * MON-FRI *)", "Europe/Paris");
    // Friday 2027-03-26 09:00 CET is 08:00Z; the next run after it is Monday 2027-03-29 09:00 CEST = 07:00Z.
    assert.equal(nextRun(weekdays, utc("2027-03-25T12:00:00Z")), utc("2027-03-26T08:00:00Z"));
    assert.equal(nextRun(weekdays, utc("2027-03-26T08:00:00Z")), utc("2027-03-29T07:00:00Z"));
    const last = parseSchedule("cron(30 23 L * ? *)");
    assert.equal(nextRun(last, utc("2027-02-01T00:00:00Z")), utc("2027-02-28T23:30:00Z"));
    const steps = parseSchedule("cron(*/15 * * * ? 2027)");
    assert.equal(nextRun(steps, utc("2027-05-05T10:07:00Z")), utc("2027-05-05T10:15:00Z"));
    assert.equal(nextRun(steps, utc("2027-12-31T23:45:00Z")), undefined);
    // 02:30 on the spring-forward night does not exist in New York: that day is skipped.
    const gap = parseSchedule("cron(30 2 * * ? *)", "America/New_York");
    assert.equal(nextRun(gap, utc("2027-03-14T05:00:00Z")), utc("2027-03-15T06:30:00Z"));
    assert.throws(() => parseSchedule("cron(0 9 * * * *)"), ScheduleError);
    assert.throws(() => parseSchedule("cron(0 9 ? * 2#1 *)"), ScheduleError);
    assert.throws(() => parseSchedule("cron(0 9 * *)"), ScheduleError);
  });
  it("property: a cron's next run is after the instant, matches its fields, and nothing matching lies between", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom("UTC", "Asia/Seoul", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"),
        fc.integer({ min: utc("2026-01-01T00:00:00Z"), max: utc("2030-01-01T00:00:00Z") }),
        (mi, h, tz, after) => {
          const s = parseSchedule(`cron(${mi} ${h} * * ? *)`, tz);
          const n = nextRun(s, after)!;
          assert.ok(n > after);
          const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", hour: "numeric", minute: "numeric" }).formatToParts(n);
          const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
          assert.deepEqual([get("hour"), get("minute")], [h, mi]);
          // Daily: the next run is within 2 days (a DST gap skips at most one).
          assert.ok(n - after <= 2 * 86_400_000);
        },
      ),
      { numRuns: 200 },
    );
  });
  it("instantOf answers the first of a repeated hour", () => {
    // 2027-11-07 01:30 occurs twice in New York: EDT (05:30Z) first.
    assert.equal(instantOf({ year: 2027, month: 11, day: 7, hour: 1, minute: 30, second: 0 }, "America/New_York"), utc("2027-11-07T05:30:00Z"));
  });
});
