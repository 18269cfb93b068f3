import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { breakerThreshold, isHealthy, isLive, isOccupying, maxTasks, minHealthyTasks } from "../../src/core/service/health.js";
import type { ObservedTask } from "../../src/core/service/types.js";
import { ServiceSim } from "../helpers/service-sim.js";

/**
 * Property tests over the pure REPLICA reconciler (issue 6, R12/R13): random worlds of tasks
 * that start, turn healthy, crash, fail to start, with random deployments and scaling, checked
 * after every scheduler pass. WHARF_PROP_RUNS raises the number of cases (R12 asks ≥ 10,000).
 */
const RUNS = Number(process.env.WHARF_PROP_RUNS ?? 300);
const HEALTHY_AFTER = 40_000;

type Cmd =
  | { k: "tick"; ms: number; startFrac: number; stopFrac: number }
  | { k: "crash"; pick: number }
  | { k: "failStart"; pick: number }
  | { k: "deploy"; td: number; desired?: number }
  | { k: "scale"; desired: number };

const cmdArb = (maxDesired: number): fc.Arbitrary<Cmd> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ k: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 30_000 }), startFrac: fc.double({ min: 0, max: 1, noNaN: true }), stopFrac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("crash" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("failStart" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("deploy" as const), td: fc.integer({ min: 2, max: 9 }), desired: fc.option(fc.integer({ min: 0, max: maxDesired }), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("scale" as const), desired: fc.integer({ min: 0, max: maxDesired }) }) },
  );

const configArb = fc.record({
  desired: fc.integer({ min: 0, max: 50 }),
  min: fc.integer({ min: 0, max: 100 }),
  max: fc.integer({ min: 100, max: 200 }),
  breaker: fc.boolean(),
  rollback: fc.boolean(),
});

/** Applies an environment command; returns true when it was a failure (crash / failed start). */
function apply(sim: ServiceSim, c: Cmd): boolean {
  switch (c.k) {
    case "tick": {
      sim.now += c.ms;
      const pending = sim.tasks.filter((t) => t.lastStatus === "PENDING" && t.desiredStatus === "RUNNING");
      for (const t of pending.slice(0, Math.floor(pending.length * c.startFrac))) {
        t.lastStatus = "RUNNING";
        t.startedAt = sim.now;
      }
      const stopping = sim.tasks.filter((t) => t.lastStatus !== "STOPPED" && t.desiredStatus === "STOPPED");
      for (const t of stopping.slice(0, Math.ceil(stopping.length * c.stopFrac))) sim.stopTask(t, t.stopCode ?? "ServiceSchedulerInitiated");
      sim.forget();
      return false;
    }
    case "crash": {
      const running = sim.tasks.filter((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING");
      if (running.length === 0) return false;
      sim.stopTask(running[c.pick % running.length]!, "EssentialContainerExited");
      return true;
    }
    case "failStart": {
      const pending = sim.tasks.filter((t) => t.lastStatus === "PENDING" && t.desiredStatus === "RUNNING");
      if (pending.length === 0) return false;
      sim.stopTask(pending[c.pick % pending.length]!, "TaskFailedToStart");
      return true;
    }
    case "deploy":
      sim.deploy(`td:${c.td}`, c.desired ?? sim.svc.desiredCount);
      return false;
    case "scale":
      sim.svc = { ...sim.svc, desiredCount: c.desired };
      return false;
  }
}

/** One pass with the invariants checked against the world the pass saw. */
function checkedStep(sim: ServiceSim): void {
  const seen: ObservedTask[] = sim.tasks.map((t) => ({ ...t }));
  const D = sim.svc.desiredCount;
  const { minimumHealthyPercent: minP, maximumPercent: maxP } = sim.svc.deploymentConfiguration;
  const r = sim.step();
  const healthyBefore = seen.filter((t) => isHealthy(t, sim.now, { healthyAfterMs: HEALTHY_AFTER }));
  const stopped = new Set(r.stop.map((s) => s.taskArn));
  const healthyAfter = healthyBefore.filter((t) => !stopped.has(t.taskArn)).length;
  const started = r.start.reduce((n, s) => n + s.count, 0);

  // Upper bound: launches never take RUNNING + PENDING (+ still stopping) above floor(D × max%).
  if (started > 0) {
    const occupying = seen.filter(isOccupying).length + started;
    assert.ok(occupying <= maxTasks(D, maxP), `occupying ${occupying} > floor(${D}×${maxP}%)`);
  }
  // Lower bound: the scheduler stops a healthy task only if ceil(D × min%) healthy remain.
  if (healthyBefore.some((t) => stopped.has(t.taskArn))) {
    assert.ok(healthyAfter >= minHealthyTasks(D, minP), `healthy ${healthyAfter} < ceil(${D}×${minP}%)`);
  }
  // Stops only touch live tasks, once each; one PRIMARY, listed first.
  assert.equal(stopped.size, r.stop.length);
  for (const s of r.stop) assert.ok(seen.some((t) => t.taskArn === s.taskArn && isLive(t)), "stop of a dead task");
  assert.equal(r.deployments.filter((d) => d.status === "PRIMARY").length, 1);
  assert.equal(r.deployments[0]!.status, "PRIMARY");
  for (const s of r.start) assert.equal(s.deploymentId, r.deployments[0]!.id);
}

describe("REPLICA reconciler properties", () => {
  it("keeps min/max bounds at every step under random starts, failures, deployments and scaling", () => {
    fc.assert(
      fc.property(configArb, fc.array(cmdArb(50), { minLength: 1, maxLength: 60 }), (cfg, cmds) => {
        const sim = new ServiceSim(cfg.desired, {
          minimumHealthyPercent: cfg.min,
          maximumPercent: cfg.max,
          deploymentCircuitBreaker: { enable: cfg.breaker, rollback: cfg.rollback },
        });
        for (const c of cmds) {
          checkedStep(sim);
          apply(sim, c);
        }
        checkedStep(sim);
      }),
      { numRuns: RUNS },
    );
  });

  it("with no failures, a failure-free stretch keeps healthy ≥ ceil(desired × min%) once reached", () => {
    fc.assert(
      fc.property(configArb, fc.array(cmdArb(50).filter((c) => c.k === "tick" || c.k === "deploy"), { maxLength: 60 }), (cfg, cmds) => {
        const sim = new ServiceSim(cfg.desired, { minimumHealthyPercent: cfg.min, maximumPercent: cfg.max });
        const minH = minHealthyTasks(cfg.desired, cfg.min);
        let reached = false;
        for (const c of cmds) {
          if (c.k === "deploy") delete c.desired; // same desired count: the floor is fixed
          sim.step();
          const healthy = sim.tasks.filter((t) => isHealthy(t, sim.now, { healthyAfterMs: HEALTHY_AFTER })).length;
          if (reached) assert.ok(healthy >= minH, `healthy fell to ${healthy} < ${minH}`);
          reached ||= healthy >= minH;
          apply(sim, c);
          const after = sim.tasks.filter((t) => isHealthy(t, sim.now, { healthyAfterMs: HEALTHY_AFTER })).length;
          if (reached) assert.ok(after >= minH, `healthy fell to ${after} < ${minH} after ${c.k}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("converges to runningCount == desiredCount with one COMPLETED deployment when nothing fails", () => {
    fc.assert(
      fc.property(configArb, fc.array(cmdArb(50), { maxLength: 40 }), fc.integer({ min: 0, max: 50 }), (cfg, cmds, finalDesired) => {
        const sim = new ServiceSim(cfg.desired, {
          minimumHealthyPercent: cfg.min,
          maximumPercent: cfg.max,
          deploymentCircuitBreaker: { enable: cfg.breaker, rollback: cfg.rollback },
        });
        for (const c of cmds) {
          sim.step();
          apply(sim, c);
        }
        // A final deployment, then nothing fails: progress must be possible by the percentages
        // (ECS stalls too when min 100% and max leaves no room over desired).
        const D = finalDesired;
        const canMove = D === 0 || maxTasks(D, cfg.max) > D || minHealthyTasks(D, cfg.min) < D;
        fc.pre(canMove);
        sim.deploy("td:final", D);
        assert.ok(sim.settle(2000, 10_000), `did not settle: ${JSON.stringify(sim.svc.deployments)}`);
        assert.equal(sim.svc.deployments.length, 1);
        const p = sim.svc.deployments[0]!;
        assert.equal(p.taskDefinition, "td:final");
        assert.equal(p.rolloutState, "COMPLETED");
        assert.equal(p.runningCount, D);
        assert.equal(p.pendingCount, 0);
        assert.equal(sim.running(), D);
        assert.ok(sim.events.at(-1)?.endsWith("has reached a steady state."));
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 2)) },
    );
  });

  it("trips the circuit breaker exactly at clamp(ceil(0.5 × desired), 3, 200) failures, then rolls back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 100, max: 200 }),
        fc.boolean(),
        (D, minP, maxP, rollback) => {
          fc.pre(maxTasks(D, maxP) > D || minHealthyTasks(D, minP) < D);
          const sim = new ServiceSim(D, {
            minimumHealthyPercent: minP,
            maximumPercent: maxP,
            deploymentCircuitBreaker: { enable: true, rollback },
          });
          assert.ok(sim.settle(500));
          const good = sim.primary.id;
          sim.badTaskDefs.add("td:bad");
          sim.deploy("td:bad");
          const bad = sim.primary.id;
          const threshold = breakerThreshold(D);
          let failedAt: number | undefined;
          for (let i = 0; i < 3000 && failedAt === undefined; i++) {
            const before = sim.svc.deployments.find((d) => d.id === bad)!.failedTasks;
            const r = sim.step();
            const dep = r.deployments.find((d) => d.id === bad) ?? r.dropped.find((d) => d.id === bad)!;
            if (dep.rolloutState === "FAILED") {
              failedAt = dep.failedTasks;
              assert.ok(dep.failedTasks >= threshold, `FAILED at ${dep.failedTasks} < ${threshold}`);
              assert.equal(dep.rolloutStateReason, "ECS deployment circuit breaker: tasks failed to start.");
              assert.ok(r.events.includes(`(service web) (deployment ${bad}) deployment failed: tasks failed to start.`));
              assert.deepEqual(r.circuitBreakerTripped?.deploymentId, bad);
            } else {
              assert.ok(dep.failedTasks < threshold, `not FAILED although ${dep.failedTasks} ≥ ${threshold} failed`);
              void before;
            }
            sim.progress(60_000);
          }
          assert.ok(failedAt !== undefined, "breaker never tripped");
          if (rollback) {
            assert.ok(sim.events.includes(`(service web) rolling back to deployment ${good}.`));
            assert.equal(sim.primary.taskDefinition, "td:1");
            assert.equal(sim.primary.rolloutStateReason, `ECS deployment circuit breaker: rolling back to deploymentId ${good}.`);
            assert.ok(sim.settle(2000), "rollback did not settle");
            assert.equal(sim.svc.deployments.length, 1);
            assert.equal(sim.running(), D);
          } else {
            // A FAILED deployment without rollback launches nothing more.
            const r = sim.step();
            assert.equal(r.start.length, 0);
            assert.equal(sim.primary.id, bad);
          }
        },
      ),
      { numRuns: Math.max(50, Math.floor(RUNS / 3)) },
    );
  });
});
