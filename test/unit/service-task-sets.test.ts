import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computedDesiredCount, reconcileTaskSets, type TaskSetState } from "../../src/core/service/task-sets.js";
import { emptyMemory, type ObservedTask, type SchedulerMemory } from "../../src/core/service/types.js";

/** A small world of task sets and their tasks: `step` runs the reconciler and applies its answer. */
class World {
  now = 1_000_000;
  tasks: ObservedTask[] = [];
  sets: TaskSetState[] = [];
  mem: SchedulerMemory = emptyMemory();
  status = "ACTIVE";
  #n = 0;
  constructor(public desired: number) {}

  add(id: string, value: number, status: TaskSetState["status"] = "ACTIVE"): TaskSetState {
    const ts: TaskSetState = {
      id, taskSetArn: `arn:aws:ecs:us-east-1:000000000000:task-set/c/s/${id}`, status, taskDefinition: `td:${id}`,
      scale: { unit: "PERCENT", value }, computedDesiredCount: 0, pendingCount: 0, runningCount: 0,
      stabilityStatus: "STABILIZING", stabilityStatusAt: this.now, createdAt: this.now, updatedAt: this.now, loadBalancers: [], serviceRegistries: [],
    };
    this.sets.push(ts);
    return ts;
  }
  set(id: string, change: Partial<TaskSetState>) {
    this.sets = this.sets.map((t) => (t.id === id ? { ...t, ...change } : t));
  }
  step() {
    const r = reconcileTaskSets({ serviceName: "web", status: this.status, desiredCount: this.desired, taskSets: this.sets, scheduler: this.mem }, this.tasks, this.now);
    for (const s of r.start) {
      for (let i = 0; i < s.count; i++) {
        this.tasks.push({ taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/t${++this.#n}`, deploymentId: s.deploymentId, lastStatus: "PENDING", desiredStatus: "RUNNING", createdAt: this.now });
      }
    }
    for (const s of r.stop) {
      const t = this.tasks.find((x) => x.taskArn === s.taskArn)!;
      t.desiredStatus = "STOPPED";
    }
    this.sets = r.taskSets;
    this.mem = r.scheduler;
    return r;
  }
  /** Every PENDING task runs, every stopping one stops, and time passes beyond the 40 s health rule. */
  progress() {
    this.now += 1000;
    for (const t of this.tasks) {
      if (t.desiredStatus === "STOPPED") {
        t.lastStatus = "STOPPED";
        t.stoppedAt = this.now;
      } else if (t.lastStatus === "PENDING") {
        t.lastStatus = "RUNNING";
        t.startedAt = this.now;
      }
    }
    this.now += 41_000;
  }
  live(id: string) {
    return this.tasks.filter((t) => t.deploymentId === id && t.lastStatus !== "STOPPED" && t.desiredStatus !== "STOPPED").length;
  }
  settle() {
    for (let i = 0; i < 10; i++) {
      const r = this.step();
      if (r.steady) return r;
      this.progress();
    }
    throw new Error("did not settle");
  }
}

describe("task sets (EXTERNAL controller), pure reconciler", () => {
  it("computedDesiredCount is desired × percent rounded up, 0 when DRAINING", () => {
    const at = (d: number, v: number, status: TaskSetState["status"] = "ACTIVE") => computedDesiredCount(d, { status, scale: { unit: "PERCENT", value: v } });
    assert.equal(at(4, 100), 4);
    assert.equal(at(4, 10), 1, "0.4 rounds up to 1");
    assert.equal(at(4, 30), 2, "1.2 rounds up to 2");
    assert.equal(at(3, 33.333333333), 1, "float noise does not round 1 up to 2");
    assert.equal(at(4, 0), 0);
    assert.equal(at(4, 100, "DRAINING"), 0);
  });

  it("each task set converges on its own count; stability follows", () => {
    const w = new World(4);
    w.add("ecs-svc/1", 100, "PRIMARY");
    w.add("ecs-svc/2", 50);
    const first = w.step();
    assert.deepEqual(first.start, [{ deploymentId: "ecs-svc/1", count: 4 }, { deploymentId: "ecs-svc/2", count: 2 }]);
    assert.deepEqual(first.taskSets.map((t) => [t.computedDesiredCount, t.pendingCount, t.stabilityStatus]), [[4, 4, "STABILIZING"], [2, 2, "STABILIZING"]]);
    w.progress();
    const r = w.settle();
    assert.deepEqual(r.taskSets.map((t) => [t.runningCount, t.pendingCount, t.stabilityStatus]), [[4, 0, "STEADY_STATE"], [2, 0, "STEADY_STATE"]]);
    assert.deepEqual(r.events, ["(service web) has reached a steady state."]);
    assert.deepEqual(w.step().events, [], "the steady-state event is written on its edge");
  });

  it("scaling a task set down stops its surplus only; scaling to 0 and deleting drains it away", () => {
    const w = new World(4);
    w.add("ecs-svc/1", 100, "PRIMARY");
    w.add("ecs-svc/2", 100);
    w.settle();
    w.set("ecs-svc/1", { scale: { unit: "PERCENT", value: 25 } });
    const r = w.step();
    assert.equal(r.stop.length, 3);
    assert.ok(r.stop.every((s) => w.tasks.find((t) => t.taskArn === s.taskArn)!.deploymentId === "ecs-svc/1"));
    assert.equal(r.stop[0]!.reason, "Scaling activity initiated by (deployment ecs-svc/1)");
    assert.equal(w.live("ecs-svc/2"), 4, "the other task set is untouched");
    w.progress();
    w.settle();
    w.set("ecs-svc/1", { status: "DRAINING" });
    const drain = w.step();
    assert.equal(drain.stop.length, 1);
    assert.equal(drain.taskSets.length, 2, "kept while its task still runs");
    w.progress();
    const gone = w.step();
    assert.deepEqual(gone.taskSets.map((t) => t.id), ["ecs-svc/2"]);
    assert.deepEqual(gone.dropped.map((t) => t.id), ["ecs-svc/1"]);
  });

  it("tasks of no task set are stopped; a DRAINING service wants none", () => {
    const w = new World(2);
    w.add("ecs-svc/1", 100);
    w.settle();
    w.sets = [];
    w.add("ecs-svc/9", 100);
    const r = w.step();
    assert.equal(r.stop.length, 2);
    assert.deepEqual(r.start, [{ deploymentId: "ecs-svc/9", count: 2 }]);
    w.progress();
    w.settle();
    w.status = "DRAINING";
    assert.equal(w.step().stop.length, 2);
  });

  it("an unhealthy task is replaced first, then stopped", () => {
    const w = new World(2);
    w.add("ecs-svc/1", 100);
    w.settle();
    const sick = w.tasks.find((t) => t.lastStatus === "RUNNING")!;
    sick.healthStatus = "UNHEALTHY";
    sick.hasHealthCheck = true;
    const r = w.step();
    assert.deepEqual(r.start, [{ deploymentId: "ecs-svc/1", count: 1 }]);
    assert.equal(r.stop.length, 0, "kept until its replacement is healthy");
    w.progress();
    const next = w.step();
    assert.deepEqual(next.stop.map((s) => s.taskArn), [sick.taskArn]);
    assert.equal(next.stop[0]!.cause, "unhealthy");
  });
});
