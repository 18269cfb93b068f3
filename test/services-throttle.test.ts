import { CreateServiceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { SLEEPER, serviceWorld, stableAt, until, type ServiceWorld } from "./helpers/service-world.js";

const THROTTLE_TEXT = /^\(service broken\) is unable to consistently start tasks successfully\./;

/**
 * ECS's service throttle (service-throttle-logic.html) on a real agent: tasks that go PENDING →
 * STOPPED without reaching RUNNING (an image that cannot be pulled) are retried with a growing
 * delay, and the service says so with ECS's event text; a new task definition lifts it at once.
 * The throttle's base delay is 1 s here (the default is 10 s, doubling up to 27 min).
 */
describe("a service whose tasks keep failing to start (real Docker)", () => {
  let w: ServiceWorld;
  after(async () => w?.close());

  it("backs off between launches, says so with ECS's event text, and recovers on a new revision", async (tc) => {
    w = await serviceWorld({ serviceParams: { healthyAfterMs: 1_000, throttleBaseMs: 1_000 } });
    const { h, cluster } = w;
    await w.agent();
    const bad = await w.register("broken", SLEEPER, { image: `wharf-missing/nothing-${hex(4)}:1` });
    await h.ecs.send(new CreateServiceCommand({ cluster, serviceName: "broken", taskDefinition: bad, desiredCount: 1 }));

    // Launches 1–3 follow each failure at once; then 1 s, 2 s, 4 s between attempts.
    const tasks = await until("five failed launches", async () => {
      const ts = (await w.tasks("broken")).filter((t) => t.lastStatus === "STOPPED");
      return ts.length >= 5 ? ts : undefined;
    }, 30_000);
    const sorted = tasks.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
    for (const t of sorted) {
      assert.equal(t.startedAt, undefined, "never RUNNING");
      assert.match(t.stoppedReason ?? "", /CannotPullContainerError/);
    }
    // The gap before launch k+1 runs from the k-th task's stop.
    const gap = (k: number) => sorted[k]!.createdAt!.getTime() - sorted[k - 1]!.stoppedAt!.getTime();
    // Launches 2 and 3 come without a throttle delay (test/unit/service-reconcile.test.ts checks
    // that on an injected clock); how soon is the machine's business, so it is only reported.
    tc.diagnostic(`gaps before the throttle: ${gap(1)}, ${gap(2)} ms`);
    assert.ok(gap(3) >= 950, `1 s after the third failure, got ${gap(3)} ms`);
    assert.ok(gap(4) >= 1_950, `2 s after the fourth, got ${gap(4)} ms`);

    const s = await w.service("broken");
    const messages = (s.events ?? []).map((e) => e.message ?? "");
    assert.equal(messages.filter((m) => THROTTLE_TEXT.test(m)).length, 1, messages.join("\n"));
    assert.ok(messages.filter((m) => /^\(service broken\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$/.test(m)).length >= 5);
    // Newest first, bounded.
    const times = (s.events ?? []).map((e) => e.createdAt!.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(times.length <= 100);
    assert.ok(s.deployments![0]!.failedTasks! >= 5);
    assert.equal(s.runningCount, 0);

    // A new revision lifts the throttle at once (the 8 s delay now due is skipped).
    const good = await w.register("broken", SLEEPER);
    const fixedAt = Date.now();
    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "broken", taskDefinition: good }));
    const ok = await until("recovered", async () => stableAt(await w.service("broken"), 1), 30_000);
    assert.equal(ok.deployments![0]!.taskDefinition, good);
    const first = (await w.tasks("broken")).find((t) => t.taskDefinitionArn === good)!;
    // That the new revision resets the throttle is checked on an injected clock in
    // test/unit/service-reconcile.test.ts; here the delay is reported.
    tc.diagnostic(`relaunched ${first.createdAt!.getTime() - fixedAt} ms after the update`);
  });
});
