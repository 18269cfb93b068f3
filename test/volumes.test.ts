import {
  ClientException,
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startAgent } from "../src/agent/agent.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { ESSENTIAL_EXITED } from "../src/agent/task-engine/managed-task.js";
import { TaskEngine } from "../src/agent/task-engine/engine.js";
import { inspectVolume, listVolumes, removeVolume } from "../src/agent/volumes/docker-volumes.js";
import { sharedVolumeMissing, VOLUME_LABELS } from "../src/agent/volumes/provision.js";
import { ACCOUNT, hex, makeAssignment, RecordingReporter, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const BUSYBOX = "wharf-test/busybox:latest";

/** Volumes against the real Docker Engine: the task engine directly, and once through the SDK. */
describe("task volumes (real Docker)", () => {
  const cluster = `volumes-${hex(4)}`;
  const instanceArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${cluster}/${hex(16)}`;
  const docker = new DockerClient();
  const dirs: string[] = [];
  const sharedVolumes: string[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "wharf-vol-"));
    dirs.push(d);
    return d;
  };
  const efsRoot = tempDir();
  const newEngine = () => {
    const reporter = new RecordingReporter();
    const e = new TaskEngine({ docker, reporter, containerInstanceArn: instanceArn, efsRoot });
    cleanups.push(() => e.close());
    return { engine: e, reporter };
  };

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await removeInstanceContainers(instanceArn);
    for (const v of await listVolumes(docker, { [WHARF_LABELS.instanceArn]: instanceArn })) await removeVolume(docker, v.Name).catch(() => undefined);
    for (const name of sharedVolumes) await removeVolume(docker, name).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("bind-mounts a host directory read-write, and read-only where mountPoints say so", async () => {
    const { engine, reporter } = newEngine();
    const rw = tempDir();
    const ro = tempDir();
    writeFileSync(join(rw, "in.txt"), "from the host\n");
    writeFileSync(join(ro, "fixed.txt"), "fixed\n");
    const a = makeAssignment(cluster, {
      family: "bind",
      volumes: [
        { name: "rw", host: { sourcePath: rw } },
        { name: "ro", host: { sourcePath: ro } },
      ],
      containerDefinitions: [
        {
          name: "app",
          image: BUSYBOX,
          mountPoints: [
            { sourceVolume: "rw", containerPath: "/data" },
            { sourceVolume: "ro", containerPath: "/ro", readOnly: true },
          ],
          command: ["sh", "-c", "cat /data/in.txt /ro/fixed.txt > /data/out.txt; if touch /ro/x 2>/dev/null; then echo writable; else echo read-only; fi > /data/ro.txt"],
        },
      ],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.reason, ESSENTIAL_EXITED);
    assert.equal(stopped.containers![0]!.exitCode, 0);
    assert.equal(readFileSync(join(rw, "out.txt"), "utf8"), "from the host\nfixed\n");
    assert.equal(readFileSync(join(rw, "ro.txt"), "utf8"), "read-only\n");
    assert.equal(existsSync(join(ro, "x")), false);
  });

  it("gives the task a scratch volume its containers share, and removes it when the task ends", async () => {
    const { engine, reporter } = newEngine();
    const a = makeAssignment(cluster, {
      family: "scratch",
      volumes: [{ name: "scratch", host: {} }, { name: "labelled", dockerVolumeConfiguration: { scope: "task", driver: "local", labels: { team: "wharf" } } }],
      containerDefinitions: [
        {
          name: "writer",
          image: BUSYBOX,
          essential: false,
          mountPoints: [{ sourceVolume: "scratch", containerPath: "/scratch" }],
          command: ["sh", "-c", "echo hello > /scratch/msg"],
        },
        {
          name: "reader",
          image: BUSYBOX,
          stopTimeout: 1,
          dependsOn: [{ containerName: "writer", condition: "SUCCESS" }],
          mountPoints: [
            { sourceVolume: "scratch", containerPath: "/in", readOnly: true },
            { sourceVolume: "labelled", containerPath: "/other" },
          ],
          command: ["sh", "-c", 'test "$(cat /in/msg)" = hello || exit 9; exec sleep 1000'],
        },
      ],
    });
    engine.apply([a]);
    const running = await reporter.waitTask(a.taskArn, "RUNNING");
    assert.equal(running.containers!.find((c) => c.containerName === "reader")!.status, "RUNNING");
    const vols = await listVolumes(docker, { [VOLUME_LABELS.taskArn]: a.taskArn });
    assert.equal(vols.length, 2);
    const byVolume = new Map(vols.map((v) => [v.Labels![VOLUME_LABELS.volume], v]));
    assert.match(byVolume.get("scratch")!.Name, /^ecs-scratch-1-scratch-[0-9a-f]{20}$/);
    assert.equal(byVolume.get("labelled")!.Labels!.team, "wharf");
    assert.equal(byVolume.get("labelled")!.Driver, "local");

    engine.apply([{ ...a, desiredStatus: "STOPPED" }]);
    await reporter.waitTask(a.taskArn, "STOPPED");
    await engine.whenDone(a.taskArn);
    assert.deepEqual(await listVolumes(docker, { [VOLUME_LABELS.taskArn]: a.taskArn }), [], "task-scoped volumes are removed with the task");
  });

  it("keeps a shared autoprovisioned volume after the task and reuses it by name", async () => {
    const { engine, reporter } = newEngine();
    const name = `wharf-shared-${hex(6)}`;
    sharedVolumes.push(name);
    const td = (family: string, command: string) => ({
      family,
      volumes: [{ name, dockerVolumeConfiguration: { scope: "shared", autoprovision: true, driver: "local", labels: { purpose: "test" } } }],
      containerDefinitions: [{ name: "app", image: BUSYBOX, mountPoints: [{ sourceVolume: name, containerPath: "/v" }], command: ["sh", "-c", command] }],
    });
    const first = makeAssignment(cluster, td("shared-a", "echo kept > /v/file"));
    engine.apply([first]);
    assert.equal((await reporter.waitTask(first.taskArn, "STOPPED")).containers![0]!.exitCode, 0);
    await engine.whenDone(first.taskArn);
    const vol = await inspectVolume(docker, name);
    assert.ok(vol, "the shared volume outlives its task");
    assert.equal(vol.Labels!.purpose, "test");

    const second = makeAssignment(cluster, td("shared-b", 'test "$(cat /v/file)" = kept'));
    engine.apply([second]);
    assert.equal((await reporter.waitTask(second.taskArn, "STOPPED")).containers![0]!.exitCode, 0, "the second task reads the first one's file");
  });

  it("fails a task whose shared volume is missing and may not be autoprovisioned", async () => {
    const { engine, reporter } = newEngine();
    const name = `wharf-absent-${hex(6)}`;
    const a = makeAssignment(cluster, {
      family: "noauto",
      volumes: [{ name, dockerVolumeConfiguration: { scope: "shared", autoprovision: false } }],
      containerDefinitions: [{ name: "app", image: BUSYBOX, mountPoints: [{ sourceVolume: name, containerPath: "/v" }], command: ["true"] }],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.reason, `ResourceInitializationError: ${sharedVolumeMissing(name)}`);
    assert.equal(stopped.containers![0]!.runtimeId, undefined, "no container was created");
    assert.equal(await inspectVolume(docker, name), undefined);
  });

  it("mounts another container's volumes with volumesFrom, read-only when asked", async () => {
    const { engine, reporter } = newEngine();
    const dir = tempDir();
    writeFileSync(join(dir, "shared.txt"), "via volumesFrom\n");
    const out = tempDir();
    const a = makeAssignment(cluster, {
      family: "vfrom",
      volumes: [{ name: "src", host: { sourcePath: dir } }, { name: "out", host: { sourcePath: out } }],
      containerDefinitions: [
        { name: "source", image: BUSYBOX, essential: false, mountPoints: [{ sourceVolume: "src", containerPath: "/srv/data" }], command: ["true"] },
        {
          name: "consumer",
          image: BUSYBOX,
          volumesFrom: [{ sourceContainer: "source", readOnly: true }],
          mountPoints: [{ sourceVolume: "out", containerPath: "/out" }],
          command: ["sh", "-c", "cat /srv/data/shared.txt > /out/copy.txt; if touch /srv/data/x 2>/dev/null; then echo writable; else echo read-only; fi >> /out/copy.txt"],
        },
      ],
    });
    engine.apply([a]);
    const stopped = await reporter.waitTask(a.taskArn, "STOPPED");
    assert.equal(stopped.containers!.find((c) => c.containerName === "consumer")!.exitCode, 0);
    assert.equal(readFileSync(join(out, "copy.txt"), "utf8"), "via volumesFrom\nread-only\n");
  });

  it("serves efsVolumeConfiguration from the EFS stand-in directory, shared between tasks", async () => {
    const { engine, reporter } = newEngine();
    const fsId = `fs-${hex(4)}`;
    const td = (family: string, command: string) => ({
      family,
      volumes: [{ name: "efs", efsVolumeConfiguration: { fileSystemId: fsId, rootDirectory: "/app/data" } }],
      containerDefinitions: [{ name: "app", image: BUSYBOX, mountPoints: [{ sourceVolume: "efs", containerPath: "/mnt/efs" }], command: ["sh", "-c", command] }],
    });
    const first = makeAssignment(cluster, td("efs-a", "echo on-efs > /mnt/efs/note"));
    engine.apply([first]);
    assert.equal((await reporter.waitTask(first.taskArn, "STOPPED")).containers![0]!.exitCode, 0);
    assert.equal(readFileSync(join(efsRoot, fsId, "app", "data", "note"), "utf8"), "on-efs\n");
    const second = makeAssignment(cluster, td("efs-b", 'test "$(cat /mnt/efs/note)" = on-efs'));
    engine.apply([second]);
    assert.equal((await reporter.waitTask(second.taskArn, "STOPPED")).containers![0]!.exitCode, 0);
  });

  it("through the SDK: refuses bad volume definitions, runs a bind mount and a scratch volume", async () => {
    const h = await startTestWharf();
    cleanups.push(() => h.close());
    const clusterName = `vol-sdk-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName }));
    const agentDir = tempDir();
    const agent = await startAgent({
      endpoint: h.server.url,
      cluster: clusterName,
      dataDir: agentDir,
      hostIp: "127.0.0.1",
      credentials: h.server.credentials,
      pollWaitMs: 5_000,
    });
    cleanups.push(async () => {
      await agent.close();
      await removeInstanceContainers(agent.containerInstanceArn);
    });

    const refused = async (input: Record<string, unknown>, message: RegExp) => {
      const err = await h.ecs.send(new RegisterTaskDefinitionCommand(input as never)).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ClientException, `expected ClientException, got ${String(err)}`);
      assert.match(err.message, message);
    };
    const app = { name: "app", image: BUSYBOX, memory: 32 };
    await refused(
      { family: "badvol", containerDefinitions: [{ ...app, mountPoints: [{ sourceVolume: "nope", containerPath: "/x" }] }] },
      /mountPoints.*'nope'/,
    );
    await refused(
      { family: "badvol", volumes: [{ name: "v", dockerVolumeConfiguration: { scope: "task", autoprovision: false } }], containerDefinitions: [app] },
      /^When 'scope' parameter is 'task', 'autoprovision' must either not be specified or set to 'True'\.$/,
    );
    await refused(
      { family: "badvol", volumes: [{ name: "v", host: { sourcePath: "/tmp" }, dockerVolumeConfiguration: { scope: "shared" } }], containerDefinitions: [app] },
      /only one of host, dockerVolumeConfiguration/,
    );

    const hostDir = tempDir();
    writeFileSync(join(hostDir, "in.txt"), "sdk\n");
    const reg = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "vol-sdk",
        volumes: [{ name: "host", host: { sourcePath: hostDir } }, { name: "scratch" }],
        containerDefinitions: [
          {
            ...app,
            stopTimeout: 1,
            mountPoints: [
              { sourceVolume: "host", containerPath: "/host" },
              { sourceVolume: "scratch", containerPath: "/scratch" },
            ],
            command: ["sh", "-c", "cp /host/in.txt /scratch/ && cp /scratch/in.txt /host/out.txt && exec sleep 1000"],
          },
        ],
      }),
    );
    assert.deepEqual(reg.taskDefinition!.volumes!.map((v) => v.name), ["host", "scratch"]);
    const run = await h.ecs.send(new RunTaskCommand({ cluster: clusterName, taskDefinition: "vol-sdk" }));
    const arn = run.tasks![0]!.taskArn!;
    let stoppedReason: string | undefined;
    await waitFor(
      async () => {
        const t = (await h.ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: [arn] }))).tasks![0]!;
        if (t.lastStatus === "STOPPED") stoppedReason = t.stoppedReason ?? "";
        return t.lastStatus === "RUNNING" || t.lastStatus === "STOPPED";
      },
      { what: "the volume task RUNNING" },
    );
    assert.equal(stoppedReason, undefined, `task stopped: ${stoppedReason}`);
    await waitFor(() => existsSync(join(hostDir, "out.txt")), { what: "the task's out.txt in the host directory" });
    assert.equal(readFileSync(join(hostDir, "out.txt"), "utf8"), "sdk\n");
    assert.equal((await listVolumes(docker, { [VOLUME_LABELS.taskArn]: arn })).length, 1, "one scratch volume for the task");
    await h.ecs.send(new StopTaskCommand({ cluster: clusterName, task: arn }));
    await agent.engine.whenDone(arn);
    assert.deepEqual(await listVolumes(docker, { [VOLUME_LABELS.taskArn]: arn }), []);
  });
});
