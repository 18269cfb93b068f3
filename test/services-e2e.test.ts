import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { hex, removeInstanceContainers, ownLoopbackIp } from "./helpers/agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { until } from "./helpers/service-world.js";

/** Services against real agents and the real Docker Engine: convergence, healing, rollouts, rollback, DAEMON. */
describe("services end to end (real Docker)", () => {
  const docker = new DockerClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  async function setup(): Promise<{ h: TestWharf; cluster: string }> {
    // Tasks without health checks count as healthy after 1 s here (ECS: 40 s), to keep the test short.
    const h = await startTestWharf({ server: { serviceParams: { healthyAfterMs: 1_000 } } });
    cleanups.push(() => h.close());
    const cluster = `svc-e2e-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    return { h, cluster };
  }

  async function agentOn(h: TestWharf, cluster: string): Promise<RunningAgent> {
    const dir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    const hostIp = ownLoopbackIp();
    const agent = await startAgent({
      endpoint: h.server.url,
      cluster,
      dataDir: dir,
      hostIp,
      credentials: h.server.credentials,
      pollWaitMs: 5_000,
    });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    cleanups.push(() => agent.close());
    return agent;
  }

  async function register(h: TestWharf, family: string, command: string[]): Promise<string> {
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          { name: "app", image: "wharf-test/busybox:latest", command, memory: 32, cpu: 16, stopTimeout: 2, essential: true },
        ],
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  }

  async function service(h: TestWharf, cluster: string, name: string): Promise<Service> {
    const out = await h.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    return out.services![0]!;
  }

  const stable = (s: Service, desired: number) =>
    s.deployments?.length === 1 && s.runningCount === desired && s.desiredCount === desired ? s : undefined;

  it("converges, heals killed containers, rolls out a new revision, and rolls back a failing one", async (tc) => {
    const { h, cluster } = await setup();
    await agentOn(h, cluster);
    const rev1 = await register(h, "svc-app", ["sleep", "3600"]);

    // Created and awaited with the AWS CLI, as a user would.
    await h.aws(
      "ecs", "create-service", "--cluster", cluster, "--service-name", "web", "--task-definition", rev1,
      "--desired-count", "4", "--deployment-configuration", "minimumHealthyPercent=50,maximumPercent=200",
    );
    await h.aws("ecs", "wait", "services-stable", "--cluster", cluster, "--services", "web");
    const s1 = await service(h, cluster, "web");
    assert.equal(s1.runningCount, 4);
    assert.equal(s1.deployments?.length, 1);
    await until("steady-state event", async () => {
      const s = await service(h, cluster, "web");
      return s.events?.some((e) => /has reached a steady state/.test(e.message ?? "")) ? s : undefined;
    }, 10_000);

    // docker kill two of its containers: the service is back at 4 within seconds.
    const arns = (await h.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns!;
    assert.equal(arns.length, 4);
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
    const victims = tasks.slice(0, 2).map((t) => t.containers![0]!.runtimeId!);
    const killedAt = Date.now();
    await Promise.all(victims.map((id) => docker.killContainer(id)));
    await until("replacements", async () => {
      const s = await service(h, cluster, "web");
      const live = (await h.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns!;
      const fresh = live.filter((a) => !arns.includes(a));
      return s.runningCount === 4 && fresh.length === 2 ? s : undefined;
    }, 20_000);
    tc.diagnostic(`healed in ${Date.now() - killedAt} ms`);
    const s2 = await service(h, cluster, "web");
    const restarted = (s2.events ?? [])
      .filter((e) => e.createdAt!.getTime() >= killedAt - 1000)
      .map((e) => /has started (\d+) tasks/.exec(e.message ?? "")?.[1])
      .reduce((n, m) => n + Number(m ?? 0), 0);
    assert.equal(restarted, 2, JSON.stringify(s2.events?.slice(0, 5)));
    const stopped = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 2) }))).tasks!;
    assert.ok(stopped.every((t) => t.lastStatus === "STOPPED" && t.stopCode === "EssentialContainerExited"));

    // A new revision rolls out within min 50 / max 200 and completes.
    const rev2 = await register(h, "svc-app", ["sh", "-c", "exec sleep 3601"]);
    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: rev2 }));
    const s3 = await until("rollout to rev 2", async () => {
      const s = await service(h, cluster, "web");
      return stable(s, 4) && s.deployments![0]!.taskDefinition === rev2 && s.deployments![0]!.rolloutState === "COMPLETED"
        ? s
        : undefined;
    });
    assert.equal(s3.taskDefinition, rev2);

    // A revision whose container exits at once trips the circuit breaker and rolls back to rev 2.
    const bad = await register(h, "svc-app", ["sh", "-c", "exit 1"]);
    await h.ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: "web",
        taskDefinition: bad,
        deploymentConfiguration: {
          minimumHealthyPercent: 50,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      }),
    );
    const s4 = await until("rollback to rev 2", async () => {
      const s = await service(h, cluster, "web");
      return stable(s, 4) && s.deployments![0]!.taskDefinition === rev2 && s.deployments![0]!.rolloutState === "COMPLETED"
        ? s
        : undefined;
    }, 90_000);
    const text = (s4.events ?? []).map((e) => e.message).join("\n");
    assert.match(text, /deployment failed/);
    assert.match(text, /rolling back/i);
  });

  it("DAEMON: one task per instance, a new instance gets one, draining removes it", async () => {
    const { h, cluster } = await setup();
    const agents = [await agentOn(h, cluster), await agentOn(h, cluster), await agentOn(h, cluster)];
    const td = await register(h, "svc-daemon", ["sleep", "3600"]);
    await h.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "d", taskDefinition: td, schedulingStrategy: "DAEMON" }),
    );
    const perInstance = async () => {
      const arns = (await h.ecs.send(new ListTasksCommand({ cluster, serviceName: "d" }))).taskArns!;
      if (arns.length === 0) return new Map<string, number>();
      const ts = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
      const m = new Map<string, number>();
      for (const t of ts) if (t.lastStatus === "RUNNING") m.set(t.containerInstanceArn!, (m.get(t.containerInstanceArn!) ?? 0) + 1);
      return m;
    };
    await until("3 daemon tasks", async () => {
      const m = await perInstance();
      return m.size === 3 && [...m.values()].every((n) => n === 1) ? m : undefined;
    });
    agents.push(await agentOn(h, cluster));
    await until("4 daemon tasks", async () => {
      const m = await perInstance();
      return m.size === 4 && m.get(agents[3]!.containerInstanceArn) === 1 ? m : undefined;
    });
    await h.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [agents[0]!.containerInstanceArn], status: "DRAINING" }),
    );
    const m = await until("drained instance loses its task", async () => {
      const m = await perInstance();
      return m.size === 3 && !m.has(agents[0]!.containerInstanceArn) ? m : undefined;
    });
    assert.equal([...m.values()].reduce((a, b) => a + b, 0), 3);
  });
});
