import type { LbHealthCheck, LbTarget, TargetHealthReason, TargetHealthState } from "./data-plane-contract.js";
import type { ServerAdmin } from "./haproxy-config.js";

/**
 * ELB's health of one target as a pure state machine over check results, and which targets of a
 * group take traffic. A new target is `initial` and turns healthy after its first passing check
 * (ELB: "After your target is registered, it must pass one health check to be considered
 * healthy"), or unhealthy after UnhealthyThresholdCount failures; afterwards it flips after
 * HealthyThresholdCount successes or UnhealthyThresholdCount failures in a row.
 */

export type CheckResult = { ok: true } | { ok: false; kind: "code"; code: number } | { ok: false; kind: "timeout" } | { ok: false; kind: "failed" };

export interface TargetHealth {
  state: TargetHealthState;
  reason?: TargetHealthReason;
  description?: string;
  successes: number;
  failures: number;
}

export function initialHealth(hc: LbHealthCheck): TargetHealth {
  if (!hc.enabled) return { state: "unavailable", reason: "Target.HealthCheckDisabled", description: "Health checks are disabled", successes: 0, failures: 0 };
  return { state: "initial", reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress", successes: 0, failures: 0 };
}

/** ELB's reason and description for a failed check. */
export function failureReason(r: Exclude<CheckResult, { ok: true }>, hc: LbHealthCheck): { reason: TargetHealthReason; description: string } {
  if (hc.protocol === "TCP" || hc.protocol === "TLS" || hc.protocol === "UDP" || hc.protocol === "TCP_UDP") return { reason: "Target.FailedHealthChecks", description: "Health checks failed" };
  if (r.kind === "code") return { reason: "Target.ResponseCodeMismatch", description: `Health checks failed with these codes: [${r.code}]` };
  if (r.kind === "timeout") return { reason: "Target.Timeout", description: "Request timed out" };
  return { reason: "Target.FailedHealthChecks", description: "Health checks failed" };
}

export function nextHealth(h: TargetHealth, r: CheckResult, hc: LbHealthCheck): TargetHealth {
  if (r.ok) {
    const successes = h.successes + 1;
    const healthy = h.state === "healthy" || h.state === "initial" || successes >= hc.healthyThresholdCount;
    return healthy ? { state: "healthy", successes, failures: 0 } : { ...h, successes, failures: 0 };
  }
  const failures = h.failures + 1;
  const why = failureReason(r, hc);
  if (h.state === "unhealthy") return { state: "unhealthy", ...why, successes: 0, failures };
  if (failures >= hc.unhealthyThresholdCount) return { state: "unhealthy", ...why, successes: 0, failures };
  return { ...h, successes: 0, failures };
}

/** ELB's Matcher.HttpCode ("200", "200-299", "200,302") against a status code. */
export function codeMatches(matcher: string | undefined, code: number): boolean {
  const spec = matcher && matcher.trim() !== "" ? matcher : "200";
  return spec.split(",").some((part) => {
    const [lo, hi] = part.trim().split("-").map((s) => Number(s));
    return hi === undefined ? code === lo : code >= lo && code <= hi;
  });
}

/**
 * The admin state of each target's server: draining ones drain; the healthy ones take traffic;
 * with no healthy target and at least one unhealthy, all non-draining targets do (ELB's
 * fail-open); with health checks disabled, all do.
 */
export function routing(targets: LbTarget[], healthOf: (t: LbTarget) => TargetHealth | undefined): Map<LbTarget, ServerAdmin> {
  const out = new Map<LbTarget, ServerAdmin>();
  const live = targets.filter((t) => !t.draining);
  const states = live.map((t) => healthOf(t)?.state ?? "initial");
  const anyHealthy = states.some((s) => s === "healthy" || s === "unavailable");
  const failOpen = !anyHealthy && states.some((s) => s === "unhealthy");
  for (const t of targets) {
    if (t.draining) {
      out.set(t, "drain");
      continue;
    }
    const s = healthOf(t)?.state ?? "initial";
    out.set(t, s === "healthy" || s === "unavailable" || failOpen ? "ready" : "maint");
  }
  return out;
}
