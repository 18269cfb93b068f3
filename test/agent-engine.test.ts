import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { ESSENTIAL_EXITED } from "../src/agent/task-engine/managed-task.js";
import { TaskEngine } from "../src/agent/task-engine/engine.js";
import {
  ACCOUNT,
  freePort,
  hex,
  makeAssignment,
  RecordingReporter,
  removeInstanceContainers,
} from "./helpers/agent-fixtures.js";
import { waitLogs } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

/** The task engine against the real Docker Engine, with a recording reporter instead of a control plane. */
describe("agent task engine (real Docker)", () => {
  const cluster = `engine-${hex(4)}`;
  const instanceArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${cluster}/${hex(16)}`;
  const docker = new DockerClient();
  const engines: TaskEngine[] = [];
  const newEngine = (reporter: RecordingReporter) => {
    const e = new TaskEngine({ docker, reporter, containerInstanceArn: instanceArn, hostIp: "127.0.0.1" });
    engines.push(e);
    return e;
  };

  after(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await removeInstanceContainers(instanceArn);
  });

  it("runs a bridge task with static and dynamic ports that answer on the host, then stops it", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const staticPort = await freePort();
    const a = makeAssignment(cluster, {
      family: "web",
      networkMode: "bridge",
      containerDefinitions: [
        { name: "static", image: "wharf-test/nginx:latest", memory: 64, stopTimeout: 2, portMappings: [{ containerPort: 80, hostPort: staticPort, protocol: "tcp" }] },
        { name: "dynamic", image: "wharf-test/nginx:latest", linuxParameters: { initProcessEnabled: true }, portMappings: [{ containerPort: 80, hostPort: 0 }] },
      ],
    });
    engine.apply([a]);
    const pending = await reporter.waitTask(a.taskArn, "PENDING");
    assert.equal(typeof pending.pullStartedAt, "number");
    const running = await reporter.waitTask(a.taskArn, "RUNNING");
    assert.ok(running.pullStoppedAt! >= running.pullStartedAt!);
    const byName = new Map(running.containers!.map((c) => [c.containerName, c]));
    const st = byName.get("static")!;
    const dyn = byName.get("dynamic")!;
    assert.equal(st.status, "RUNNING");
    assert.match(st.runtimeId!, /^[0-9a-f]{64}$/);
    assert.deepEqual(st.networkBindings, [{ bindIP: "127.0.0.1", containerPort: 80, hostPort: staticPort, protocol: "tcp" }]);
    assert.equal(dyn.networkBindings!.length, 1);
    const dynPort = dyn.networkBindings![0]!.hostPort!;
    assert.ok(dynPort > 0 && dynPort !== staticPort);
    for (const port of [staticPort, dynPort]) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Welcome to Wharf/);
    }
    const info = await docker.inspectContainer(st.runtimeId!);
    assert.equal(info.Config.Labels!["com.amazonaws.ecs.task-arn"], a.taskArn);
    assert.equal(info.Config.Labels!["com.amazonaws.ecs.container-name"], "static");
    assert.equal(info.Config.Labels![WHARF_LABELS.instanceArn], instanceArn);
    assert.match(info.Name, /^\/ecs-web-1-static-[0-9a-f]{20}$/);

    engine.apply([{ ...a, desiredStatus: "STOPPED", stoppedReason: "Task stopped by user" }]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.reason, "Task stopped by user");
    assert.equal(typeof stopped.executionStoppedAt, "number");
    for (const c of stopped.containers!) {
      assert.equal(c.status, "STOPPED");
      assert.equal(typeof c.exitCode, "number");
    }
    await engine.whenDone(a.taskArn);
    const left = await docker.listContainers({ "com.amazonaws.ecs.task-arn": a.taskArn });
    assert.equal(left.length, 0, "containers are removed once STOPPED is acknowledged");
    const statuses = reporter.taskReports(a.taskArn).map((r) => r.status);
    assert.deepEqual(statuses, ["PENDING", "RUNNING", "STOPPED"]);
  });

  it("runs host and none network modes: host ports are the container ports, none binds nothing", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const port = await freePort();
    const host = makeAssignment(cluster, {
      family: "hostnet",
      networkMode: "host",
      containerDefinitions: [
        { name: "web", image: "wharf-test/nginx:latest", stopTimeout: 1, command: ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", "/www"], portMappings: [{ containerPort: port }] },
      ],
    });
    const none = makeAssignment(cluster, {
      family: "nonet",
      networkMode: "none",
      containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", stopTimeout: 1, command: ["sleep", "1000"] }],
    });
    engine.apply([host, none]);
    const hr = await reporter.waitTask(host.taskArn, "RUNNING");
    assert.deepEqual(hr.containers![0]!.networkBindings, [{ bindIP: "127.0.0.1", containerPort: port, hostPort: port, protocol: "tcp" }]);
    const page = await waitFor(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()), { what: `the host-mode httpd on port ${port}`, timeoutMs: 10_000 });
    assert.match(page, /Welcome to Wharf/);
    const nr = await reporter.waitTask(none.taskArn, "RUNNING");
    assert.deepEqual(nr.containers![0]!.networkBindings, []);
    const info = await docker.inspectContainer(nr.containers![0]!.runtimeId!);
    assert.equal(info.HostConfig.NetworkMode, "none");
    engine.apply([{ ...host, desiredStatus: "STOPPED" }, { ...none, desiredStatus: "STOPPED" }]);
    await reporter.waitTask(host.taskArn, "STOPPED");
    await reporter.waitTask(none.taskArn, "STOPPED");
  });

  it("stops the task when an essential container exits with code 3, stopping the others", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "exit3",
      containerDefinitions: [
        { name: "main", image: "wharf-test/busybox:latest", command: ["sh", "-c", "sleep 0.5; exit 3"] },
        { name: "side", image: "wharf-test/busybox:latest", essential: false, stopTimeout: 1, command: ["sleep", "1000"] },
      ],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.reason, ESSENTIAL_EXITED);
    const main = stopped.containers!.find((c) => c.containerName === "main")!;
    const side = stopped.containers!.find((c) => c.containerName === "side")!;
    assert.equal(main.exitCode, 3);
    assert.equal(side.status, "STOPPED");
    assert.equal(side.exitCode, 137, "the sidecar ignores SIGTERM as PID 1 and is killed");
  });

  it("reports a non-essential container that exits alone and keeps the task running", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "sidecar",
      containerDefinitions: [
        { name: "main", image: "wharf-test/busybox:latest", command: ["sleep", "1000"], stopTimeout: 1 },
        { name: "job", image: "wharf-test/busybox:latest", essential: false, command: ["sh", "-c", "sleep 0.3; exit 7"] },
      ],
    });
    engine.apply([a]);
    await reporter.waitTask(a.taskArn, "RUNNING");
    const [report] = await waitFor(() => reporter.containerReports(a.taskArn).length > 0 && reporter.containerReports(a.taskArn), {
      what: "the non-essential container's report",
    });
    assert.equal(report?.containerName, "job");
    assert.equal(report?.status, "STOPPED");
    assert.equal(report?.exitCode, 7);
    assert.equal(engine.task(a.taskArn)?.status, "RUNNING");
    engine.apply([{ ...a, desiredStatus: "STOPPED" }]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.containers!.find((c) => c.containerName === "job")!.exitCode, 7);
  });

  it("kills a SIGTERM-ignoring container after its stopTimeout", async (tc) => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "stubborn",
      containerDefinitions: [
        { name: "app", image: "wharf-test/busybox:latest", stopTimeout: 2, command: ["sh", "-c", 'trap "" TERM; echo trapped; while true; do sleep 1; done'] },
      ],
    });
    engine.apply([a]);
    const running = await reporter.waitTask(a.taskArn, "RUNNING");
    // RUNNING comes at docker start; the shell sets its trap a moment later. Stop only after that.
    await waitLogs(running.containers![0]!.runtimeId!, "trapped");
    const t0 = Date.now();
    engine.apply([{ ...a, desiredStatus: "STOPPED" }]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    const took = Date.now() - t0;
    assert.ok(took >= 1900, `stopped after ${took} ms, before the 2 s stopTimeout`);
    tc.diagnostic(`stopped ${took} ms after the stop (stopTimeout 2 s)`);
    assert.equal(stopped.containers![0]!.exitCode, 137);
  });

  it("ECS_IMAGE_PULL_BEHAVIOR: always fails a task whose pull fails, cached copy or not; default falls back to it; prefer-cached does not pull", async () => {
    // wharf-test/busybox is cached here and pullable from nowhere.
    class CountingDocker extends DockerClient {
      pulls: string[] = [];
      override async pullImage(ref: string, signal?: AbortSignal, auth?: string): Promise<void> {
        this.pulls.push(ref);
        return super.pullImage(ref, signal, auth);
      }
    }
    const run = async (behavior: "always" | "prefer-cached" | "once" | "default", count = 1) => {
      const counting = new CountingDocker();
      const reporter = new RecordingReporter();
      const e = new TaskEngine({ docker: counting, reporter, containerInstanceArn: instanceArn, hostIp: "127.0.0.1", imagePullBehavior: behavior });
      engines.push(e);
      const stopped = [];
      for (let i = 0; i < count; i++) {
        const a = makeAssignment(cluster, { family: `pull-${behavior}`, containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["true"] }] });
        e.apply([a]);
        stopped.push(await reporter.waitTask(a.taskArn, "STOPPED"));
        await e.whenDone(a.taskArn);
      }
      return { stopped, pulls: counting.pulls };
    };
    const always = await run("always");
    assert.match(always.stopped[0]!.reason!, /^CannotPullContainerError: /);
    assert.deepEqual(always.pulls, ["wharf-test/busybox:latest"]);
    const fallback = await run("default");
    assert.equal(fallback.stopped[0]!.containers![0]!.exitCode, 0, "default: the failed pull falls back to the cached image");
    assert.deepEqual(fallback.pulls, ["wharf-test/busybox:latest"]);
    const cached = await run("prefer-cached", 2);
    assert.deepEqual(cached.stopped.map((t) => t.containers![0]!.exitCode), [0, 0]);
    assert.deepEqual(cached.pulls, [], "prefer-cached: no pull for a cached image");
  });

  it("ECS_IMAGE_PULL_BEHAVIOR=once: the first task pulls, later ones use the cached image", async () => {
    // The registry answers every pull (the image is cached, so nothing needs fetching): count them.
    class AnsweringDocker extends DockerClient {
      pulls = 0;
      override async pullImage(): Promise<void> {
        this.pulls++;
      }
    }
    const answering = new AnsweringDocker();
    const reporter = new RecordingReporter();
    const e = new TaskEngine({ docker: answering, reporter, containerInstanceArn: instanceArn, hostIp: "127.0.0.1", imagePullBehavior: "once" });
    engines.push(e);
    for (let i = 0; i < 3; i++) {
      const a = makeAssignment(cluster, { family: "pull-once", containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["true"] }] });
      e.apply([a]);
      assert.equal((await reporter.waitTask(a.taskArn, "STOPPED")).containers![0]!.exitCode, 0);
      await e.whenDone(a.taskArn);
    }
    assert.equal(answering.pulls, 1);
  });

  it("stops with CannotPullContainerError when the image is neither pullable nor cached", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "nopull",
      containerDefinitions: [{ name: "app", image: `wharf-missing/nothing-${hex(4)}:1` }],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.match(stopped.reason!, /^CannotPullContainerError: /);
    assert.match(stopped.containers![0]!.reason!, /^CannotPullContainerError: /);
    assert.equal(stopped.containers![0]!.runtimeId, undefined);
  });

  it("stops an awsvpc task the control plane gave no network interface, with a clear reason", async () => {
    const reporter = new RecordingReporter();
    const engine = newEngine(reporter);
    const a = makeAssignment(cluster, {
      family: "vpc",
      networkMode: "awsvpc",
      containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest" }],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.reason, "ResourceInitializationError: the control plane assigned no network interface to this awsvpc task");
  });

  it("adopts running containers after the engine is closed abruptly, without restarting them", async () => {
    const r1 = new RecordingReporter();
    const e1 = newEngine(r1);
    const a = makeAssignment(cluster, {
      family: "adopt",
      containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["sleep", "1000"], stopTimeout: 1 }],
    });
    e1.apply([a]);
    const running = await r1.waitTask(a.taskArn, "RUNNING");
    const id = running.containers![0]!.runtimeId!;
    const before = await docker.inspectContainer(id);
    await e1.close();
    assert.equal((await docker.inspectContainer(id)).State.Running, true, "closing the engine leaves containers running");

    const r2 = new RecordingReporter();
    const e2 = newEngine(r2);
    await e2.loadExisting();
    e2.apply([a]);
    const again = await r2.waitTask(a.taskArn, "RUNNING");
    assert.equal(again.containers![0]!.runtimeId, id);
    const afterInfo = await docker.inspectContainer(id);
    assert.equal(afterInfo.State.StartedAt, before.State.StartedAt);
    assert.equal(r2.taskReports(a.taskArn).some((r) => r.status === "PENDING"), false);
    const all = await docker.listContainers({ "com.amazonaws.ecs.task-arn": a.taskArn });
    assert.equal(all.length, 1, "no duplicate container");
    e2.apply([{ ...a, desiredStatus: "STOPPED" }]);
    await r2.waitTask(a.taskArn, "STOPPED");
  });
});
