import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isHealthy, isUnhealthy } from "../../src/core/service/health.js";
import { reconcileService } from "../../src/core/service/reconcile.js";
import { planTargets, targetsToDrain } from "../../src/core/service/targets.js";
import { emptyMemory, type ObservedTask, type ServiceState, type TaskTargetView } from "../../src/core/service/types.js";

const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef";
const TG2 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api/fedcba9876543210";
const DEP = "ecs-svc/1111111111111111111";
const T0 = 1_000_000;

const target = (id: string, over: Partial<TaskTargetView> = {}): TaskTargetView => ({
  targetGroupArn: TG,
  id,
  port: 5000,
  containerName: "web",
  containerPort: 5000,
  membership: "registered",
  state: "healthy",
  since: T0 + 1000,
  ...over,
});

const task = (n: number, over: Partial<ObservedTask> = {}): ObservedTask => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${String(n).padStart(32, "0")}`,
  deploymentId: DEP,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  createdAt: T0 - 5000,
  startedAt: T0,
  loadBalanced: true,
  targets: [target(`10.0.0.${n}`)],
  ...over,
});

const service = (desired: number): ServiceState => ({
  serviceName: "web",
  status: "ACTIVE",
  desiredCount: desired,
  deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: false } },
  deployments: [
    {
      id: DEP, status: "PRIMARY", taskDefinition: "td:1", desiredCount: desired, pendingCount: 0, runningCount: desired, failedTasks: 0,
      rolloutState: "IN_PROGRESS", rolloutStateReason: "", createdAt: T0 - 10_000, updatedAt: T0 - 10_000,
    },
  ],
  scheduler: emptyMemory(),
});

describe("targets follow tasks (planTargets)", () => {
  it("registers a RUNNING task's absent targets, in every group, with ECS's event per group", () => {
    const t = task(1, { targets: [target("10.0.0.1", { membership: "absent" }), target("10.0.0.1", { membership: "absent", targetGroupArn: TG2 })] });
    const plan = planTargets("web", [t, task(2, { lastStatus: "PENDING", targets: [] })]);
    assert.deepEqual(plan.register.map((r) => [r.targetGroupArn, r.id, r.port]), [[TG, "10.0.0.1", 5000], [TG2, "10.0.0.1", 5000]]);
    assert.deepEqual(plan.events, [`(service web) registered 1 targets in (target-group ${TG})`, `(service web) registered 1 targets in (target-group ${TG2})`]);
    assert.deepEqual(plan.deregister, []);
  });

  it("deregisters a task that stopped on its own, unless a live task now holds the same address", () => {
    const dead = task(1, { lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    assert.deepEqual(planTargets("web", [dead]).deregister.map((d) => d.id), ["10.0.0.1"]);
    assert.deepEqual(planTargets("web", [dead]).events, [`(service web) deregistered 1 targets in (target-group ${TG})`]);
    const heir = task(2, { targets: [target("10.0.0.1")] });
    assert.deepEqual(planTargets("web", [dead, heir]).deregister, [], "the address went to a running task: its target stays");
  });

  it("releases a DEACTIVATING task once its targets are gone, not while one drains", () => {
    const draining = task(1, { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING", holdRunning: true, targets: [target("10.0.0.1", { membership: "draining" })] });
    assert.deepEqual(planTargets("web", [draining]).release, []);
    const drained = { ...draining, targets: [target("10.0.0.1", { membership: "absent" })] };
    assert.deepEqual(planTargets("web", [drained]).release, [draining.taskArn]);
    assert.deepEqual(planTargets("web", [drained]).register, [], "a task on its way out is not registered again");
  });

  it("drains only registered targets before a stop", () => {
    const t = task(1, { targets: [target("10.0.0.1"), target("10.0.0.1", { targetGroupArn: TG2, membership: "absent" })] });
    assert.deepEqual(targetsToDrain(t).map((x) => x.targetGroupArn), [TG]);
  });
});

describe("health behind load balancers", () => {
  const p = { healthyAfterMs: 40_000, healthCheckGraceMs: 0 };
  it("is healthy when every target is healthy, not after 40 s of RUNNING", () => {
    assert.equal(isHealthy(task(1), T0 + 2000, p), true, "no 40 s wait: the load balancer's verdict counts");
    assert.equal(isHealthy(task(1, { targets: [target("10.0.0.1", { state: "initial" })] }), T0 + 60_000, p), false);
    assert.equal(isHealthy(task(1, { targets: [] }), T0 + 60_000, p), false, "no target yet: not healthy");
    assert.equal(isHealthy(task(1, { targets: [target("10.0.0.1"), target("10.0.0.1", { targetGroupArn: TG2, state: "unhealthy" })] }), T0 + 60_000, p), false, "all targets must be healthy");
    assert.equal(isHealthy(task(1, { hasHealthCheck: true, healthStatus: "UNKNOWN" }), T0 + 60_000, p), false, "and the container health check, if any");
  });

  it("an unhealthy target makes the task unhealthy only after healthCheckGracePeriodSeconds", () => {
    const sick = task(1, { targets: [target("10.0.0.1", { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [503]" })] });
    assert.equal(isUnhealthy(sick, T0 + 5000, { healthCheckGraceMs: 30_000 }), false, "within the grace period");
    assert.equal(isUnhealthy(sick, T0 + 31_000, { healthCheckGraceMs: 30_000 }), true);
    assert.equal(isUnhealthy(task(1, { targets: [target("10.0.0.1", { state: "initial" })] }), T0 + 31_000, { healthCheckGraceMs: 0 }), false);
  });
});

describe("the REPLICA scheduler with load balancer health", () => {
  const params = { healthyAfterMs: 40_000, healthCheckGraceMs: 0 };
  it("completes a deployment only when the tasks' targets are healthy", () => {
    const waiting = reconcileService(service(2), [task(1, { targets: [target("10.0.0.1", { state: "initial" })] }), task(2)], T0 + 60_000, params);
    assert.equal(waiting.steady, false);
    assert.equal(waiting.deployments[0]!.rolloutState, "IN_PROGRESS");
    const done = reconcileService(service(2), [task(1), task(2)], T0 + 2000, params);
    assert.equal(done.deployments[0]!.rolloutState, "COMPLETED");
  });

  it("replaces a task whose target is unhealthy: the replacement first, then the stop with ECS's reason and event; the breaker counts it", () => {
    const sick = task(1, { targets: [target("10.0.0.1", { state: "unhealthy", description: "Health checks failed with these codes: [503]" })] });
    const first = reconcileService(service(2), [sick, task(2)], T0 + 10_000, params);
    assert.deepEqual(first.start, [{ deploymentId: DEP, count: 1 }], "a replacement starts while the sick task still runs");
    assert.deepEqual(first.stop, []);
    const replacement = task(3, { createdAt: T0 + 10_000, startedAt: T0 + 11_000, targets: [target("10.0.0.3", { since: T0 + 12_000 })] });
    const second = reconcileService(service(2), [sick, task(2), replacement], T0 + 13_000, params);
    assert.deepEqual(second.stop.map((s) => [s.taskArn, s.cause, s.reason]), [[sick.taskArn, "unhealthy", `Task failed ELB health checks in (target-group ${TG})`]]);
    assert.ok(
      second.events.includes(`(service web) (port 5000) is unhealthy in (target-group ${TG}) due to (reason Health checks failed with these codes: [503]).`),
      second.events.join("\n"),
    );
    assert.equal(second.deployments[0]!.failedTasks, 1);
    assert.equal(second.deployments[0]!.breakerFailures, 1, "the circuit breaker counts load balancer failures");
  });

  it("names the instance for an instance target", () => {
    const sick = task(1, { targets: [target("i-0123456789abcdef0", { port: 32768, state: "unhealthy", description: "Request timed out" })] });
    const r = reconcileService(service(1), [sick], T0 + 10_000, { ...params });
    const again = reconcileService(service(1), [sick, task(2, { targets: [target("i-0123456789abcdef0", { port: 32769 })] })], T0 + 10_000, params);
    assert.deepEqual(r.start.length, 1);
    assert.ok(again.events.includes(`(service web) (instance i-0123456789abcdef0) (port 32768) is unhealthy in (target-group ${TG}) due to (reason Request timed out).`), again.events.join("\n"));
  });
});
