import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { SLEEPER, serviceWorld, stableAt, until, type ServiceWorld } from "./helpers/service-world.js";

/**
 * Draining a container instance under REPLICA services, on real agents and Docker (ECS:
 * container-instance-draining.html): PENDING service tasks there stop at once, RUNNING ones
 * are replaced elsewhere within minimumHealthyPercent / maximumPercent, standalone tasks are
 * left alone, nothing new is placed there; ACTIVE again reopens it.
 */
describe("REPLICA services and a DRAINING instance (real Docker)", () => {
  let w: ServiceWorld;
  after(async () => w?.close());

  it("stops PENDING service tasks at once, replaces RUNNING ones within min/max, spares standalone tasks, reopens on ACTIVE", async (tc) => {
    // Tasks without health checks count as healthy after 1 s here (ECS: 40 s).
    w = await serviceWorld({ serviceParams: { healthyAfterMs: 1_000 } });
    const { h, cluster } = w;
    const a = await w.agent();
    const web = await w.register("drain-web", SLEEPER);
    // A task that stays PENDING: its essential container waits for a sidecar whose health
    // check cannot pass for minutes (first check after 300 s).
    const slowTd = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "drain-slow",
        containerDefinitions: [
          {
            name: "gate",
            image: "wharf-test/busybox:latest",
            command: SLEEPER,
            essential: false,
            memory: 16,
            stopTimeout: 2,
            healthCheck: { command: ["CMD-SHELL", "sleep 600"], interval: 300, timeout: 60, retries: 10 },
          },
          {
            name: "app",
            image: "wharf-test/busybox:latest",
            command: SLEEPER,
            memory: 16,
            stopTimeout: 2,
            dependsOn: [{ containerName: "gate", condition: "HEALTHY" }],
          },
        ],
      }),
    );
    await h.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: web, desiredCount: 4 }));
    await h.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "slow", taskDefinition: slowTd.taskDefinition!.taskDefinitionArn!, desiredCount: 1 }),
    );
    const standalone = (await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: web }))).tasks![0]!.taskArn!;
    await until("web stable on the first instance", async () => stableAt(await w.service("web"), 4));
    const pendingSlow = await until("the slow task PENDING on the agent", async () =>
      (await w.tasks("slow")).find((x) => x.lastStatus === "PENDING" && x.pullStartedAt !== undefined),
    );
    const before = await w.tasks();
    assert.ok(before.every((t) => t.containerInstanceArn === a.containerInstanceArn), "everything started on the only instance");
    const oldWeb = new Set(before.filter((t) => t.group === "service:web").map((t) => t.taskArn!));

    const b = await w.agent();
    const drainAt = Date.now();
    const drained = await h.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [a.containerInstanceArn], status: "DRAINING" }),
    );
    assert.equal(drained.containerInstances?.[0]?.status, "DRAINING");

    // Watch the hand-over: min 100 % / max 200 % of 4 → never fewer than 4 web tasks RUNNING,
    // never more than 8 not yet STOPPED; nothing new on the draining instance.
    let samples = 0;
    let slowStoppedAt: number | undefined;
    const final = await until("web moved to the second instance", async () => {
      const all = await w.tasks();
      samples++;
      const webTasks = all.filter((t) => t.group === "service:web");
      const running = webTasks.filter((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING").length;
      const occupying = webTasks.filter((t) => t.lastStatus !== "STOPPED").length;
      assert.ok(running >= 4, `only ${running} web tasks RUNNING (sample ${samples})`);
      assert.ok(occupying <= 8, `${occupying} web tasks not STOPPED (sample ${samples})`);
      const placedThere = all.filter((t) => t.containerInstanceArn === a.containerInstanceArn && (t.createdAt?.getTime() ?? 0) >= drainAt - 50);
      assert.deepEqual(placedThere.map((t) => t.taskArn), [], "nothing new is placed on a DRAINING instance");
      const slow = all.find((t) => t.taskArn === pendingSlow.taskArn)!;
      if (slow.lastStatus === "STOPPED") slowStoppedAt ??= Date.now();
      const done =
        webTasks.filter((t) => t.lastStatus === "RUNNING" && t.containerInstanceArn === b.containerInstanceArn && !oldWeb.has(t.taskArn!)).length === 4 &&
        webTasks.filter((t) => oldWeb.has(t.taskArn!)).every((t) => t.lastStatus === "STOPPED");
      return done ? all : undefined;
    }, 60_000);

    // The PENDING service task was stopped by the scheduler, at once.
    const slow = final.find((t) => t.taskArn === pendingSlow.taskArn)!;
    assert.equal(slow.lastStatus, "STOPPED");
    assert.equal(slow.stopCode, "ServiceSchedulerInitiated");
    // Its gate never turns healthy (a 600 s health check), so only the drain could stop it.
    assert.ok(slow.stoppingAt && slow.stoppingAt.getTime() >= drainAt - 50, "asked to stop after the drain");
    tc.diagnostic(`PENDING task asked to stop ${slow.stoppingAt.getTime() - drainAt} ms after the drain`);
    assert.ok(slowStoppedAt !== undefined);
    const slowNow = final.filter((t) => t.group === "service:slow" && t.lastStatus !== "STOPPED");
    assert.equal(slowNow.length, 1);
    assert.equal(slowNow[0]!.containerInstanceArn, b.containerInstanceArn, "its replacement went to the ACTIVE instance");
    // The old RUNNING web tasks were stopped by the scheduler with ECS's reason.
    for (const t of final.filter((x) => oldWeb.has(x.taskArn!))) {
      assert.equal(t.stopCode, "ServiceSchedulerInitiated");
      assert.match(t.stoppedReason ?? "", /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    }
    // The standalone task runs on, and the instance stays DRAINING while it does.
    const alone = final.find((t) => t.taskArn === standalone)!;
    assert.equal(alone.lastStatus, "RUNNING");
    assert.equal(alone.desiredStatus, "RUNNING");
    const inst = (await h.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [a.containerInstanceArn] }))).containerInstances![0]!;
    assert.equal(inst.status, "DRAINING");
    assert.equal(inst.runningTasksCount, 1);
    assert.equal(inst.pendingTasksCount, 0);
    const s = await w.service("web");
    assert.ok(s.events?.some((e) => /\(service web\) has stopped \d+ running tasks/.test(e.message ?? "")), "stop event");

    // Back to ACTIVE: the instance takes tasks again.
    await h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [a.containerInstanceArn], status: "ACTIVE" }));
    const reopenedAt = Date.now();
    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 6 }));
    const grown = await until("web at 6", async () => stableAt(await w.service("web"), 6) ? await w.tasks("web") : undefined);
    const fresh = grown.filter((t: Task) => t.lastStatus === "RUNNING" && (t.createdAt?.getTime() ?? 0) >= reopenedAt - 50);
    assert.equal(fresh.length, 2);
    assert.ok(fresh.some((t) => t.containerInstanceArn === a.containerInstanceArn), "a new task landed on the reopened instance");
  });
});
