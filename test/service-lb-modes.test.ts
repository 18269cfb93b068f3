import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { createLoadBalancer, targetStates, type LbSetup } from "./helpers/lb-setup.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The launch types and schedulers services/load balancers were not yet tried with (issue 11):
 * a FARGATE service (awsvpc on Wharf's managed capacity, `ip` targets by ENI address) and a
 * DAEMON service in host network mode (`instance` targets by EC2 instance id and the container
 * port), each registered, healthy, reached through the listener, and deregistered on deletion.
 */

/** busybox httpd on `port`: `/` names the service and the container's host name, `/health` answers 200. */
const serve = (name: string, port: number) => [
  "sh",
  "-c",
  `mkdir -p /tmp/w && echo "${name} $(hostname)" > /tmp/w/index.html && echo ok > /tmp/w/health && exec httpd -f -p ${port} -h /tmp/w`,
];

describe("services of every launch type and scheduler behind a load balancer (aws CLI, real Docker, HAProxy)", { timeout: 400_000 }, () => {
  const w = new AgentWorld();
  let subnets: string[] = [];
  before(async () => {
    await w.start("lbmodes");
    await w.agent({ eniLimit: 16 });
    await w.agent({ fargate: true });
    subnets = await w.defaultSubnets(2);
  });
  after(async () => w.close());

  const aws = (...args: string[]) => w.h.aws(...args);
  const hc = ["--health-check-path", "/health", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2",
    "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "2"];
  const tasksOf = async (name: string) => {
    const arns: string[] = (await aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", name, "--desired-status", "RUNNING")).taskArns;
    return arns.length ? (await aws("ecs", "describe-tasks", "--cluster", w.cluster, "--tasks", ...arns)).tasks : [];
  };
  const healthyTargets = (tg: string, n: number) => {
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
  const bodies = async (lb: LbSetup, tries: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < tries; i++) {
      const res = await fetch(`http://${lb.address}:${lb.listenerPort}/`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200);
      seen.add((await res.text()).trim());
    }
    return seen;
  };
  const targetsGone = (tg: string) =>
    waitFor(async () => ((await targetStates(w.h, tg)).length === 0 ? true : undefined), { what: "the targets deregistered", timeoutMs: 60_000, intervalMs: 500 });

  it("a FARGATE service registers its tasks' ENI addresses as ip targets; both answer through the listener", async () => {
    const lb = await createLoadBalancer(w.h, "fgweb", { targetType: "ip", port: 8080, healthCheck: hc });
    const td = (
      await aws(
        "ecs", "register-task-definition", "--family", "fg-web", "--network-mode", "awsvpc", "--requires-compatibilities", "FARGATE",
        "--cpu", "256", "--memory", "512",
        "--container-definitions",
        JSON.stringify([{ name: "web", image: "wharf-test/busybox:latest", essential: true, stopTimeout: 2, command: serve("fargate", 8080), portMappings: [{ containerPort: 8080 }] }]),
      )
    ).taskDefinition.taskDefinitionArn as string;
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "fg-web", "--task-definition", td, "--desired-count", "2",
      "--launch-type", "FARGATE", "--network-configuration", `awsvpcConfiguration={subnets=[${subnets.join(",")}]}`,
      "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=8080`);
    const targets = await healthyTargets(lb.targetGroupArn, 2);
    const tasks = await tasksOf("fg-web");
    assert.equal(tasks.length, 2);
    const ips = tasks.map((t: { attachments: { details: { name: string; value: string }[] }[] }) => t.attachments[0]!.details.find((d) => d.name === "privateIPv4Address")!.value).sort();
    assert.deepEqual(targets.map((t) => t.id).sort(), ips, "ip targets are the tasks' ENI addresses");
    assert.ok(targets.every((t) => t.port === 8080));
    assert.ok(tasks.every((t: { launchType: string; containerInstanceArn?: string }) => t.launchType === "FARGATE" && !t.containerInstanceArn));
    const seen = await bodies(lb, 10);
    assert.equal(seen.size, 2, `both Fargate tasks answer: ${[...seen].join(", ")}`);
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "fg-web", "--force");
    await targetsGone(lb.targetGroupArn);
  });

  it("a DAEMON service in host network mode registers one instance target per container instance on the container port", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const lb = await createLoadBalancer(w.h, "daemon", { targetType: "instance", port, healthCheck: hc });
    const td = (
      await aws(
        "ecs", "register-task-definition", "--family", "daemon-web", "--network-mode", "host", "--container-definitions",
        JSON.stringify([{ name: "web", image: "wharf-test/busybox:latest", memory: 32, cpu: 16, essential: true, stopTimeout: 2, command: serve("daemon", port), portMappings: [{ containerPort: port, hostPort: port }] }]),
      )
    ).taskDefinition.taskDefinitionArn as string;
    await aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", "daemon-web", "--task-definition", td,
      "--scheduling-strategy", "DAEMON", "--launch-type", "EC2",
      "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=${port}`);
    const [target] = await healthyTargets(lb.targetGroupArn, 1);
    const instances = (await aws("ecs", "list-container-instances", "--cluster", w.cluster)).containerInstanceArns as string[];
    assert.equal(instances.length, 1, "the Fargate pool is not a container instance");
    const ci = (await aws("ecs", "describe-container-instances", "--cluster", w.cluster, "--container-instances", instances[0]!)).containerInstances[0];
    assert.equal(target!.id, ci.ec2InstanceId);
    assert.equal(target!.port, port);
    const seen = await bodies(lb, 3);
    assert.equal(seen.size, 1);
    assert.match([...seen][0]!, /^daemon /);
    await aws("ecs", "delete-service", "--cluster", w.cluster, "--service", "daemon-web", "--force");
    await targetsGone(lb.targetGroupArn);
  });
});
