import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addEvents, MAX_EVENTS, type DeploymentRecord, type ServiceDoc } from "../../src/records/service-doc.js";
import { DETAILED_TIMELINES, recordTimelines, renderServiceDeployment, syncHistory } from "../../src/records/service-history.js";
import { emptyTimeline, foldTimeline, MAX_TIMELINE_TASKS, summarizeTimeline, unionMs } from "../../src/core/service/timeline.js";
import type { DeploymentState, ObservedTask } from "../../src/core/service/types.js";
import { rolloutFloor } from "../../bench/service-floor.js";

const NEW = "ecs-svc/2000000000000000000";
const OLD = "ecs-svc/1000000000000000000";
const p = { healthyAfterMs: 40_000 };
const task = (arn: string, dep: string, extra: Partial<ObservedTask> = {}): ObservedTask => ({
  taskArn: arn,
  deploymentId: dep,
  lastStatus: "PENDING",
  desiredStatus: "RUNNING",
  createdAt: 1_000,
  ...extra,
});

describe("deployment timeline (pure)", () => {
  it("records each launched task's placement, pull, start and health, and the old tasks it stopped", () => {
    const ids = new Set([NEW]);
    // Pass 1 at t=1000: launches t1 (not yet observed), stops old o1.
    let tl = foldTimeline(emptyTimeline(), ids, [task("o1", OLD, { lastStatus: "RUNNING", startedAt: 0 })], {
      now: 1_000,
      launched: ["t1"],
      stops: [{ taskArn: "o1", deploymentId: OLD, cause: "replaced", reason: "x" }],
    }, p);
    assert.deepEqual(tl.tasks, [{ taskArn: "t1", requestedAt: 1_000, createdAt: 1_000 }]);
    assert.deepEqual(tl.stopped, [{ taskArn: "o1", deploymentId: OLD, cause: "replaced", stopRequestedAt: 1_000 }]);
    // Pass 2: t1 placed at 1003, pulled 1010→1050, RUNNING at 1300; o1 STOPPED at 1400.
    const t1 = task("t1", NEW, { createdAt: 1_003, pullStartedAt: 1_010, pullStoppedAt: 1_050, startedAt: 1_300, lastStatus: "RUNNING", containerInstanceArn: "ci/1" });
    tl = foldTimeline(tl, ids, [t1, task("o1", OLD, { lastStatus: "STOPPED", stoppedAt: 1_400, desiredStatus: "STOPPED" })], { now: 1_500 }, p);
    assert.deepEqual(tl.tasks[0], { taskArn: "t1", requestedAt: 1_000, createdAt: 1_003, containerInstanceArn: "ci/1", pullStartedAt: 1_010, pullStoppedAt: 1_050, startedAt: 1_300 });
    assert.equal(tl.stopped[0]!.stoppedAt, 1_400);
    // Healthy-after: exactly startedAt + 40 s, even when seen later.
    tl = foldTimeline(tl, ids, [t1], { now: 60_000 }, p);
    assert.equal(tl.tasks[0]!.healthyAt, 41_300);
    assert.equal(tl.tasks[0]!.healthBy, "HEALTHY_AFTER");
    // Nothing new: the same object back (no write needed).
    assert.equal(foldTimeline(tl, ids, [t1], { now: 61_000 }, p), tl);

    const sum = summarizeTimeline(tl, 70_000, { startedAt: 1_000, finishedAt: 41_300 });
    const by = Object.fromEntries(sum.phases.map((x) => [x.phase, x.wallMs]));
    assert.deepEqual(by, { placement: 10, pull: 40, start: 250, health: 40_000, draining: 400 });
    assert.equal(sum.costliest, "health");
    assert.equal(sum.totalMs, 40_300);
    assert.equal(sum.healthyTasks, 1);
  });

  it("takes a health check's HEALTHY when it is seen, counts failures, and keeps the last 100 tasks", () => {
    const ids = new Set([NEW]);
    const hc = task("h", NEW, { lastStatus: "RUNNING", startedAt: 2_000, hasHealthCheck: true, healthStatus: "UNKNOWN" });
    let tl = foldTimeline(emptyTimeline(), ids, [hc], { now: 2_500 }, p);
    assert.equal(tl.tasks[0]!.healthyAt, undefined);
    tl = foldTimeline(tl, ids, [{ ...hc, healthStatus: "HEALTHY" }], { now: 7_000 }, p);
    assert.equal(tl.tasks[0]!.healthyAt, 7_000);
    assert.equal(tl.tasks[0]!.healthBy, "HEALTH_CHECK");
    const failed = task("f", NEW, { lastStatus: "STOPPED", stoppedAt: 3_000, stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: x" });
    tl = foldTimeline(tl, ids, [failed], { now: 3_100 }, p);
    assert.equal(summarizeTimeline(tl, 8_000).failedTasks, 1);

    const many = Array.from({ length: 130 }, (_, i) => task(`m${String(i).padStart(3, "0")}`, NEW, { createdAt: 10_000 + i }));
    const big = foldTimeline(emptyTimeline(), ids, many, { now: 20_000 }, p);
    assert.equal(big.tasks.length, MAX_TIMELINE_TASKS);
    assert.equal(big.tasks[0]!.taskArn, "m030", "the most recent 100 are kept");
    assert.equal(big.droppedTasks, 30);
    // A finished deployment learns about its tasks but adds none.
    const closed = foldTimeline(emptyTimeline(), ids, [hc], { now: 1, addTasks: false }, p);
    assert.equal(closed.tasks.length, 0);
  });

  it("measures wall time as the union of intervals", () => {
    assert.equal(unionMs([[0, 10], [5, 20], [30, 40]]), 30);
    assert.equal(unionMs([]), 0);
  });
});

describe("service deployment records", () => {
  const dep = (id: string, extra: Partial<DeploymentState>): DeploymentState => ({
    id,
    status: "PRIMARY",
    taskDefinition: "td",
    desiredCount: 4,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: "",
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  });
  const rev = (id: string) => `arn:aws:ecs:us-east-1:000000000000:service-revision/c/web/${id.slice(8)}`;
  const record: DeploymentRecord = {
    deploymentId: NEW,
    serviceDeploymentArn: "arn:aws:ecs:us-east-1:000000000000:service-deployment/c/web/2000000000000000000",
    targetRevisionArn: rev(NEW),
    taskDefinition: "td",
    sourceRevisionArns: [rev(OLD)],
    status: "PENDING",
    createdAt: 0,
    updatedAt: 0,
    deploymentConfiguration: {},
    desiredCount: 4,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
  };

  it("follows SCALE_UP → CLEAN_UP with source revision counts, then SUCCESSFUL", () => {
    const oldDep = dep(OLD, { status: "ACTIVE", desiredCount: 4, runningCount: 4, rolloutState: "COMPLETED" });
    let h = syncHistory([record], { deployments: [dep(NEW, { pendingCount: 4 }), oldDep], dropped: [] }, undefined, 4, 10);
    assert.equal(h[0]!.status, "IN_PROGRESS");
    assert.equal(h[0]!.lifecycleStage, "SCALE_UP");
    assert.deepEqual(h[0]!.sourceCounts?.[rev(OLD)], { requested: 4, running: 4, pending: 0 });
    h = syncHistory(h, { deployments: [dep(NEW, { runningCount: 4 }), { ...oldDep, desiredCount: 2, runningCount: 2 }], dropped: [] }, undefined, 4, 20);
    assert.equal(h[0]!.lifecycleStage, "CLEAN_UP");
    h = syncHistory(h, { deployments: [dep(NEW, { runningCount: 4, rolloutState: "COMPLETED", finishedAt: 30 })], dropped: [{ ...oldDep, desiredCount: 0, runningCount: 0 }] }, undefined, 4, 30);
    assert.equal(h[0]!.status, "SUCCESSFUL");
    const doc = { serviceArn: "s", clusterArn: "c" } as ServiceDoc;
    const sd = renderServiceDeployment(doc, h[0]!);
    assert.equal(sd.lifecycleStage, "CLEAN_UP");
    assert.deepEqual(sd.sourceServiceRevisions, [{ arn: rev(OLD), requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 }]);
    assert.deepEqual(sd.targetServiceRevision, { arn: rev(NEW), requestedTaskCount: 4, runningTaskCount: 4, pendingTaskCount: 0 });
    assert.deepEqual(sd.alarms, { status: "DISABLED" });
    const withAlarms = renderServiceDeployment(doc, { ...h[0]!, deploymentConfiguration: { alarms: { enable: true, rollback: false, alarmNames: ["cpu"] } } });
    assert.deepEqual(withAlarms.alarms, { status: "MONITORING_COMPLETE", alarmNames: ["cpu"], triggeredAlarmNames: [] });
  });

  it("a rolled-back record follows the rollback deployment's tasks and owns its stops", () => {
    const RB = "ecs-svc/3000000000000000000";
    const failed: DeploymentRecord = { ...record, status: "ROLLBACK_IN_PROGRESS", rollback: { reason: "r", startedAt: 5, serviceRevisionArn: rev(OLD), deploymentId: RB } };
    const out = recordTimelines([failed], {
      observed: [task("bad", NEW, { lastStatus: "STOPPED", stoppedAt: 4 }), task("rb1", RB, { createdAt: 6 })],
      launched: new Map([[RB, ["rb2"]]]),
      stops: [{ taskArn: "bad2", deploymentId: NEW, cause: "replaced", reason: "x" }],
      primaryId: RB,
      now: 7,
      healthyAfterMs: 50,
    });
    assert.deepEqual(out[0]!.timeline!.tasks.map((t) => t.taskArn).sort(), ["bad", "rb1", "rb2"]);
    assert.deepEqual(out[0]!.timeline!.stopped.map((t) => t.taskArn), ["bad2"]);
  });

  it("keeps per-task timelines on the newest records only", () => {
    const records = Array.from({ length: DETAILED_TIMELINES + 2 }, (_, i) => ({
      ...record,
      deploymentId: `ecs-svc/${i}`,
      status: "SUCCESSFUL",
      startedAt: 0,
      finishedAt: 100,
      timeline: { tasks: [{ taskArn: `t${i}`, createdAt: 0, startedAt: 10, healthyAt: 60 }], stopped: [] },
    }));
    const out = recordTimelines(records, { observed: [], launched: new Map(), stops: [], now: 1_000, healthyAfterMs: 50 });
    assert.ok(out.slice(0, DETAILED_TIMELINES).every((r) => r.timeline && !r.timelineSummary));
    for (const r of out.slice(DETAILED_TIMELINES)) {
      assert.equal(r.timeline, undefined);
      assert.equal(r.timelineSummary?.costliest, "health");
      assert.equal(r.timelineSummary?.totalMs, 100);
    }
  });
});

describe("service events", () => {
  it("are newest first and bounded", () => {
    let doc = { events: [] } as unknown as ServiceDoc;
    for (let i = 0; i < 60; i++) doc = { ...doc, events: addEvents(doc, [`a${i}`, `b${i}`, `c${i}`], 1_000 * i) };
    assert.equal(doc.events.length, MAX_EVENTS);
    assert.equal(doc.events[0]!.message, "c59", "the newest, last of its batch, first");
    assert.equal(doc.events[1]!.message, "b59");
    const times = doc.events.map((e) => e.createdAt);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });
});

describe("rolling deployment floor (bench/service-floor.ts)", () => {
  const base = { desired: 20, healthyAfterMs: 2_000 };
  it("one wave when maximumPercent leaves room: max(S_max + H, S_(D−minH) + H + T)", () => {
    const startMs = Array.from({ length: 20 }, (_, i) => 1_000 + 100 * i); // 1.0 … 2.9 s
    const r = rolloutFloor({ ...base, minimumHealthyPercent: 50, maximumPercent: 200, startMs, stopMs: [500] });
    assert.deepEqual(r.waves, [{ atMs: 0, count: 20 }]);
    // the 10th new task is healthy at 1.9 + 2 = 3.9 s, the last old one stopped 0.5 s later;
    // the slowest new one is healthy at 2.9 + 2 = 4.9 s.
    assert.equal(r.floorMs, 4_900);
    const slowStop = rolloutFloor({ ...base, minimumHealthyPercent: 50, maximumPercent: 200, startMs, stopMs: [1_500] });
    assert.equal(slowStop.floorMs, 5_400);
  });
  it("waves when maximumPercent is tight: W = ceil(D / (floor(D·max%) − ceil(D·min%)))", () => {
    const r = rolloutFloor({ ...base, minimumHealthyPercent: 100, maximumPercent: 150, startMs: [1_000], stopMs: [500] });
    assert.deepEqual(r.waves.map((w) => w.count), [10, 10]);
    // wave 1: healthy at 3 s, old stop → slots at 3.5 s; wave 2 healthy at 6.5 s, last old gone 7 s.
    assert.equal(r.floorMs, 7_000);
  });
});
