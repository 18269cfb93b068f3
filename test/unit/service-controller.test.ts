import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCluster } from "../../src/api/ecs/clusters.js";
import type { EcsDeps } from "../../src/api/ecs/deps.js";
import { keyedLock } from "../../src/store/keyed-lock.js";
import { listServiceDeployments } from "../../src/api/ecs/service-deployments.js";
import type { ServiceDoc } from "../../src/records/service-doc.js";
import { createService, deleteService, describeServices, updateService } from "../../src/api/ecs/services.js";
import { registerTaskDefinition } from "../../src/api/ecs/task-definitions.js";
import { ServiceController } from "../../src/controllers/service-controller.js";
import type { ServiceTaskPort, StartOutcome } from "../../src/records/service-tasks.js";
import { WorkQueue } from "../../src/controllers/work-queue.js";
import type { DeploymentState, ObservedTask } from "../../src/core/service/types.js";
import type { RequestContext } from "../../src/edge/service.js";
import { SqliteStore } from "../../src/store/sqlite.js";

/** An in-memory task layer behind the controller's port: tasks start PENDING, a test moves them on. */
class FakeTasks implements ServiceTaskPort {
  tasks: ObservedTask[] = [];
  calls: string[] = [];
  capacity = Infinity;
  seq = 0;
  constructor(private readonly clock: { t: number }) {}
  async listServiceTasks(_s: ServiceDoc) {
    return this.tasks.map((t) => ({ ...t }));
  }
  async startTasks(s: ServiceDoc, d: DeploymentState, count: number): Promise<StartOutcome> {
    this.calls.push(`start ${s.serviceName} ${d.id} ${count}`);
    const live = this.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
    const n = Math.max(0, Math.min(count, this.capacity - live));
    const started: string[] = [];
    for (let i = 0; i < n; i++) {
      const arn = `arn:aws:ecs:us-east-1:000000000000:task/c/${(++this.seq).toString(16).padStart(32, "0")}`;
      this.tasks.push({ taskArn: arn, deploymentId: d.id, lastStatus: "PENDING", desiredStatus: "RUNNING", createdAt: this.clock.t });
      started.push(arn);
    }
    const failures = Array.from({ length: count - n }, () => ({ reason: "RESOURCE:MEMORY", detail: "The closest matching (container-instance abc) has insufficient memory available." }));
    return { started, failures };
  }
  async stopTask(_s: ServiceDoc, arn: string, reason: string) {
    this.calls.push(`stop ${arn.slice(-4)}`);
    const t = this.tasks.find((x) => x.taskArn === arn)!;
    Object.assign(t, { desiredStatus: "STOPPED", lastStatus: "STOPPED", stoppedAt: this.clock.t, stopCode: "ServiceSchedulerInitiated", stoppedReason: reason });
  }
  runAll() {
    for (const t of this.tasks) if (t.lastStatus === "PENDING") Object.assign(t, { lastStatus: "RUNNING", startedAt: this.clock.t });
  }
}

describe("service controller over a fake task layer", () => {
  const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
  let dir: string;
  let deps: EcsDeps;
  let port: FakeTasks;
  let ctl: ServiceController;
  const ctx: RequestContext = {
    principal: { region: "us-east-1", accountId: "000000000000" },
    requestId: "r",
    accessKeyId: "AKID",
    callerArn: "arn:aws:iam::000000000000:root",
  };
  const arn = "arn:aws:ecs:us-east-1:000000000000:service/c/web";
  const describe1 = async () => (await describeServices(deps, { cluster: "c", services: ["web"] }, ctx)).services[0]!;
  /** Reconcile, let tasks run, advance the clock, until the service is stable. */
  const settle = async (steps = 20) => {
    for (let i = 0; i < steps; i++) {
      await ctl.reconcile(arn);
      const s = await describe1();
      if (s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0]!.rolloutState === "COMPLETED") return s;
      port.runAll();
      clock.t += 15_000;
    }
    throw new Error("did not settle");
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wharf-svc-ctl-"));
    deps = { store: new SqliteStore(join(dir, "w.db")), clock: { now: () => clock.t }, lock: keyedLock() };
    port = new FakeTasks(clock);
    ctl = new ServiceController(deps, port);
    await createCluster(deps, { clusterName: "c" }, ctx);
    for (const image of ["nginx:1", "nginx:2"]) {
      await registerTaskDefinition(deps, { family: "web", containerDefinitions: [{ name: "web", image, memory: 64 }] }, ctx);
    }
  });
  after(async () => {
    await ctl.stop();
    await deps.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("launches desiredCount tasks, reaches steady state, and says so", async () => {
    await createService(deps, { cluster: "c", serviceName: "web", taskDefinition: "web:1", desiredCount: 3 }, ctx);
    await ctl.reconcile(arn);
    let s = await describe1();
    assert.equal(s.pendingCount, 3);
    assert.match(s.events![0]!.message!, /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/);
    s = await settle();
    assert.equal(s.runningCount, 3);
    assert.equal(s.events![0]!.message, "(service web) has reached a steady state.");
    assert.match(s.events![1]!.message!, /deployment ecs-svc\/\d{19}\) deployment completed\.$/);
  });

  it("replaces a task that died", async () => {
    port.tasks.find((t) => t.lastStatus === "RUNNING")!.lastStatus = "STOPPED";
    await ctl.reconcile(arn);
    const s = await describe1();
    assert.equal(s.runningCount, 2);
    assert.equal(s.pendingCount, 1);
    assert.match(s.events![0]!.message!, /has started 1 tasks/);
    await settle();
  });

  it("rolls a new revision out and records the service deployments", async () => {
    const before = (await describe1()).deployments![0]!.id;
    await updateService(deps, { cluster: "c", service: "web", taskDefinition: "web:2", deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 } }, ctx);
    const mid = await describe1();
    assert.equal(mid.deployments?.length, 2);
    assert.equal(mid.deployments![1]!.id, before);
    assert.equal(mid.deployments![1]!.status, "ACTIVE");
    const s = await settle();
    assert.match(s.taskDefinition!, /task-definition\/web:2$/);
    assert.notEqual(s.deployments![0]!.id, before);
    const list = await listServiceDeployments(deps, { cluster: "c", service: "web" }, ctx);
    assert.deepEqual(list.serviceDeployments.map((d) => d.status), ["SUCCESSFUL", "SUCCESSFUL"]);
    assert.ok(port.calls.some((c) => c.startsWith("stop")));
  });

  it("reports placement failures with ECS's text, once", async () => {
    port.capacity = port.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
    await updateService(deps, { cluster: "c", service: "web", desiredCount: 4 }, ctx);
    await ctl.reconcile(arn);
    await ctl.reconcile(arn);
    const s = await describe1();
    const unable = s.events!.filter((e) => e.message!.includes("was unable to place a task"));
    assert.equal(unable.length, 1);
    assert.equal(
      unable[0]!.message,
      "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance abc) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    );
    assert.equal(s.pendingCount, 0);
    port.capacity = Infinity;
    await settle();
  });

  it("DeleteService with force drains the service, then it goes INACTIVE", async () => {
    // DeleteService looks at the stored tasks (group service:NAME) to decide DRAINING vs INACTIVE.
    const mirror = () =>
      deps.store.write(
        port.tasks.map((t) => ({
          op: "put" as const, kind: "task" as const, id: t.taskArn, scope: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
          value: { group: "service:web", lastStatus: t.lastStatus, desiredStatus: t.desiredStatus, launchType: "EC2" },
        })),
      );
    await mirror();
    const out = await deleteService(deps, { cluster: "c", service: "web", force: true }, ctx);
    assert.equal(out.service.status, "DRAINING");
    await ctl.reconcile(arn);
    assert.equal(port.tasks.filter((t) => t.lastStatus !== "STOPPED").length, 0);
    assert.equal((await describe1()).status, "DRAINING");
    await ctl.reconcile(arn);
    assert.equal((await describe1()).status, "INACTIVE");
  });
});

describe("work queue", () => {
  it("runs a key once for many adds, once more if added while running", async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue(async () => {
      runs++;
      if (runs === 1) await gate;
    });
    for (let i = 0; i < 5; i++) q.add("a");
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) q.add("a");
    release();
    await q.drained();
    await new Promise((r) => setImmediate(r));
    await q.drained();
    assert.equal(runs, 2);
    await q.stop();
  });

  it("retries failures with backoff and honours requeue-after", async (t) => {
    // The queue's timers and Date.now on node's mock clock: each step is exact, nothing sleeps.
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    const turn = () => new Promise((r) => setImmediate(r));
    const seen: number[] = [];
    const q = new WorkQueue(
      async () => {
        seen.push(Date.now());
        if (seen.length < 3) throw new Error("boom");
        if (seen.length === 3) return { requeueAfterMs: 30 };
      },
      { backoffBaseMs: 10, onError: () => undefined },
    );
    q.add("k");
    await turn();
    assert.deepEqual(seen, [0], "runs at once");
    const step = async (ms: number) => {
      t.mock.timers.tick(ms);
      await turn();
      return [...seen];
    };
    assert.deepEqual(await step(9), [0], "not before the 10 ms backoff");
    assert.deepEqual(await step(1), [0, 10], "retried after 10 ms");
    assert.deepEqual(await step(19), [0, 10], "not before the 20 ms backoff");
    assert.deepEqual(await step(1), [0, 10, 30], "retried after 20 ms");
    assert.deepEqual(await step(29), [0, 10, 30], "not before the requeue-after 30 ms");
    assert.deepEqual(await step(1), [0, 10, 30, 60], "requeued after 30 ms");
    assert.deepEqual(await step(60_000), [0, 10, 30, 60], "a success without requeue-after ends it");
    await q.stop();
  });
});
