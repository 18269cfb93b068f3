import type { AlarmActionEvent, AlarmActionInvoker } from "../../contracts/metric-alarms.js";
import { causeAlarm } from "../../core/autoscaling/activities.js";
import { decide, remember, stepCapacity, targetTrackingCapacity, type StepConfig } from "../../core/autoscaling/capacity.js";
import { parsePolicyArn } from "../../core/autoscaling/names.js";
import { ECS_DEFAULT_COOLDOWN_S } from "../../core/autoscaling/target-tracking.js";
import { currentCapacity, recordNotScaled, setCapacity } from "./capacity.js";
import { aasLock, getTarget, policyId, policyOp, storeOf, targetKey, type AasDeps } from "./deps.js";
import type { PolicyDoc } from "./docs.js";

/** The threshold an alarm event carries, or the one CloudWatch's StateReason names ("… the threshold (50.0)."). */
export function thresholdOf(e: Pick<AlarmActionEvent, "threshold" | "reason">): number | undefined {
  if (e.threshold !== undefined) return e.threshold;
  const m = /the threshold \((-?[0-9.]+(?:[eE][-+]?\d+)?)\)/.exec(e.reason);
  return m ? Number(m[1]) : undefined;
}

/** What running a policy came to (tests and logs read it). */
export type PolicyRun =
  | { outcome: "scaled"; from: number; to: number }
  | { outcome: "not-scaled"; code: string }
  | { outcome: "held"; why: string }
  | { outcome: "ignored"; why: string };

/**
 * Runs the policy an alarm action names (CloudWatch calls it on the alarm's state change and
 * again at each evaluation while it stays in ALARM). Only ALARM runs a policy.
 */
export async function runPolicy(deps: AasDeps, e: AlarmActionEvent): Promise<PolicyRun> {
  if (e.state !== "ALARM") return { outcome: "ignored", why: `alarm state ${e.state}` };
  const ref = parsePolicyArn(e.actionArn);
  if (!ref || ref.accountId !== e.accountId || ref.region !== e.region) return { outcome: "ignored", why: "not a scaling policy ARN of this account and Region" };
  const p = { accountId: ref.accountId, region: ref.region };
  // The dimension is not part of the policy ARN: find the policy among the resource's targets.
  const key = targetKey(p, ref.namespace, ref.resourceId, "ecs:service:DesiredCount");
  return deps.ecs.lock(aasLock(key), async (): Promise<PolicyRun> => {
    const policy = (await storeOf(deps).get<PolicyDoc>("aas-policy", policyId({ targetKey: key, PolicyName: ref.name })))?.value;
    if (!policy || policy.PolicyARN !== e.actionArn) return { outcome: "ignored", why: "no such policy" };
    const target = await getTarget(deps, key);
    if (!target) return { outcome: "ignored", why: "no scalable target" };
    const current = await currentCapacity(deps, target);
    if (current === undefined) return { outcome: "ignored", why: "the ECS service is not ACTIVE" };
    const now = e.at;
    let proposed: number | undefined;
    let outCool = ECS_DEFAULT_COOLDOWN_S;
    let inCool = ECS_DEFAULT_COOLDOWN_S;
    let disableScaleIn = false;
    if (policy.PolicyType === "TargetTrackingScaling") {
      const tt = policy.TargetTrackingScalingPolicyConfiguration!;
      if (e.value === undefined) return { outcome: "ignored", why: "no datapoint value" };
      proposed = targetTrackingCapacity(current, e.value, tt.TargetValue);
      // The low alarm scales in only; the high alarm out only.
      const low = e.alarmName.includes("-AlarmLow-");
      if (low ? proposed > current : proposed < current) proposed = current;
      outCool = tt.ScaleOutCooldown ?? ECS_DEFAULT_COOLDOWN_S;
      inCool = tt.ScaleInCooldown ?? ECS_DEFAULT_COOLDOWN_S;
      disableScaleIn = tt.DisableScaleIn === true;
    } else {
      const step = policy.StepScalingPolicyConfiguration!;
      const threshold = thresholdOf(e);
      if (e.value === undefined || threshold === undefined) return { outcome: "ignored", why: "no datapoint value or threshold" };
      proposed = stepCapacity(current, step as StepConfig, e.value - threshold);
      if (proposed === undefined) return { outcome: "held", why: "no step adjustment covers the breach" };
      outCool = inCool = step.Cooldown ?? ECS_DEFAULT_COOLDOWN_S;
    }
    const d = decide({
      current,
      proposed,
      min: target.MinCapacity,
      max: target.MaxCapacity,
      now,
      scaleOutCooldownS: outCool,
      scaleInCooldownS: inCool,
      memory: policy.memory,
      disableScaleIn,
      suspendedIn: target.SuspendedState.DynamicScalingInSuspended === true,
      suspendedOut: target.SuspendedState.DynamicScalingOutSuspended === true,
    });
    const cause = causeAlarm(e.alarmName, e.state, policy.PolicyName);
    if (d.kind === "hold") return { outcome: "held", why: d.why };
    if (d.kind === "not-scaled") {
      if (d.code !== "AlreadyAtDesiredCapacity") await recordNotScaled(deps, target, Math.round(proposed), current, d.code, cause);
      return { outcome: "not-scaled", code: d.code };
    }
    const ok = await setCapacity(deps, target, d.to, cause);
    if (!ok) return { outcome: "held", why: "ECS refused the update" };
    await storeOf(deps).write([policyOp({ ...policy, memory: remember(policy.memory, d, now) })]);
    return { outcome: "scaled", from: current, to: d.to };
  });
}

/** The AlarmActionInvoker CloudWatch's evaluator calls for `arn:aws:autoscaling:` actions. */
export function scalingPolicyInvoker(deps: AasDeps, log?: (line: Record<string, unknown>) => void): AlarmActionInvoker & { run(e: AlarmActionEvent): Promise<PolicyRun> } {
  return {
    arnPrefix: "arn:aws:autoscaling:",
    async invoke(e) {
      const r = await runPolicy(deps, e);
      log?.({ msg: "scaling policy invoked", policy: e.actionArn, alarm: e.alarmName, ...r });
    },
    run: (e) => runPolicy(deps, e),
  };
}
