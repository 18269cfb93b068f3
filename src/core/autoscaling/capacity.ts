/*
 * The scaling math, pure: which step of a step policy a breach falls in, the capacity each
 * adjustment type asks for, target tracking's proportional capacity, min/max clamps, and the
 * cooldown rules — together `decide`, which turns "the policy asks for N" into what is done.
 */

export type AdjustmentType = "ChangeInCapacity" | "PercentChangeInCapacity" | "ExactCapacity";

export interface StepAdjustment {
  MetricIntervalLowerBound?: number;
  MetricIntervalUpperBound?: number;
  ScalingAdjustment: number;
}

export interface StepConfig {
  AdjustmentType: AdjustmentType;
  StepAdjustments: StepAdjustment[];
  MinAdjustmentMagnitude?: number;
}

/**
 * The step a breach (metric value − alarm threshold) falls in. A missing lower bound is −∞ and a
 * missing upper bound +∞. As AWS: above the threshold (breach ≥ 0) the lower bound is inclusive
 * and the upper exclusive; below it, the lower bound is exclusive and the upper inclusive.
 */
export function chooseStep(steps: readonly StepAdjustment[], breach: number): StepAdjustment | undefined {
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound ?? -Infinity;
    const hi = s.MetricIntervalUpperBound ?? Infinity;
    return breach >= 0 ? breach >= lo && breach < hi : breach > lo && breach <= hi;
  });
}

/**
 * The capacity an adjustment asks for from `current` (not yet clamped). PercentChangeInCapacity
 * rounds as Application Auto Scaling does: a change whose magnitude is at least 1 is truncated
 * toward zero, one between 0 and 1 in magnitude becomes ±1; MinAdjustmentMagnitude raises the
 * magnitude of a percent change to at least that many.
 */
export function adjustedCapacity(current: number, type: AdjustmentType, adjustment: number, minMagnitude?: number): number {
  if (type === "ExactCapacity") return adjustment;
  if (type === "ChangeInCapacity") return current + adjustment;
  const raw = (current * adjustment) / 100;
  let change = raw === 0 ? 0 : Math.abs(raw) < 1 ? Math.sign(raw) : Math.trunc(raw);
  if (minMagnitude !== undefined && change !== 0 && Math.abs(change) < minMagnitude) change = Math.sign(change) * minMagnitude;
  return current + change;
}

/** The capacity a step policy asks for at this breach; undefined when no step covers it. */
export function stepCapacity(current: number, cfg: StepConfig, breach: number): number | undefined {
  const step = chooseStep(cfg.StepAdjustments, breach);
  return step ? adjustedCapacity(current, cfg.AdjustmentType, step.ScalingAdjustment, cfg.MinAdjustmentMagnitude) : undefined;
}

/**
 * Target tracking: the capacity that brings the metric back to the target, assuming it scales
 * inversely with capacity (ceil(current × value / target), rounded up so a scale-in stays
 * conservative). A value within a millionth of a task of a whole number is that number.
 */
export function targetTrackingCapacity(current: number, value: number, target: number): number {
  if (!(target > 0) || !Number.isFinite(value) || value < 0) return current;
  const exact = (current * value) / target;
  const near = Math.round(exact);
  return Math.abs(exact - near) < 1e-6 ? near : Math.ceil(exact);
}

export const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/** What a target remembers of its last scaling moves (ms since epoch), per policy. */
export interface CooldownMemory {
  lastScaleOutAt?: number;
  /** The capacity the last scale-out set. */
  lastScaleOutTo?: number;
  lastScaleInAt?: number;
}

export interface DecideInput {
  current: number;
  /** What the policy asks for, before clamps. */
  proposed: number;
  min: number;
  max: number;
  now: number;
  scaleOutCooldownS: number;
  scaleInCooldownS: number;
  memory: CooldownMemory;
  disableScaleIn?: boolean;
  suspendedIn?: boolean;
  suspendedOut?: boolean;
}

export type NotScaledCode = "AlreadyAtMaxCapacity" | "AlreadyAtMinCapacity" | "AlreadyAtDesiredCapacity";

export type Decision =
  | { kind: "scale"; to: number; direction: "out" | "in" }
  | { kind: "not-scaled"; code: NotScaledCode; to: number }
  /** Nothing to do and nothing worth an activity (cooldown, scale-in disabled, suspended). */
  | { kind: "hold"; why: "cooldown" | "scale-in-disabled" | "suspended" | "no-step" };

/**
 * Whether and where to scale. Rules (Application Auto Scaling's): the result is clamped to
 * [min, max]; during a scale-out cooldown a further scale-out happens only when it asks for more
 * than the last scale-out set; no scale-in during a scale-in cooldown nor during a scale-out
 * cooldown; a scale-out is never held by a scale-in cooldown. A request that the clamp leaves at the
 * current capacity is "not scaled" (AlreadyAtMaxCapacity / AlreadyAtMinCapacity), one equal to it
 * AlreadyAtDesiredCapacity.
 */
export function decide(i: DecideInput): Decision {
  const to = clamp(Math.round(i.proposed), i.min, i.max);
  if (i.proposed > i.current) {
    if (i.suspendedOut) return { kind: "hold", why: "suspended" };
    if (to <= i.current) return { kind: "not-scaled", code: "AlreadyAtMaxCapacity", to: i.current };
    const m = i.memory;
    if (m.lastScaleOutAt !== undefined && i.now - m.lastScaleOutAt < i.scaleOutCooldownS * 1000 && to <= (m.lastScaleOutTo ?? -Infinity)) {
      return { kind: "hold", why: "cooldown" };
    }
    return { kind: "scale", to, direction: "out" };
  }
  if (i.proposed < i.current) {
    if (i.disableScaleIn) return { kind: "hold", why: "scale-in-disabled" };
    if (i.suspendedIn) return { kind: "hold", why: "suspended" };
    if (to >= i.current) return { kind: "not-scaled", code: "AlreadyAtMinCapacity", to: i.current };
    const m = i.memory;
    const inCool = m.lastScaleInAt !== undefined && i.now - m.lastScaleInAt < i.scaleInCooldownS * 1000;
    const outCool = m.lastScaleOutAt !== undefined && i.now - m.lastScaleOutAt < i.scaleOutCooldownS * 1000;
    if (inCool || outCool) return { kind: "hold", why: "cooldown" };
    return { kind: "scale", to, direction: "in" };
  }
  return { kind: "not-scaled", code: "AlreadyAtDesiredCapacity", to: i.current };
}

/** The memory after a scale. */
export function remember(m: CooldownMemory, d: { to: number; direction: "out" | "in" }, now: number): CooldownMemory {
  return d.direction === "out" ? { ...m, lastScaleOutAt: now, lastScaleOutTo: d.to } : { ...m, lastScaleInAt: now };
}
