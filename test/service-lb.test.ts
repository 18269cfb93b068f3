import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { exampleFile } from "./helpers/harness.js";
import { createRegistry } from "./helpers/cloud-map.js";
import { createLoadBalancer, createTargetGroup, targetStates, type LbSetup } from "./helpers/lb-setup.js";
import { steadyLoad } from "./helpers/steady-load.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * Issue 11's new-user flow with the `aws` CLI against a Wharf with a real agent, real Docker and
 * its own HAProxy: a load balancer, an `ip` target group and a listener; the seed's
 * python-service.json (its ARNs replaced) with 5 awsvpc tasks whose targets turn healthy and
 * all take requests; a killed task replaced and its target with it; a task failing the load
 * balancer's health checks replaced for it; a path rule to a second service; and a rolling
 * deployment of a 4-task service under 200 requests/s with no failed request.
 */

/** busybox httpd on port 5000: `/` names the service and the task's host name, `/health` answers 200 while the file exists. */
const serve = (name: string) => [
  "sh",
  "-c",
  `mkdir -p /tmp/w/api && echo "${name} $(hostname)" > /tmp/w/index.html && cp /tmp/w/index.html /tmp/w/api/index.html && echo ok > /tmp/w/health && exec httpd -f -p 5000 -h /tmp/w`,
];

describe("services behind a load balancer (aws CLI, real Docker, HAProxy)", { timeout: 600_000 }, () => {
  const w = new AgentWorld();
  let subnet = "";
  before(async () => {
    await w.start("lbsvc");
    await w.agent({ eniLimit: 32 });
    [subnet] = await w.defaultSubnets(1);
  });
  after(async () => w.close());

  const aws = (...args: string[]) => w.h.aws(...args);
  const register = async (family: string, name: string, container = "python-service") =>
    (
      await aws(
        "ecs", "register-task-definition", "--family", family, "--network-mode", "awsvpc", "--requires-compatibilities", "EC2",
        "--container-definitions",
        JSON.stringify([
          { name: container, image: "wharf-test/busybox:latest", memory: 32, cpu: 16, essential: true, stopTimeout: 2, command: serve(name), portMappings: [{ containerPort: 5000 }] },
        ]),
      )
    ).taskDefinition.taskDefinitionArn as string;
  const service = async (name: string) => (await aws("ecs", "describe-services", "--cluster", w.cluster, "--services", name)).services[0];
  const tasksOf = async (name: string, status = "RUNNING") => {
    const arns: string[] = (await aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", name, "--desired-status", status)).taskArns;
    return arns.length ? (await aws("ecs", "describe-tasks", "--cluster", w.cluster, "--tasks", ...arns)).tasks : [];
  };
  const ipOf = (t: { attachments: { details: { name: string; value: string }[] }[] }) =>
    t.attachments[0]!.details.find((d) => d.name === "privateIPv4Address")!.value;
  const hostnameOf = (ip: string) => `ip-${ip.replaceAll(".", "-")}`;
  const healthyTargets = async (tg: string, n: number) => {
    let seen: unknown;
    return waitFor(
      async () => {
        const s = await targetStates(w.h, tg);
        seen = s;
        return s.length === n && s.every((x) => x.state === "healthy") ? s : undefined;
      },
      { what: `${n} healthy targets`, timeoutMs: 120_000, intervalMs: 500, detail: () => seen },
    );
  };
  const get = async (lb: LbSetup, path = "/") => {
    const res = await fetch(`http://${lb.address}:${lb.listenerPort}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.text()).trim() };
  };
  const hc = ["--health-check-path", "/health", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2",
    "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "2"];

  it("the seed's python-service behind an ip target group: 5 healthy targets, all reached, a killed task and a failing one replaced, a path rule to a second service", async (tc) => {
    const lb = await createLoadBalancer(w.h, "python", { targetType: "ip", port: 5000, healthCheck: hc });
    await register("PythonTask", "python");
    // The seed's CreateService input, its ARNs (and cluster) replaced by the ones just made; awsvpc needs its subnets.
    const input = JSON.parse(readFileSync(exampleFile("python-service.json"), "utf8"));
    input.cluster = w.cluster;
    input.loadBalancers[0].targetGroupArn = lb.targetGroupArn;
    input.networkConfiguration = { awsvpcConfiguration: { subnets: [subnet] } };
    // Its registry: a Cloud Map service with an A record (awsvpc tasks register by their ENI address).
    input.serviceRegistries[0].registryArn = (await createRegistry(w.h, "python", ["A"])).arn;
    const file = join(w.h.dataDir, "python-service.json");
    writeFileSync(file, JSON.stringify(input));
    await aws("ecs", "create-service", "--cli-input-json", `file://${file}`);

    const targets = await healthyTargets(lb.targetGroupArn, 5);
    const tasks = await tasksOf("PythonService");
    assert.equal(tasks.length, 5);
    const ips: string[] = tasks.map(ipOf).sort();
    assert.deepEqual(targets.map((t) => t.id).sort(), ips, "one ip target per task, by its ENI address");
    assert.ok(targets.every((t) => t.port === 5000), "on the container port");
    const svc = await service("PythonService");
    assert.ok(
      svc.events.some((e: { message: string }) => e.message === `(service PythonService) registered 5 targets in (target-group ${lb.targetGroupArn})`) ||
        svc.events.some((e: { message: string }) => /^\(service PythonService\) registered \d targets in \(target-group /.test(e.message)),
      JSON.stringify(svc.events.slice(0, 5)),
    );

    // curl through the DNS name (mapped to the load balancer's own address) reaches all 5 tasks.
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { stdout } = await run("curl", ["-sS", "--max-time", "5", "--resolve", `${lb.dnsName}:80:${lb.address}`, `http://${lb.dnsName}/`]);
      seen.add(stdout.trim());
    }
    assert.deepEqual([...seen].sort(), ips.map((ip) => `python ${hostnameOf(ip)}`).sort(), "round robin reaches every task");

    // docker kill one: the task stops, its target leaves the group, a replacement's target turns healthy.
    const victim = tasks[0];
    await w.docker.killContainer(victim.containers[0].runtimeId);
    await waitFor(
      async () => {
        const s = await targetStates(w.h, lb.targetGroupArn);
        const now = await tasksOf("PythonService");
        const fresh = now.filter((t: { taskArn: string }) => !tasks.some((o: { taskArn: string }) => o.taskArn === t.taskArn));
        // The replacement may get the freed address again: targets are counted by task, not by address.
        return s.length === 5 && s.every((x) => x.state === "healthy") && fresh.length === 1 && now.length === 5 &&
          s.some((x) => x.id === ipOf(fresh[0])) ? s : undefined;
      },
      { what: "the killed task replaced and its replacement's target healthy", timeoutMs: 120_000, intervalMs: 500 },
    );
    const [stopped] = await w.describe([victim.taskArn]);
    assert.equal(stopped!.lastStatus, "STOPPED");
    tc.diagnostic(`killed task: ${stopped!.stopCode} / ${stopped!.stoppedReason}`);

    // A task whose /health starts failing: its target turns unhealthy, the service replaces the task for it.
    const sick = (await tasksOf("PythonService"))[0];
    const sickIp = ipOf(sick);
    await run("docker", ["exec", sick.containers[0].runtimeId, "rm", "/tmp/w/health"]);
    // Its target turns unhealthy (ELB's verdict after 2 failed checks); the replacement may be so quick
    // that the task is already on its way out when we look, which the stop reason below proves as well.
    let states: unknown;
    await waitFor(
      async () => {
        const s = await targetStates(w.h, lb.targetGroupArn);
        states = s;
        if (s.some((x) => x.id === sickIp && x.state === "unhealthy")) return true;
        const [t] = await w.describe([sick.taskArn]);
        return t?.desiredStatus === "STOPPED" ? true : undefined;
      },
      { what: `the failing task's target (${sickIp}) unhealthy`, timeoutMs: 60_000, intervalMs: 200, detail: () => states },
    );
    const replaced = await waitFor(
      async () => {
        const [t] = await w.describe([sick.taskArn]);
        return t?.lastStatus === "STOPPED" ? t : undefined;
      },
      { what: "the unhealthy task stopped", timeoutMs: 120_000, intervalMs: 500 },
    );
    assert.equal(replaced.stoppedReason, `Task failed ELB health checks in (target-group ${lb.targetGroupArn})`);
    assert.equal(replaced.stopCode, "ServiceSchedulerInitiated");
    await healthyTargets(lb.targetGroupArn, 5);
    const events: string[] = (await service("PythonService")).events.map((e: { message: string }) => e.message);
    const expectEvent = (text: string) => assert.ok(events.includes(text), `${text}\nnot in:\n${events.slice(0, 12).join("\n")}`);
    expectEvent(`(service PythonService) (port 5000) is unhealthy in (target-group ${lb.targetGroupArn}) due to (reason Health checks failed with these codes: [404]).`);
    expectEvent("(service PythonService) has begun draining connections on 1 tasks.");
    expectEvent(`(service PythonService) deregistered 1 targets in (target-group ${lb.targetGroupArn})`);

    // A second service behind the same listener: /api/* goes to its target group.
    const apiTg = await createTargetGroup(w.h, lb.vpcId, "python-api", "ip", 5000, hc);
    await aws("elbv2", "create-rule", "--listener-arn", lb.listenerArn, "--priority", "10", "--conditions", "Field=path-pattern,Values=/api/*",
      "--actions", `Type=forward,TargetGroupArn=${apiTg}`);
    await register("ApiTask", "api", "api");
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "api", "--task-definition", "ApiTask", "--desired-count", "2",
      "--launch-type", "EC2", "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]}`,
      "--load-balancers", `targetGroupArn=${apiTg},containerName=api,containerPort=5000`);
    await healthyTargets(apiTg, 2);
    const apiIps: string[] = (await tasksOf("api")).map(ipOf);
    const apiSeen = new Set<string>();
    for (let i = 0; i < 8; i++) apiSeen.add((await get(lb, "/api/")).body);
    assert.deepEqual([...apiSeen].sort(), apiIps.map((ip) => `api ${hostnameOf(ip)}`).sort(), "/api/* reaches the api service's tasks");
    assert.match((await get(lb, "/")).body, /^python /, "the rest still goes to PythonService");

    // Deleting a service deregisters its targets.
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "api", "--force");
    await waitFor(async () => ((await targetStates(w.h, apiTg)).length === 0 ? true : undefined), { what: "the api targets gone", timeoutMs: 60_000, intervalMs: 500 });
    await aws("ecs", "wait", "services-inactive", "--cluster", w.cluster, "--services", "api");
  });

  it("bridge tasks with dynamic host ports register as instance targets: instance id and host port, reached through the listener", async () => {
    const lb = await createLoadBalancer(w.h, "bridge", { targetType: "instance", port: 80, healthCheck: hc });
    const td = (
      await aws(
        "ecs", "register-task-definition", "--family", "bridge-web", "--network-mode", "bridge", "--container-definitions",
        JSON.stringify([
          { name: "web", image: "wharf-test/busybox:latest", memory: 32, cpu: 16, essential: true, stopTimeout: 2, command: serve("bridge"), portMappings: [{ containerPort: 5000, hostPort: 0 }] },
        ]),
      )
    ).taskDefinition.taskDefinitionArn as string;
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "bridge", "--task-definition", td, "--desired-count", "2",
      "--launch-type", "EC2", "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=5000`);
    const targets = await healthyTargets(lb.targetGroupArn, 2);
    const tasks = await tasksOf("bridge");
    const instance = (await aws("ecs", "describe-container-instances", "--cluster", w.cluster, "--container-instances", tasks[0].containerInstanceArn)).containerInstances[0];
    assert.ok(targets.every((t) => t.id === instance.ec2InstanceId), "instance targets by the container instance's EC2 id");
    const hostPorts = tasks.map((t: { containers: { networkBindings: { hostPort: number }[] }[] }) => t.containers[0]!.networkBindings[0]!.hostPort).sort();
    assert.deepEqual(targets.map((t) => t.port).sort(), hostPorts, "on the dynamic host ports Docker bound");
    assert.ok(hostPorts.every((p: number) => p !== 5000));
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add((await get(lb)).body);
    assert.equal(seen.size, 2, `both tasks answer through the listener: ${[...seen].join(", ")}`);
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "bridge", "--force");
    await waitFor(async () => ((await targetStates(w.h, lb.targetGroupArn)).length === 0 ? true : undefined), { what: "the bridge targets gone", timeoutMs: 60_000, intervalMs: 500 });
  });

  it("a rolling deployment of a 4-task service under 200 requests/s fails no request (ELB's default health checks and delay)", async (tc) => {
    // ELB's defaults but the path: a 30 s interval, 5/2 thresholds, a 300 s deregistration delay.
    const lb = await createLoadBalancer(w.h, "web", { targetType: "ip", port: 5000, healthCheck: ["--health-check-path", "/health"] });
    const rev1 = await register("web", "v1", "web");
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "web", "--task-definition", rev1, "--desired-count", "4",
      "--launch-type", "EC2", "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]}`,
      "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=5000`);
    await healthyTargets(lb.targetGroupArn, 4);
    await waitFor(async () => ((await service("web")).deployments.length === 1 && (await service("web")).deployments[0].rolloutState === "COMPLETED" ? true : undefined), {
      what: "the first deployment COMPLETED",
      timeoutMs: 60_000,
      intervalMs: 500,
    });

    const rev2 = await register("web", "v2", "web");
    const load = steadyLoad({ host: lb.address, port: lb.listenerPort, rps: 200 });
    const t0 = Date.now();
    let result;
    let deployMs = 0;
    try {
      await aws("ecs", "update-service", "--cluster", w.cluster, "--service", "web", "--task-definition", rev2);
      await waitFor(
        async () => {
          const s = await service("web");
          return s.deployments.length === 1 && s.deployments[0].taskDefinition === rev2 && s.deployments[0].rolloutState === "COMPLETED" && s.runningCount === 4 ? s : undefined;
        },
        { what: "the rolling deployment COMPLETED", timeoutMs: 180_000, intervalMs: 250 },
      );
      deployMs = Date.now() - t0;
    } finally {
      result = await load.stop();
    }
    tc.diagnostic(`deploy wall time ${deployMs} ms; ${result.sent} requests, ${result.failed} failed, ${result.resent} resent, over ${result.wallMs} ms`);
    tc.diagnostic(`answers: ${JSON.stringify([...result.bodies])}`);
    assert.equal(result.failed, 0, `failed requests: ${result.failures.join("; ")}`);
    assert.ok(result.sent >= 200, "the load ran");
    assert.ok([...result.bodies.keys()].some((b) => b.startsWith("v2 ")), "the new revision served");
    const old = (await tasksOf("web", "STOPPED")).filter((t: { taskDefinitionArn: string }) => t.taskDefinitionArn === rev1);
    assert.equal(old.length, 4, "the 4 old tasks stopped");
    assert.ok(old.every((t: { stopCode: string }) => t.stopCode === "ServiceSchedulerInitiated"));
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "web", "--force");
  });
});
