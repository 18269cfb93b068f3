import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceSim } from "../helpers/service-sim.js";

const cfg = { minimumHealthyPercent: 100, maximumPercent: 200 };

describe("task scale-in protection in the service reconciler", () => {
  it("scale-in passes over protected tasks, and takes them once protection expires", () => {
    const sim = new ServiceSim(3, cfg);
    assert.ok(sim.settle());
    const live = sim.tasks.filter((t) => t.lastStatus === "RUNNING");
    // Protect two of three for 5 minutes; scale in to 1.
    live[0]!.protectedUntil = sim.now + 300_000;
    live[1]!.protectedUntil = sim.now + 300_000;
    sim.svc = { ...sim.svc, desiredCount: 1 };
    const r = sim.step();
    assert.deepEqual(r.stop.map((s) => s.taskArn), [live[2]!.taskArn]);
    assert.ok(r.requeueAfterMs! <= 300_000, "requeued by the expiry at the latest");
    sim.stopTask(live[2]!, "ServiceSchedulerInitiated");
    assert.deepEqual(sim.step().stop, [], "both left are protected: nothing to stop yet");
    sim.now += 300_001;
    const later = sim.step();
    assert.equal(later.stop.length, 1);
    assert.ok([live[0]!.taskArn, live[1]!.taskArn].includes(later.stop[0]!.taskArn));
  });

  it("a deployment does not replace a protected task before expiry", () => {
    const sim = new ServiceSim(2, cfg);
    assert.ok(sim.settle());
    const [kept, other] = sim.tasks.filter((t) => t.lastStatus === "RUNNING") as [(typeof sim.tasks)[0], (typeof sim.tasks)[0]];
    kept.protectedUntil = sim.now + 3_600_000;
    sim.deploy("td:2");
    // The rollout cannot finish while the old task is protected (100 steps of 10 s: well inside the hour).
    assert.equal(sim.settle(100, 10_000), false);
    // Every old task but the protected one was replaced; the protected one still runs.
    assert.equal(kept.lastStatus, "RUNNING");
    assert.equal(other.lastStatus, "STOPPED");
    sim.now = kept.protectedUntil + 1;
    assert.ok(sim.settle());
    assert.equal(kept.lastStatus, "STOPPED");
  });
});
