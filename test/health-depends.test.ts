import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startAgent } from "../src/agent/agent.js";
import { EcsAgentApi } from "../src/agent/api-client.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { ESSENTIAL_EXITED } from "../src/agent/task-engine/managed-task.js";
import { TaskEngine } from "../src/agent/task-engine/engine.js";
import type { TaskStateReport } from "../src/agent/task-engine/reporter.js";
import { ACCOUNT, hex, makeAssignment, RecordingReporter, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { waitFor as waitUntil } from "./helpers/wait.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const BUSYBOX = "wharf-test/busybox:latest";
const ms = (iso: string) => Date.parse(iso);

/** A reporter that holds the STOPPED acknowledgment until released, so a test can inspect the stopped containers. */
class GatedReporter extends RecordingReporter {
  private gate?: Promise<void>;
  release: () => void = () => undefined;
  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }
  override async submitTaskStateChange(body: TaskStateReport): Promise<void> {
    await super.submitTaskStateChange(body);
    if (body.status === "STOPPED" && this.gate) await this.gate;
  }
}

describe("health checks and dependsOn (real Docker)", { concurrency: true }, () => {
  const cluster = `health-${hex(4)}`;
  const instanceArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${cluster}/${hex(16)}`;
  const docker = new DockerClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  const newEngine = <R extends RecordingReporter>(reporter: R) => {
    const engine = new TaskEngine({ docker, reporter, containerInstanceArn: instanceArn });
    cleanups.push(() => engine.close());
    return engine;
  };
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await removeInstanceContainers(instanceArn);
  });

  async function describeOne(h: TestWharf, clusterName: string, arn: string): Promise<Task> {
    return (await h.ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: [arn] }))).tasks![0]!;
  }
  function waitFor(h: TestWharf, clusterName: string, arn: string, ok: (t: Task) => boolean, what: string, timeoutMs = 30_000): Promise<Task> {
    let t: Task | undefined;
    return waitUntil(
      async () => {
        t = await describeOne(h, clusterName, arn);
        return ok(t) ? t : undefined;
      },
      { what: `the task ${what}`, timeoutMs, intervalMs: 150, detail: () => ({
        last: t?.lastStatus,
        health: t?.healthStatus,
        why: t?.stoppedReason,
        containers: t?.containers?.map((c) => ({ name: c.name, last: c.lastStatus, health: c.healthStatus, exit: c.exitCode, reason: c.reason })),
      }) },
    );
  }

  it("through the SDK: a sidecar waits for its app to be HEALTHY; a failing check turns a task UNHEALTHY", async () => {
    const h = await startTestWharf();
    cleanups.push(() => h.close());
    const clusterName = `hd-sdk-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName }));
    const agentDir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    cleanups.push(async () => rmSync(agentDir, { recursive: true, force: true }));
    const agent = await startAgent({ endpoint: h.server.url, cluster: clusterName, dataDir: agentDir, credentials: h.server.credentials, pollWaitMs: 5_000 });
    cleanups.push(async () => {
      await agent.close();
      await removeInstanceContainers(agent.containerInstanceArn);
    });
    const ci = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: clusterName, containerInstances: [agent.containerInstanceArn] }));
    const attrs = new Set((ci.containerInstances![0]!.attributes ?? []).map((a) => a.name));
    assert.ok(attrs.has("ecs.capability.container-health-check"));
    assert.ok(attrs.has("ecs.capability.container-ordering"));

    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app-sidecar",
        containerDefinitions: [
          {
            name: "app",
            image: BUSYBOX,
            memory: 32,
            stopTimeout: 1,
            command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"],
            healthCheck: { command: ["CMD-SHELL", "test -f /tmp/ready"], interval: 5, timeout: 2, retries: 2 },
          },
          {
            name: "sidecar",
            image: BUSYBOX,
            memory: 32,
            stopTimeout: 1,
            command: ["sleep", "1000"],
            dependsOn: [{ containerName: "app", condition: "HEALTHY" }],
          },
        ],
      }),
    );
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "sick",
        containerDefinitions: [
          {
            name: "app",
            image: BUSYBOX,
            memory: 32,
            stopTimeout: 1,
            command: ["sleep", "1000"],
            healthCheck: { command: ["CMD-SHELL", "exit 1"], interval: 5, timeout: 2, retries: 1 },
          },
        ],
      }),
    );
    const [good, sick] = await Promise.all(
      ["app-sidecar", "sick"].map(async (family) => (await h.ecs.send(new RunTaskCommand({ cluster: clusterName, taskDefinition: family }))).tasks![0]!.taskArn!),
    );

    const pending = await waitFor(h, clusterName, good!, (t) => t.containers!.find((c) => c.name === "app")!.lastStatus === "RUNNING", "app RUNNING");
    assert.notEqual(pending.lastStatus, "RUNNING", "the task is not RUNNING while the sidecar waits");
    assert.equal(pending.containers!.find((c) => c.name === "sidecar")!.lastStatus, "PENDING");

    const running = await waitFor(h, clusterName, good!, (t) => t.lastStatus === "RUNNING", "RUNNING");
    const byName = new Map(running.containers!.map((c) => [c.name, c]));
    assert.equal(byName.get("app")!.healthStatus, "HEALTHY");
    assert.equal(byName.get("sidecar")!.healthStatus, "UNKNOWN", "no health check: UNKNOWN");
    assert.equal(running.healthStatus, "HEALTHY", "the only essential container with a check is HEALTHY");
    const app = await docker.inspectContainer(byName.get("app")!.runtimeId!);
    const side = await docker.inspectContainer(byName.get("sidecar")!.runtimeId!);
    const log = (app.State as unknown as { Health: { Log: { End: string; ExitCode: number }[] } }).Health.Log;
    const firstPass = log.find((l) => l.ExitCode === 0)!;
    assert.ok(ms(side.State.StartedAt) >= ms(firstPass.End), `sidecar started ${side.State.StartedAt}, app healthy at ${firstPass.End}`);
    assert.ok(ms(side.State.StartedAt) - ms(app.State.StartedAt) >= 4000, "the sidecar waited for the first health check (interval 5 s)");
    // The raw DescribeTasks JSON carries each container's start time (a Wharf extension the SDKs drop).
    const raw = await new EcsAgentApi(h.server.url, h.server.credentials, "us-east-1").call<{ tasks: { containers: { name: string; startedAt: number }[] }[] }>(
      "DescribeTasks",
      { cluster: clusterName, tasks: [good!] },
    );
    const started = new Map(raw.tasks[0]!.containers.map((c) => [c.name, c.startedAt]));
    assert.ok(started.get("sidecar")! - started.get("app")! >= 4, `startedAt: ${JSON.stringify([...started])}`);

    const unhealthy = await waitFor(h, clusterName, sick!, (t) => t.healthStatus === "UNHEALTHY", "UNHEALTHY");
    assert.equal(unhealthy.lastStatus, "RUNNING", "a standalone task keeps running whatever its health");
    assert.equal(unhealthy.containers![0]!.healthStatus, "UNHEALTHY");

    await Promise.all([good!, sick!].map((task) => h.ecs.send(new StopTaskCommand({ cluster: clusterName, task }))));
    await Promise.all([good!, sick!].map((arn) => agent.engine.whenDone(arn)));
  });

  it("SUCCESS and COMPLETE wait for the dependency to exit; an impossible SUCCESS stops the task", async () => {
    const reporter = new GatedReporter();
    const engine = newEngine(reporter);
    const td = (family: string, exit: number, condition: string) => ({
      family,
      containerDefinitions: [
        { name: "init", image: BUSYBOX, essential: false, command: ["sh", "-c", `sleep 0.5; exit ${exit}`] },
        { name: "app", image: BUSYBOX, stopTimeout: 1, command: ["sleep", "1000"], dependsOn: [{ containerName: "init", condition }] },
      ],
    });
    const success = makeAssignment(cluster, td("dep-success", 0, "SUCCESS"));
    const complete = makeAssignment(cluster, td("dep-complete", 3, "COMPLETE"));
    const impossible = makeAssignment(cluster, td("dep-impossible", 3, "SUCCESS"));
    engine.apply([success, complete, impossible]);

    for (const a of [success, complete]) {
      const running = await reporter.waitTask(a.taskArn, "RUNNING");
      const init = running.containers!.find((c) => c.containerName === "init")!;
      const app = running.containers!.find((c) => c.containerName === "app")!;
      assert.equal(init.status, "STOPPED");
      assert.equal(app.status, "RUNNING");
      const initInfo = await docker.inspectContainer(init.runtimeId!);
      const appInfo = await docker.inspectContainer(app.runtimeId!);
      assert.ok(ms(appInfo.State.StartedAt) >= ms(initInfo.State.FinishedAt), "app started after init exited");
      assert.ok(app.startedAt! >= init.startedAt!, "reported start times keep the order");
    }

    const stopped = await reporter.waitTask(impossible.taskArn, "STOPPED");
    assert.equal(stopped.reason, ESSENTIAL_EXITED);
    const app = stopped.containers!.find((c) => c.containerName === "app")!;
    assert.equal(app.exitCode, 143);
    assert.equal(
      app.reason,
      "CannotStartContainerError: dependency graph: failed to resolve container ordering dependency [init] for target [app] as dependency did not exit successfully.",
    );
    assert.equal(reporter.taskReports(impossible.taskArn).some((r) => r.status === "RUNNING"), false);
    engine.apply([{ ...success, desiredStatus: "STOPPED" }, { ...complete, desiredStatus: "STOPPED" }]);
    await Promise.all([success, complete, impossible].map((a) => engine.whenDone(a.taskArn)));
  });

  it("fails a HEALTHY wait on an unhealthy dependency, and a wait past the dependency's startTimeout", async (tc) => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    // Engine-level: a 1 s interval (below the 5 s registration floor) keeps the test fast.
    const hc = (cmd: string, retries: number) => ({ command: ["CMD-SHELL", cmd], interval: 1, timeout: 1, retries });
    const sick = makeAssignment(cluster, {
      family: "dep-unhealthy",
      containerDefinitions: [
        { name: "db", image: BUSYBOX, stopTimeout: 1, command: ["sleep", "1000"], healthCheck: hc("exit 1", 1) },
        { name: "web", image: BUSYBOX, stopTimeout: 1, command: ["sleep", "1000"], dependsOn: [{ containerName: "db", condition: "HEALTHY" }] },
      ],
    });
    const slow = makeAssignment(cluster, {
      family: "dep-timeout",
      containerDefinitions: [
        { name: "db", image: BUSYBOX, stopTimeout: 1, startTimeout: 2, command: ["sleep", "1000"], healthCheck: hc("test -f /never", 10) },
        { name: "web", image: BUSYBOX, stopTimeout: 1, command: ["sleep", "1000"], dependsOn: [{ containerName: "db", condition: "HEALTHY" }] },
      ],
    });
    const t0 = Date.now();
    engine.apply([sick, slow]);
    const s1 = await reporter.waitTask(sick.taskArn, "STOPPED");
    assert.equal(s1.reason, ESSENTIAL_EXITED);
    assert.equal(
      s1.containers!.find((c) => c.containerName === "web")!.reason,
      "CannotStartContainerError: dependency graph: failed to resolve container ordering dependency [db] for target [web] as dependency is unhealthy.",
    );
    const s2 = await reporter.waitTask(slow.taskArn, "STOPPED");
    const took = Date.now() - t0;
    assert.equal(
      s2.containers!.find((c) => c.containerName === "web")!.reason,
      "CannotStartContainerError: dependency graph: container ordering dependency [db] for target [web] has timed out.",
    );
    assert.ok(took >= 1800, `timed out after ${took} ms, before the 2 s startTimeout`);
    tc.diagnostic(`the dependency wait timed out after ${took} ms (startTimeout 2 s)`);
    const db = s2.containers!.find((c) => c.containerName === "db")!;
    assert.equal(db.healthStatus, "UNKNOWN", "still being evaluated when the wait ran out");
  });

  it("stops dependents before their dependencies", async () => {
    const reporter = new GatedReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "stop-order",
      containerDefinitions: [
        // The app exits at once on SIGTERM; the sidecar ignores it and is killed after 1 s.
        { name: "app", image: BUSYBOX, stopTimeout: 5, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"] },
        { name: "sidecar", image: BUSYBOX, stopTimeout: 1, command: ["sh", "-c", "trap '' TERM; sleep 1000 & wait"], dependsOn: [{ containerName: "app", condition: "START" }] },
      ],
    });
    engine.apply([a]);
    await reporter.waitTask(a.taskArn, "RUNNING");
    reporter.hold();
    engine.apply([{ ...a, desiredStatus: "STOPPED" }]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    const ids = new Map(stopped.containers!.map((c) => [c.containerName, c.runtimeId!]));
    const app = await docker.inspectContainer(ids.get("app")!);
    const side = await docker.inspectContainer(ids.get("sidecar")!);
    reporter.release();
    assert.equal(side.State.ExitCode, 137);
    assert.equal(app.State.ExitCode, 0);
    assert.ok(ms(app.State.FinishedAt) >= ms(side.State.FinishedAt), `app stopped ${app.State.FinishedAt}, sidecar ${side.State.FinishedAt}`);
    await engine.whenDone(a.taskArn);
  });
});
