import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeMatches, failureReason, initialHealth, nextHealth, routing, type TargetHealth } from "../../src/core/lb/target-health.js";
import { healthCheck, target } from "./lb-fixtures.js";

const hc = healthCheck({ healthyThresholdCount: 3, unhealthyThresholdCount: 2 });
const run = (results: Parameters<typeof nextHealth>[1][], start = initialHealth(hc)) => results.reduce((h, r) => nextHealth(h, r, hc), start);
const ok = { ok: true } as const;
const c503 = { ok: false, kind: "code", code: 503 } as const;

describe("ELB target health", () => {
  it("is initial, then healthy after its first passing check", () => {
    assert.deepEqual(initialHealth(hc), { state: "initial", reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress", successes: 0, failures: 0 });
    assert.equal(run([ok]).state, "healthy");
  });

  it("turns unhealthy after UnhealthyThresholdCount failures with ELB's reason, healthy again after HealthyThresholdCount passes", () => {
    const once = run([ok, c503]);
    assert.equal(once.state, "healthy");
    const bad = run([ok, c503, c503]);
    assert.deepEqual([bad.state, bad.reason, bad.description], ["unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]"]);
    assert.equal(run([ok, ok], bad).state, "unhealthy");
    assert.equal(run([ok, ok, ok], bad).state, "healthy");
    assert.equal(run([ok, c503, ok, c503]).state, "healthy", "failures must be consecutive");
  });

  it("names timeouts and TCP failures as ELB does", () => {
    assert.deepEqual(failureReason({ ok: false, kind: "timeout" }, hc), { reason: "Target.Timeout", description: "Request timed out" });
    assert.deepEqual(failureReason({ ok: false, kind: "failed" }, healthCheck({ protocol: "TCP" })), { reason: "Target.FailedHealthChecks", description: "Health checks failed" });
    assert.deepEqual(initialHealth(healthCheck({ enabled: false })).reason, "Target.HealthCheckDisabled");
  });

  it("matches ELB's HttpCode lists and ranges", () => {
    assert.ok(codeMatches("200", 200));
    assert.ok(!codeMatches("200", 204));
    assert.ok(codeMatches("200-299", 204));
    assert.ok(codeMatches("200,302", 302));
    assert.ok(!codeMatches("200,302", 301));
    assert.ok(codeMatches(undefined, 200));
  });

  it("routes to healthy targets, drains draining ones, and fails open when none is healthy", () => {
    const [a, b, c] = [target("10.0.0.1", 80), target("10.0.0.2", 80), target("10.0.0.3", 80, { draining: true })];
    const h = (states: Record<string, TargetHealth["state"]>) => (t: typeof a) => ({ state: states[t.address], successes: 0, failures: 0 }) as TargetHealth;
    const r1 = routing([a, b, c], h({ "10.0.0.1": "healthy", "10.0.0.2": "unhealthy" }));
    assert.deepEqual([r1.get(a), r1.get(b), r1.get(c)], ["ready", "maint", "drain"]);
    const r2 = routing([a, b, c], h({ "10.0.0.1": "unhealthy", "10.0.0.2": "unhealthy" }));
    assert.deepEqual([r2.get(a), r2.get(b), r2.get(c)], ["ready", "ready", "drain"], "fail-open");
    const r3 = routing([a, b], h({ "10.0.0.1": "initial", "10.0.0.2": "initial" }));
    assert.deepEqual([r3.get(a), r3.get(b)], ["maint", "maint"], "no traffic before a first passing check");
  });
});
