import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * Issue 14's flow with the `aws` CLI only, against a Wharf with a real agent and real Docker: a
 * private DNS namespace internal.local in the EC2 API's VPC, a Cloud Map service `api`, and an
 * ECS service `api` of 3 awsvpc tasks registered in it once RUNNING and HEALTHY (a container
 * health check); DiscoverInstances lists the three with ECS's attributes; a task whose health
 * check fails leaves the registry and the scheduler's replacement joins only once healthy; a
 * stopped task is gone from the registry while its container still runs (it ignores SIGTERM for
 * its 20 s stopTimeout). Wharf's DNS server answers the names: A and SRV to `dig` on the host, and
 * to a client task in the VPC (through 169.254.169.253), whose 40 requests reach all three tasks.
 */
describe("ECS serviceRegistries in Cloud Map (aws CLI, real Docker)", { timeout: 600_000 }, () => {
  const w = new AgentWorld();
  let subnet = "";
  let vpc = "";
  before(async () => {
    await w.start("sdsvc");
    await w.agent({ eniLimit: 16 });
    [subnet] = await w.defaultSubnets(1);
    vpc = (await w.h.aws("ec2", "describe-subnets", "--subnet-ids", subnet!)).Subnets[0].VpcId;
  });
  after(async () => w.close());

  const aws = (...args: string[]) => w.h.aws(...args);
  const discover = async () =>
    (await aws("servicediscovery", "discover-instances", "--namespace-name", "internal.local", "--service-name", "api", "--health-status", "ALL")).Instances as {
      InstanceId: string;
      Attributes: Record<string, string>;
    }[];
  const tasksOf = async (status = "RUNNING") => {
    const arns: string[] = (await aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", "api", "--desired-status", status)).taskArns;
    return arns.length ? ((await aws("ecs", "describe-tasks", "--cluster", w.cluster, "--tasks", ...arns)).tasks as Task[]) : [];
  };
  interface Task {
    taskArn: string;
    lastStatus: string;
    healthStatus: string;
    containers: { runtimeId?: string }[];
    attachments: { details: { name: string; value: string }[] }[];
  }
  const idOf = (t: Task) => t.taskArn.slice(t.taskArn.lastIndexOf("/") + 1);
  const ipOf = (t: Task) => t.attachments[0]!.details.find((d) => d.name === "privateIPv4Address")!.value;
  const running = async (containerId: string) => {
    const { stdout } = await run("docker", ["inspect", "-f", "{{.State.Running}}", containerId]);
    return stdout.trim() === "true";
  };

  it("registers the 3 healthy tasks, follows a failing health check, deregisters before a stop", async () => {
    const { OperationId } = await aws("servicediscovery", "create-private-dns-namespace", "--name", "internal.local", "--vpc", vpc);
    const nsId: string = await waitFor(
      async () => {
        const op = (await aws("servicediscovery", "get-operation", "--operation-id", OperationId)).Operation;
        return op.Status === "SUCCESS" && op.Targets.NAMESPACE;
      },
      { what: "namespace created", timeoutMs: 20_000 },
    );
    const registry = (
      await aws(
        "servicediscovery", "create-service", "--name", "api", "--namespace-id", nsId,
        "--dns-config", JSON.stringify({ RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }, { Type: "SRV", TTL: 10 }] }),
      )
    ).Service;
    await aws(
      "ecs", "register-task-definition", "--family", "api", "--network-mode", "awsvpc", "--requires-compatibilities", "EC2",
      "--container-definitions",
      JSON.stringify([
        {
          name: "api",
          image: "wharf-test/busybox:latest",
          memory: 32,
          cpu: 16,
          essential: true,
          stopTimeout: 20,
          // Serves its host name on 8080; healthy while /tmp/healthy exists; SIGTERM is ignored, so a stop takes the whole stopTimeout.
          command: ["sh", "-c", 'touch /tmp/healthy; mkdir -p /tmp/w; hostname > /tmp/w/index.html; httpd -p 8080 -h /tmp/w; trap "" TERM; while true; do sleep 1; done'],
          healthCheck: { command: ["CMD-SHELL", "test -f /tmp/healthy"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
          portMappings: [{ containerPort: 8080 }],
        },
      ]),
    );
    // ECS's checks against Cloud Map: a registry with an SRV record needs its port.
    const refused = await w.h.awsError(
      "ecs", "create-service", "--cluster", w.cluster, "--service-name", "bad", "--task-definition", "api", "--desired-count", "1",
      "--network-configuration", JSON.stringify({ awsvpcConfiguration: { subnets: [subnet] } }),
      "--service-registries", JSON.stringify([{ registryArn: registry.Arn }]),
    );
    assert.equal(refused.code, "InvalidParameterException");
    assert.match(refused.stderr, /has an SRV record/);

    await aws(
      "ecs", "create-service", "--cluster", w.cluster, "--service-name", "api", "--task-definition", "api", "--desired-count", "3",
      "--network-configuration", JSON.stringify({ awsvpcConfiguration: { subnets: [subnet] } }),
      "--service-registries", JSON.stringify([{ registryArn: registry.Arn, containerName: "api", containerPort: 8080 }]),
    );

    // Three RUNNING, HEALTHY tasks, and exactly they are in the registry, by their ENI addresses.
    let seen: unknown;
    const tasks = await waitFor(
      async () => {
        const [ts, inst] = [await tasksOf(), await discover()];
        seen = { tasks: ts.map((t) => [idOf(t), t.lastStatus, t.healthStatus]), instances: inst.map((i) => i.InstanceId) };
        const healthy = ts.filter((t) => t.lastStatus === "RUNNING" && t.healthStatus === "HEALTHY");
        return healthy.length === 3 && inst.length === 3 ? healthy : undefined;
      },
      { what: "3 healthy tasks registered", timeoutMs: 120_000, intervalMs: 500, detail: () => seen },
    );
    const instances = await discover();
    assert.deepEqual(instances.map((i) => i.InstanceId).sort(), tasks.map(idOf).sort(), "instance id = task id");
    for (const t of tasks) {
      const a = instances.find((i) => i.InstanceId === idOf(t))!.Attributes;
      assert.equal(a.AWS_INSTANCE_IPV4, ipOf(t));
      assert.equal(a.ECS_CLUSTER_NAME, w.cluster);
      assert.equal(a.ECS_SERVICE_NAME, "api");
      assert.equal(a.ECS_TASK_DEFINITION_FAMILY, "api");
      assert.equal(a.REGION, "us-east-1");
      assert.match(a.AVAILABILITY_ZONE!, /^us-east-1[a-z]$/);
      assert.match(a.EC2_INSTANCE_ID!, /^i-/);
    }
    // The DNS source answers the three addresses to the VPC.
    const own = await w.h.server.cloudMap.dns.lookup("api.internal.local", "A", { vpcId: vpc });
    assert.ok(own.kind === "answer");
    assert.deepEqual(own.records.map((r) => r.value).sort(), tasks.map(ipOf).sort());
    // Wharf's DNS server, asked with dig on the host: the three addresses, and SRV records with their port.
    const dns = w.h.server.dns!;
    const dig = async (type: string) => (await run("dig", [`@${dns.address}`, "-p", String(dns.port), "+short", "+tries=1", "+time=2", type, "api.internal.local"])).stdout.trim().split("\n").sort();
    assert.deepEqual(await dig("A"), tasks.map(ipOf).sort());
    const srv = await dig("SRV");
    assert.equal(srv.length, 3, srv.join(" | "));
    for (const line of srv) assert.match(line, /^1 1 8080 [a-z0-9-]+\.api\.internal\.local\.$/);
    // A client task in the VPC resolves the name through its resolver and reaches all three tasks.
    await aws(
      "ecs", "register-task-definition", "--family", "api-client", "--network-mode", "awsvpc", "--requires-compatibilities", "EC2",
      "--container-definitions",
      JSON.stringify([
        {
          name: "client",
          image: "wharf-test/busybox:latest",
          memory: 16,
          cpu: 8,
          essential: true,
          // Each request resolves the name with busybox's nslookup (through the task's resolver) and
          // sends GET with nc (busybox-static's wget dies of SIGSEGV in these task containers); the
          // answer's last line is the serving task's host name.
          command: ["sh", "-c", "for i in $(seq 1 40); do ip=$(nslookup api.internal.local | awk '/^Address: /{print $2}' | head -n 1); printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip 8080 | tail -n 1 | grep . || echo failed $ip; done; sleep 3600"],
        },
      ]),
    );
    const client = (
      await aws("ecs", "run-task", "--cluster", w.cluster, "--task-definition", "api-client",
        "--network-configuration", JSON.stringify({ awsvpcConfiguration: { subnets: [subnet] } }))
    ).tasks[0];
    const reached = await waitFor(
      async () => {
        const [t] = (await aws("ecs", "describe-tasks", "--cluster", w.cluster, "--tasks", client.taskArn)).tasks as Task[];
        const id = t?.containers[0]?.runtimeId;
        if (!id) return undefined;
        const { stdout } = await run("docker", ["logs", id]);
        const lines = stdout.trim().split("\n").filter(Boolean);
        seen = lines;
        return lines.length >= 40 ? lines : undefined;
      },
      { what: "the client's 40 requests", timeoutMs: 120_000, intervalMs: 500, detail: () => seen },
    );
    assert.ok(!reached.includes("failed"), reached.join(" | "));
    assert.deepEqual(new Set(reached), new Set(tasks.map((t) => `ip-${ipOf(t).replaceAll(".", "-")}`)), "all three tasks answered");
    await aws("ecs", "stop-task", "--cluster", w.cluster, "--task", client.taskArn);

    const svc = (await aws("ecs", "describe-services", "--cluster", w.cluster, "--services", "api")).services[0];
    assert.ok(
      svc.events.some((e: { message: string }) => /^\(service api\) registered \d instances in \(service-registry arn:aws:servicediscovery:/.test(e.message)),
      JSON.stringify(svc.events.slice(0, 6)),
    );

    // One task's health check starts failing: it leaves the registry; its replacement joins once healthy.
    const sick = tasks[0]!;
    await run("docker", ["exec", sick.containers[0]!.runtimeId!, "rm", "/tmp/healthy"]);
    await waitFor(
      async () => {
        const inst = await discover();
        seen = inst.map((i) => i.InstanceId);
        return !inst.some((i) => i.InstanceId === idOf(sick));
      },
      { what: "the unhealthy task deregistered", timeoutMs: 60_000, intervalMs: 500, detail: () => seen },
    );
    const after = await waitFor(
      async () => {
        const [ts, inst] = [await tasksOf(), await discover()];
        seen = { tasks: ts.map((t) => [idOf(t), t.lastStatus, t.healthStatus]), instances: inst.map((i) => i.InstanceId) };
        const healthy = ts.filter((t) => t.lastStatus === "RUNNING" && t.healthStatus === "HEALTHY" && idOf(t) !== idOf(sick));
        const ids = new Set(inst.map((i) => i.InstanceId));
        // Every registered instance is a healthy task's: nothing unhealthy is ever discoverable.
        if (![...ids].every((id) => healthy.some((t) => idOf(t) === id))) return undefined;
        return healthy.length === 3 && ids.size === 3 ? healthy : undefined;
      },
      { what: "a healthy replacement registered", timeoutMs: 120_000, intervalMs: 500, detail: () => seen },
    );
    assert.ok(!after.some((t) => idOf(t) === idOf(sick)));

    // StopTask: the instance is gone when the call returns, while the container still runs (it ignores SIGTERM for 20 s).
    const victim = after[0]!;
    await aws("ecs", "stop-task", "--cluster", w.cluster, "--task", victim.taskArn);
    const left = await discover();
    assert.ok(!left.some((i) => i.InstanceId === idOf(victim)), JSON.stringify(left.map((i) => i.InstanceId)));
    assert.equal(await running(victim.containers[0]!.runtimeId!), true, "its container is still running");
    const ops = (await aws("servicediscovery", "list-operations", "--filters", JSON.stringify([{ Name: "TYPE", Values: ["DEREGISTER_INSTANCE"], Condition: "EQ" }]))).Operations;
    assert.ok(ops.length >= 2, "deregistrations went through Cloud Map operations");
  });
});
