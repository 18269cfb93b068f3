import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reconcileDaemon, type DaemonInstance } from "../../src/core/service/daemon.js";
import { breakerThreshold } from "../../src/core/service/health.js";
import { emptyMemory, type ObservedTask, type ServiceState } from "../../src/core/service/types.js";
import { ServiceSim } from "../helpers/service-sim.js";

const cfg = (min: number, max: number, breaker?: { enable: boolean; rollback: boolean }) => ({
  minimumHealthyPercent: min,
  maximumPercent: max,
  ...(breaker ? { deploymentCircuitBreaker: breaker } : {}),
});
const idOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

describe("REPLICA reconciler examples", () => {
  it("starts desiredCount tasks, completes the deployment and reports a steady state once", () => {
    const sim = new ServiceSim(4, cfg(100, 200));
    const first = sim.step();
    assert.deepEqual(first.start, [{ deploymentId: sim.primary.id, count: 4 }]);
    assert.equal(first.deployments[0]!.pendingCount, 4);
    sim.progress(1000);
    const r = sim.step();
    assert.equal(r.deployments[0]!.runningCount, 4);
    assert.equal(r.steady, false, "not healthy before 40 s RUNNING");
    assert.ok(r.requeueAfterMs! <= 40_000);
    sim.progress(40_000);
    const done = sim.step();
    assert.equal(done.steady, true);
    assert.equal(done.deployments[0]!.rolloutState, "COMPLETED");
    assert.equal(done.deployments[0]!.rolloutStateReason, `ECS deployment ${sim.primary.id} completed.`);
    assert.deepEqual(done.events, [
      `(service web) (deployment ${sim.primary.id}) deployment completed.`,
      "(service web) has reached a steady state.",
    ]);
    assert.deepEqual(sim.step().events, [], "steady state is reported on its edge only");
  });

  it("replaces killed tasks at once", () => {
    const sim = new ServiceSim(4, cfg(100, 200));
    assert.ok(sim.settle());
    const running = sim.tasks.filter((t) => t.lastStatus === "RUNNING");
    sim.stopTask(running[0]!, "EssentialContainerExited");
    sim.stopTask(running[1]!, "EssentialContainerExited");
    const r = sim.step();
    assert.deepEqual(r.start, [{ deploymentId: sim.primary.id, count: 2 }]);
    assert.equal(r.deployments[0]!.failedTasks, 0, "tasks healthy before they died are not failures");
    assert.ok(sim.settle());
    assert.equal(sim.running(), 4);
  });

  it("rolls 4 tasks with min 50 / max 200: 4 new first, 2 old stopped at once with ECS's reason", () => {
    const sim = new ServiceSim(4, cfg(50, 200));
    assert.ok(sim.settle());
    const oldDep = sim.primary.id;
    sim.deploy("td:2");
    const r = sim.step();
    assert.deepEqual(r.start, [{ deploymentId: sim.primary.id, count: 4 }]);
    assert.equal(r.stop.length, 2);
    for (const s of r.stop) assert.equal(s.reason, `Scaling activity initiated by (deployment ${sim.primary.id})`);
    assert.equal(r.deployments.length, 2);
    assert.equal(r.deployments[1]!.id, oldDep);
    assert.equal(r.deployments[1]!.desiredCount, 2);
    assert.ok(r.events.includes(`(service web) has stopped 2 running tasks: ${r.stop.map((s) => `(task ${idOf(s.taskArn)})`).join(" ")}.`));
    assert.ok(sim.settle());
    assert.equal(sim.svc.deployments.length, 1);
    assert.equal(sim.svc.deployments[0]!.taskDefinition, "td:2");
    assert.equal(sim.results.flatMap((x) => x.dropped).find((d) => d.id === oldDep)?.status, "ACTIVE");
  });

  it("with min 100 / max 100 it stops nothing healthy and stalls, as ECS does", () => {
    const sim = new ServiceSim(2, cfg(100, 100));
    assert.ok(sim.settle());
    sim.deploy("td:2");
    for (let i = 0; i < 5; i++) {
      const r = sim.step();
      assert.equal(r.start.length + r.stop.length, 0);
      sim.progress(60_000);
    }
  });

  it("scales in, stopping not-yet-running tasks first", () => {
    const sim = new ServiceSim(4, cfg(100, 200));
    assert.ok(sim.settle());
    sim.svc = { ...sim.svc, desiredCount: 2 };
    const r = sim.step();
    assert.equal(r.stop.length, 2);
    assert.ok(r.stop.every((s) => s.cause === "scale-in"));
    assert.equal(r.deployments[0]!.desiredCount, 2);
  });

  it("replaces an UNHEALTHY task by starting the replacement first, then stopping it", () => {
    const sim = new ServiceSim(2, cfg(100, 200));
    sim.step();
    for (const t of sim.tasks) Object.assign(t, { lastStatus: "RUNNING", startedAt: sim.now, hasHealthCheck: true, healthStatus: "HEALTHY" });
    assert.equal(sim.step().steady, true);
    const sick = sim.tasks[0]!;
    sick.healthStatus = "UNHEALTHY";
    const r1 = sim.step();
    assert.deepEqual(r1.start, [{ deploymentId: sim.primary.id, count: 1 }]);
    assert.equal(r1.stop.length, 0, "replacement first");
    sim.now += 5000;
    const repl = sim.tasks.at(-1)!;
    Object.assign(repl, { lastStatus: "RUNNING", startedAt: sim.now, hasHealthCheck: true, healthStatus: "HEALTHY" });
    const r2 = sim.step();
    assert.deepEqual(r2.stop.map((s) => [s.taskArn, s.reason, s.cause]), [[sick.taskArn, "Task failed container health checks", "unhealthy"]]);
    assert.ok(r2.events.includes(`(service web) (task ${idOf(sick.taskArn)}) failed container health checks.`));
  });

  it("stops an UNHEALTHY task at once when maximumPercent leaves no room", () => {
    const sim = new ServiceSim(2, cfg(50, 100));
    sim.step();
    for (const t of sim.tasks) Object.assign(t, { lastStatus: "RUNNING", startedAt: sim.now, hasHealthCheck: true, healthStatus: "HEALTHY" });
    sim.step();
    sim.tasks[1]!.healthStatus = "UNHEALTHY";
    const r = sim.step();
    assert.equal(r.start.length, 0);
    assert.deepEqual(r.stop.map((s) => s.cause), ["unhealthy"]);
  });

  it("DRAINING: pending tasks stop at once, running ones are replaced within the percentages", () => {
    const sim = new ServiceSim(2, cfg(100, 200));
    assert.ok(sim.settle());
    sim.svc = { ...sim.svc, desiredCount: 3 };
    sim.step(); // a third task, PENDING
    const pending = sim.tasks.find((t) => t.lastStatus === "PENDING")!;
    const running = sim.tasks.find((t) => t.lastStatus === "RUNNING")!;
    pending.onDrainingInstance = true;
    running.onDrainingInstance = true;
    const r = sim.step();
    assert.deepEqual(r.stop.map((s) => s.taskArn), [pending.taskArn], "running one stays until its replacement is healthy");
    assert.deepEqual(r.start, [{ deploymentId: sim.primary.id, count: 2 }], "one for the stopped pending task, one replacing the draining running one");
    assert.ok(sim.settle());
    assert.equal(running.lastStatus, "STOPPED");
    assert.equal(sim.running(), 3);
  });

  it("throttles launches after repeated start failures and says so", () => {
    const sim = new ServiceSim(1, cfg(100, 200));
    sim.badTaskDefs.add("td:1");
    for (let i = 0; i < 3; i++) {
      sim.step();
      sim.progress(1000);
    }
    const r = sim.step();
    assert.ok(r.events.includes("(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."));
    assert.equal(r.start.length, 0, "backing off");
    assert.ok(r.scheduler.nextStartAt! > sim.now);
    sim.now = r.scheduler.nextStartAt!;
    assert.equal(sim.step().start.length, 1, "tries again after the delay");
    // A new task definition resets the throttle.
    sim.badTaskDefs.clear();
    sim.progress(1000);
    sim.deploy("td:2");
    assert.equal(sim.step().start.length, 1);
  });

  it("a task stopping on its own before it ran keeps its slot until STOPPED, so the throttle sees its failure first", () => {
    const sim = new ServiceSim(1, cfg(100, 200));
    sim.badTaskDefs.add("td:1");
    for (let i = 0; i < 3; i++) {
      sim.step();
      sim.progress(1000);
    }
    assert.equal(sim.step().start.length, 0, "throttled after the third failure");
    const delay3 = sim.svc.scheduler.nextStartAt! - sim.now;
    sim.now = sim.svc.scheduler.nextStartAt!;
    assert.equal(sim.step().start.length, 1, "the fourth launch");
    // The agent gives up on the fourth (a failed pull): desired STOPPED at once, STOPPED a moment later.
    const fourth = sim.tasks.at(-1)!;
    Object.assign(fourth, { desiredStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: nope" });
    assert.equal(sim.step().start.length, 0, "no replacement while it is still stopping");
    Object.assign(fourth, { lastStatus: "STOPPED", stoppedAt: sim.now + 5 });
    sim.now += 5;
    const r = sim.step();
    assert.equal(r.start.length, 0, "its failure is counted and the next delay applies");
    assert.equal(r.scheduler.nextStartAt! - sim.now, 2 * delay3, "the delay doubles after the fourth failure");
  });

  it("circuit breaker without a COMPLETED deployment fails and stalls instead of rolling back", () => {
    const sim = new ServiceSim(4, cfg(100, 200, { enable: true, rollback: true }));
    sim.badTaskDefs.add("td:1");
    let tripped;
    for (let i = 0; i < 20 && !tripped; i++) {
      tripped = sim.step().circuitBreakerTripped;
      sim.progress(60_000);
    }
    assert.deepEqual(tripped, { deploymentId: sim.primary.id });
    assert.equal(sim.primary.rolloutState, "FAILED");
    assert.ok(sim.primary.failedTasks >= breakerThreshold(4));
    assert.equal(sim.step().start.length, 0);
  });

  it("threshold is clamp(ceil(0.5 × desired), 3, 200)", () => {
    assert.deepEqual([0, 1, 6, 7, 10, 399, 400, 1000].map(breakerThreshold), [3, 3, 3, 4, 5, 200, 200, 200]);
  });
});

describe("DAEMON reconciler", () => {
  const svc = (): ServiceState => ({
    serviceName: "agent",
    status: "ACTIVE",
    desiredCount: 0,
    deploymentConfiguration: cfg(0, 100),
    deployments: [
      { id: "ecs-svc/1", status: "PRIMARY", taskDefinition: "td:1", desiredCount: 0, pendingCount: 0, runningCount: 0, failedTasks: 0, rolloutState: "IN_PROGRESS", rolloutStateReason: "", createdAt: 0, updatedAt: 0 },
    ],
    scheduler: emptyMemory(),
  });
  const inst = (n: number, status = "ACTIVE", eligible = true): DaemonInstance => ({ containerInstanceArn: `ci/${n}`, status, eligible });
  const task = (n: number, on: number, dep = "ecs-svc/1", lastStatus = "RUNNING"): ObservedTask => ({
    taskArn: `task/c/${n}`, deploymentId: dep, lastStatus, desiredStatus: "RUNNING", createdAt: 0, startedAt: 0, containerInstanceArn: `ci/${on}`,
  });

  it("places one task on every eligible ACTIVE instance and nothing elsewhere", () => {
    const r = reconcileDaemon(svc(), [inst(1), inst(2), inst(3), inst(4, "DRAINING"), inst(5, "ACTIVE", false)], [], 100_000);
    assert.equal(r.desiredCount, 3);
    assert.deepEqual(r.start, [{ deploymentId: "ecs-svc/1", count: 3, containerInstanceArns: ["ci/1", "ci/2", "ci/3"] }]);
  });

  it("a new instance gets one; a draining one loses its task; duplicates are trimmed", () => {
    const tasks = [task(1, 1), task(2, 2), { ...task(3, 2), startedAt: 10 }, task(4, 3)];
    const r = reconcileDaemon(svc(), [inst(1), inst(2), inst(3, "DRAINING"), inst(4)], tasks, 100_000);
    assert.deepEqual(r.start[0]?.containerInstanceArns, ["ci/4"]);
    assert.deepEqual(r.stop.map((s) => s.taskArn).sort(), ["task/c/3", "task/c/4"]);
    assert.equal(r.desiredCount, 3);
  });

  it("a new deployment replaces instance by instance: stop the old task, then start the new one", () => {
    const s = svc();
    s.deployments = [{ ...s.deployments[0]!, id: "ecs-svc/2", taskDefinition: "td:2" }, { ...s.deployments[0]!, status: "ACTIVE" }];
    const r1 = reconcileDaemon(s, [inst(1)], [task(1, 1)], 100_000);
    assert.deepEqual(r1.stop.map((x) => x.taskArn), ["task/c/1"]);
    assert.equal(r1.start.length, 0);
    const gone = { ...task(1, 1), lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "ServiceSchedulerInitiated" };
    const r2 = reconcileDaemon({ ...s, deployments: r1.deployments, scheduler: r1.scheduler }, [inst(1)], [gone], 101_000);
    assert.deepEqual(r2.start[0]?.containerInstanceArns, ["ci/1"]);
    assert.equal(r2.deployments.length, 1, "the old deployment left");
  });
});
