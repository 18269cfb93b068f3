import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { createLoadBalancer, createTargetGroup, targetStates } from "./helpers/lb-setup.js";
import { steadyLoad } from "./helpers/steady-load.js";
import { waitFor } from "./helpers/wait.js";

/**
 * Issue 23 part 3 with the `aws` CLI against a Wharf with a real agent, real Docker and its own
 * HAProxy: a service with the EXTERNAL deployment controller driven through task sets, as the
 * documented CodeDeploy-less blue/green flow does it — the blue task set PRIMARY at 100 % behind
 * the production listener, the green one at 100 % on the alternate target group behind a test
 * listener, the production listener moved with modify-listener, green made PRIMARY, blue scaled
 * to 0 and deleted — under steady load with no failed request.
 */

/** busybox httpd on port 5000: `/` names the revision and the task's host name, `/health` answers 200. */
const serve = (name: string) => [
  "sh",
  "-c",
  `mkdir -p /tmp/w && echo "${name} $(hostname)" > /tmp/w/index.html && echo ok > /tmp/w/health && exec httpd -f -p 5000 -h /tmp/w`,
];

describe("task sets and the EXTERNAL deployment controller (aws CLI, real Docker, HAProxy)", { timeout: 600_000 }, () => {
  const w = new AgentWorld();
  let subnet = "";
  before(async () => {
    await w.start("tasksets");
    await w.agent({ eniLimit: 32 });
    [subnet] = await w.defaultSubnets(1);
  });
  after(async () => w.close());

  const aws = (...args: string[]) => w.h.aws(...args);
  const register = async (name: string) =>
    (
      await aws(
        "ecs", "register-task-definition", "--family", "ext-web", "--network-mode", "awsvpc", "--requires-compatibilities", "EC2",
        "--container-definitions",
        JSON.stringify([{ name: "web", image: "wharf-test/busybox:latest", memory: 32, cpu: 16, essential: true, stopTimeout: 2, command: serve(name), portMappings: [{ containerPort: 5000 }] }]),
      )
    ).taskDefinition.taskDefinitionArn as string;
  const service = async () => (await aws("ecs", "describe-services", "--cluster", w.cluster, "--services", "web")).services[0];
  const taskSets = async () => (await aws("ecs", "describe-task-sets", "--cluster", w.cluster, "--service", "web")).taskSets as TaskSetOut[];
  interface TaskSetOut { id: string; taskSetArn: string; status: string; computedDesiredCount: number; runningCount: number; pendingCount: number; stabilityStatus: string; taskDefinition: string; externalId?: string; scale: { unit: string; value: number } }
  const steadySet = (id: string, running: number) => {
    let seen: unknown;
    return waitFor(
      async () => {
        const ts = (await taskSets()).find((t) => t.id === id);
        seen = ts;
        return ts && ts.stabilityStatus === "STEADY_STATE" && ts.runningCount === running && ts.pendingCount === 0 ? ts : undefined;
      },
      { what: `task set ${id} STEADY_STATE with ${running} tasks`, timeoutMs: 180_000, intervalMs: 500, detail: () => seen },
    );
  };
  const healthyTargets = (tg: string, n: number) =>
    waitFor(async () => {
      const s = await targetStates(w.h, tg);
      return s.length === n && s.every((x) => x.state === "healthy") ? s : undefined;
    }, { what: `${n} healthy targets in ${tg}`, timeoutMs: 120_000, intervalMs: 500 });
  const get = async (address: string, port: number) => {
    const res = await fetch(`http://${address}:${port}/`, { signal: AbortSignal.timeout(5_000) });
    return (await res.text()).trim();
  };
  const hc = ["--health-check-path", "/health", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2",
    "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "2"];

  it("CreateService with EXTERNAL takes no task definition or load balancers; CODE_DEPLOY is refused; task sets need EXTERNAL", async () => {
    const lb = await createLoadBalancer(w.h, "refuse", { targetType: "ip", port: 5000, healthCheck: hc });
    const td = await register("v0");
    const withLb = await w.h.awsError("ecs", "create-service", "--cluster", w.cluster, "--service-name", "bad", "--desired-count", "1",
      "--deployment-controller", "type=EXTERNAL", "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=5000`);
    assert.equal(withLb.code, "InvalidParameterException");
    assert.match(withLb.stderr, /LoadBalancers must be empty or null\./);
    const withTd = await w.h.awsError("ecs", "create-service", "--cluster", w.cluster, "--service-name", "bad", "--desired-count", "1",
      "--deployment-controller", "type=EXTERNAL", "--task-definition", td);
    assert.match(withTd.stderr, /TaskDefinition must be empty or null\./);
    const cd = await w.h.awsError("ecs", "create-service", "--cluster", w.cluster, "--service-name", "bad", "--desired-count", "1",
      "--deployment-controller", "type=CODE_DEPLOY", "--task-definition", td);
    assert.equal(cd.code, "UnsupportedFeatureException");
    assert.match(cd.stderr, /no AWS CodeDeploy/);
    // A rolling (ECS) service has no task sets.
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "rolling", "--desired-count", "0", "--task-definition", td,
      "--launch-type", "EC2", "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]}`);
    const notExt = await w.h.awsError("ecs", "create-task-set", "--cluster", w.cluster, "--service", "rolling", "--task-definition", td);
    assert.equal(notExt.code, "InvalidParameterException");
    assert.match(notExt.stderr, /only supports task set management on services configured to use external deployment controllers/);
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "rolling", "--force");
  });

  it("the CodeDeploy-less blue/green flow: blue PRIMARY, green on the test listener, production moved, blue scaled to 0 and deleted — 0 failed requests", async (tc) => {
    const lb = await createLoadBalancer(w.h, "ext", { targetType: "ip", port: 5000, healthCheck: hc });
    const blueTg = lb.targetGroupArn;
    const greenTg = await createTargetGroup(w.h, lb.vpcId, "ext-green", "ip", 5000, hc);
    for (const tg of [blueTg, greenTg]) {
      await aws("elbv2", "modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=5");
    }
    const testPort = 8080;
    const testListener = (await aws("elbv2", "create-listener", "--load-balancer-arn", lb.loadBalancerArn, "--protocol", "HTTP", "--port", String(testPort),
      "--default-actions", `Type=forward,TargetGroupArn=${greenTg}`)).Listeners[0].ListenerArn as string;
    const v1 = await register("v1");
    const v2 = await register("v2");
    const net = `awsvpcConfiguration={subnets=[${subnet}]}`;

    const created = (await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "web", "--desired-count", "4",
      "--deployment-controller", "type=EXTERNAL")).service;
    assert.equal(created.deploymentController.type, "EXTERNAL");
    assert.deepEqual(created.taskSets, []);
    assert.equal(created.taskDefinition, undefined, "no task definition until a task set is PRIMARY");

    const blue = (await aws("ecs", "create-task-set", "--cluster", w.cluster, "--service", "web", "--external-id", "blue", "--task-definition", v1,
      "--launch-type", "EC2", "--network-configuration", net, "--scale", "unit=PERCENT,value=100",
      "--load-balancers", `targetGroupArn=${blueTg},containerName=web,containerPort=5000`, "--client-token", "blue-1")).taskSet as TaskSetOut;
    assert.match(blue.id, /^ecs-svc\/\d{19}$/);
    assert.match(blue.taskSetArn, new RegExp(`:task-set/${w.cluster}/web/ecs-svc/\\d{19}$`));
    assert.equal(blue.status, "ACTIVE");
    assert.equal(blue.computedDesiredCount, 4);
    assert.equal(blue.externalId, "blue");
    const again = (await aws("ecs", "create-task-set", "--cluster", w.cluster, "--service", "web", "--external-id", "blue", "--task-definition", v1,
      "--launch-type", "EC2", "--network-configuration", net, "--scale", "unit=PERCENT,value=100",
      "--load-balancers", `targetGroupArn=${blueTg},containerName=web,containerPort=5000`, "--client-token", "blue-1")).taskSet as TaskSetOut;
    assert.equal(again.id, blue.id, "clientToken makes CreateTaskSet idempotent");
    assert.equal((await aws("ecs", "update-service-primary-task-set", "--cluster", w.cluster, "--service", "web", "--primary-task-set", blue.taskSetArn)).taskSet.status, "PRIMARY");

    await steadySet(blue.id, 4);
    await healthyTargets(blueTg, 4);
    let svc = await service();
    assert.equal(svc.taskDefinition, v1, "the PRIMARY task set's fields are the service's");
    assert.equal(svc.runningCount, 4);
    assert.deepEqual(svc.deployments, []);
    assert.equal(svc.taskSets.length, 1);
    assert.equal(svc.loadBalancers[0].targetGroupArn, blueTg);
    const blueTasks = (await aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", "web")).taskArns as string[];
    const described = (await aws("ecs", "describe-tasks", "--cluster", w.cluster, "--tasks", ...blueTasks)).tasks as { startedBy: string }[];
    assert.ok(described.every((t) => t.startedBy === blue.id), "a task set's tasks are startedBy its id");
    assert.match(await get(lb.address, lb.listenerPort), /^v1 /);

    const load = steadyLoad({ host: lb.address, port: lb.listenerPort, rps: 100 });
    let result;
    let green: TaskSetOut;
    try {
      green = (await aws("ecs", "create-task-set", "--cluster", w.cluster, "--service", "web", "--external-id", "green", "--task-definition", v2,
        "--launch-type", "EC2", "--network-configuration", net, "--scale", "unit=PERCENT,value=100",
        "--load-balancers", `targetGroupArn=${greenTg},containerName=web,containerPort=5000`)).taskSet as TaskSetOut;
      await steadySet(green.id, 4);
      await healthyTargets(greenTg, 4);
      // The test listener reaches green while production still answers blue.
      assert.match(await get(lb.address, testPort), /^v2 /);
      assert.match(await get(lb.address, lb.listenerPort), /^v1 /);
      svc = await service();
      assert.equal(svc.runningCount, 8, "the service counts both task sets' tasks");
      assert.equal(svc.taskSets.length, 2);

      // Production moves to green; then green is PRIMARY; blue goes to 0 and away.
      await aws("elbv2", "modify-listener", "--listener-arn", lb.listenerArn, "--default-actions", `Type=forward,TargetGroupArn=${greenTg}`);
      await waitFor(async () => ((await get(lb.address, lb.listenerPort)).startsWith("v2 ") ? true : undefined), { what: "production answering v2", timeoutMs: 30_000, intervalMs: 200 });
      assert.equal((await aws("ecs", "update-service-primary-task-set", "--cluster", w.cluster, "--service", "web", "--primary-task-set", green.id)).taskSet.status, "PRIMARY");
      const sets = await taskSets();
      assert.equal(sets.find((t) => t.id === blue.id)!.status, "ACTIVE", "the old PRIMARY is ACTIVE");
      svc = await service();
      assert.equal(svc.taskDefinition, v2);
      assert.equal(svc.loadBalancers[0].targetGroupArn, greenTg);

      const refused = await w.h.awsError("ecs", "delete-task-set", "--cluster", w.cluster, "--service", "web", "--task-set", blue.id);
      assert.equal(refused.code, "InvalidParameterException", "a task set above 0 is deleted only with force");
      const scaled = (await aws("ecs", "update-task-set", "--cluster", w.cluster, "--service", "web", "--task-set", blue.id, "--scale", "unit=PERCENT,value=0")).taskSet as TaskSetOut;
      assert.equal(scaled.computedDesiredCount, 0);
      await steadySet(blue.id, 0);
      const deleted = (await aws("ecs", "delete-task-set", "--cluster", w.cluster, "--service", "web", "--task-set", blue.taskSetArn)).taskSet as TaskSetOut;
      assert.equal(deleted.status, "DRAINING");
      await waitFor(async () => {
        const s = await taskSets();
        return s.length === 1 && s[0]!.id === green.id ? true : undefined;
      }, { what: "the blue task set gone", timeoutMs: 60_000, intervalMs: 500 });
      // The load runs on a little after the move, on green alone.
      await waitFor(async () => ((await targetStates(w.h, blueTg)).length === 0 ? true : undefined), { what: "blue's targets gone", timeoutMs: 60_000, intervalMs: 500 });
    } finally {
      result = await load.stop();
    }
    tc.diagnostic(`${result.sent} requests, ${result.failed} failed, ${result.resent} resent after an idle-connection close; answers: ${JSON.stringify([...result.bodies].map(([b, n]) => [b.split(" ")[0], n]))}`);
    assert.equal(result.failed, 0, `failed requests: ${result.failures.join("; ")}`);
    const revisions = new Set([...result.bodies.keys()].map((b) => b.split(" ")[0]));
    assert.deepEqual([...revisions].sort(), ["v1", "v2"], "production served blue, then green");
    const missing = await aws("ecs", "describe-task-sets", "--cluster", w.cluster, "--service", "web", "--task-sets", blue.id);
    assert.deepEqual(missing.failures, [{ arn: blue.id, reason: "MISSING" }]);
    svc = await service();
    assert.equal(svc.runningCount, 4);
    assert.ok(svc.events.some((e: { message: string }) => e.message === "(service web) has reached a steady state."));
    await aws("elbv2", "delete-listener", "--listener-arn", testListener);
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "web", "--force");
    await aws("ecs", "wait", "services-inactive", "--cluster", w.cluster, "--services", "web");
  });
});
