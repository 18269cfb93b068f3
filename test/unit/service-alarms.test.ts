import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bakeTimeMs, observeAlarms } from "../../src/core/service/alarms.js";
import type { DeploymentConfig } from "../../src/core/service/types.js";
import { ServiceSim } from "../helpers/service-sim.js";

/** Deployment alarms and StopServiceDeployment in the pure scheduler (src/core/service/alarms.ts). */

const cfg = (rollback: boolean, names = ["cpu-high"]): DeploymentConfig => ({
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  alarms: { alarmNames: names, enable: true, rollback },
});
const alarmsIn = (sim: ServiceSim, inAlarm: string[], bakeMs = 30_000) => {
  sim.svc.alarms = { inAlarm, bakeMs };
};

/** A service settled on td:1 (its deployment COMPLETED after the bake time), then deploying td:2. */
function deploying(rollback: boolean): { sim: ServiceSim; v1: string } {
  const sim = new ServiceSim(2, cfg(rollback));
  alarmsIn(sim, []);
  assert.ok(sim.settle());
  const v1 = sim.primary.id;
  sim.deploy("td:2");
  sim.step();
  return { sim, v1 };
}

describe("deployment alarms", () => {
  it("bake time is the longest Period × EvaluationPeriods of the named alarms", () => {
    assert.equal(bakeTimeMs([]), 0);
    assert.equal(bakeTimeMs([{ name: "a", state: "OK", periodS: 10, evaluationPeriods: 3 }, { name: "b", state: "OK", periodS: 60, evaluationPeriods: 1 }]), 60_000);
    assert.equal(bakeTimeMs([{ name: "m", state: "OK", evaluationPeriods: 2 }]), 120_000, "no Period (metric math): 60 s");
    assert.deepEqual(
      observeAlarms(["a", "b"], [{ name: "b", state: "ALARM", periodS: 10, evaluationPeriods: 1 }, { name: "c", state: "ALARM", periodS: 600, evaluationPeriods: 9 }]),
      { inAlarm: ["b"], bakeMs: 10_000 },
      "only the named alarms count",
    );
  });

  it("a settled deployment stays IN_PROGRESS for the bake time, then completes", () => {
    const sim = new ServiceSim(1, cfg(true));
    alarmsIn(sim, [], 30_000);
    for (let i = 0; i < 10 && sim.running() < 1; i++) {
      sim.step();
      sim.progress(1_000);
    }
    sim.progress(40_000);
    const settled = sim.step();
    assert.equal(settled.deployments[0]!.rolloutState, "IN_PROGRESS", "baking");
    assert.ok(settled.requeueAfterMs! <= 30_000);
    sim.progress(29_000);
    assert.equal(sim.step().deployments[0]!.rolloutState, "IN_PROGRESS");
    sim.progress(1_000);
    const done = sim.step();
    assert.equal(done.deployments[0]!.rolloutState, "COMPLETED");
  });

  it("an alarm in ALARM during the deployment fails it and rolls back to the last COMPLETED deployment", () => {
    const { sim, v1 } = deploying(true);
    const failedId = sim.primary.id;
    alarmsIn(sim, ["cpu-high"]);
    const r = sim.step();
    assert.deepEqual(r.failed, { deploymentId: failedId, cause: "alarms", rollbackTo: v1 });
    const failed = r.deployments.find((d) => d.id === failedId)!;
    assert.equal(failed.rolloutState, "FAILED");
    assert.equal(failed.status, "ACTIVE");
    assert.deepEqual(failed.triggeredAlarms, ["cpu-high"]);
    assert.equal(failed.rolloutStateReason, "ECS deployment alarms: alarm(s) in ALARM state: cpu-high.");
    const rb = r.deployments[0]!;
    assert.equal(rb.status, "PRIMARY");
    assert.equal(rb.taskDefinition, "td:1");
    assert.equal(rb.rollbackOf, v1);
    assert.equal(rb.rolloutStateReason, `ECS deployment alarms: rolling back to deploymentId ${v1}.`);
    assert.deepEqual(r.events.slice(0, 2), [
      `(service web) (deployment ${failedId}) deployment failed: alarm detected (cpu-high).`,
      `(service web) rolling back to deployment ${v1}.`,
    ]);
    // The alarm is still in ALARM: the rollback deployment ignores it (it was in ALARM at its start) and completes.
    assert.ok(sim.settle());
    assert.equal(sim.primary.rolloutState, "COMPLETED");
    assert.equal(sim.primary.taskDefinition, "td:1");
    assert.equal(sim.running(), 2);
  });

  it("without rollback the deployment only fails", () => {
    const { sim } = deploying(false);
    const id = sim.primary.id;
    alarmsIn(sim, ["cpu-high"]);
    const r = sim.step();
    assert.deepEqual(r.failed, { deploymentId: id, cause: "alarms" });
    assert.equal(r.deployments[0]!.id, id);
    assert.equal(r.deployments[0]!.rolloutState, "FAILED");
  });

  it("an alarm already in ALARM when the deployment starts is ignored until it leaves ALARM", () => {
    const sim2 = new ServiceSim(2, cfg(true));
    alarmsIn(sim2, []);
    assert.ok(sim2.settle());
    alarmsIn(sim2, ["cpu-high"]);
    sim2.deploy("td:2");
    assert.equal(sim2.step().failed, undefined, "in ALARM at the start");
    assert.equal(sim2.step().failed, undefined);
    alarmsIn(sim2, []);
    sim2.step();
    alarmsIn(sim2, ["cpu-high"]);
    assert.equal(sim2.step().failed?.cause, "alarms", "back in ALARM after it cleared");
  });

  it("alarms not enabled never fail a deployment", () => {
    const sim = new ServiceSim(2, { minimumHealthyPercent: 100, maximumPercent: 200, alarms: { alarmNames: ["cpu-high"], enable: false, rollback: true } });
    assert.ok(sim.settle());
    sim.deploy("td:2");
    sim.step();
    alarmsIn(sim, ["cpu-high"]);
    assert.equal(sim.step().failed, undefined);
    assert.ok(sim.settle());
    assert.equal(sim.primary.taskDefinition, "td:2");
  });
});

describe("StopServiceDeployment (ROLLBACK) in the scheduler", () => {
  it("fails the PRIMARY it names and rolls back even without a rollback configuration", () => {
    const sim = new ServiceSim(2, { minimumHealthyPercent: 100, maximumPercent: 200 });
    assert.ok(sim.settle());
    const v1 = sim.primary.id;
    sim.deploy("td:2");
    sim.step();
    const id = sim.primary.id;
    sim.svc.stopRequest = { deploymentId: id };
    const r = sim.step();
    assert.deepEqual(r.failed, { deploymentId: id, cause: "user", rollbackTo: v1 });
    assert.equal(r.deployments.find((d) => d.id === id)!.rolloutStateReason, "Service deployment stopped by StopServiceDeployment (ROLLBACK).");
    assert.ok(r.events.includes(`(service web) (deployment ${id}) deployment stopped: rollback requested.`));
    delete sim.svc.stopRequest;
    assert.ok(sim.settle());
    assert.equal(sim.primary.taskDefinition, "td:1");
  });

  it("a request for a deployment that is no longer the rolling-out PRIMARY does nothing", () => {
    const sim = new ServiceSim(2, { minimumHealthyPercent: 100, maximumPercent: 200 });
    assert.ok(sim.settle());
    sim.svc.stopRequest = { deploymentId: sim.primary.id };
    const r = sim.step();
    assert.equal(r.failed, undefined);
    assert.equal(r.deployments[0]!.rolloutState, "COMPLETED");
  });
});
