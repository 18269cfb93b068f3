import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startAgent } from "../src/agent/agent.js";
import { DockerClient } from "../src/agent/docker/client.js";
import type { CreateContainerBody } from "../src/agent/docker/types.js";
import { applyContainerLimits, cgroupSupport, taskCgroupParent } from "../src/agent/limits.js";
import { TaskEngine } from "../src/agent/task-engine/engine.js";
import { ACCOUNT, hex, makeAssignment, RecordingReporter, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const BUSYBOX = "wharf-test/busybox:latest";
const MiB = 1024 * 1024;
const CG = "/sys/fs/cgroup";
const read = (path: string) => readFileSync(path, "utf8").trim();
const cgroupDirs = (taskArn: string) => readdirSync(CG).map((c) => join(CG, c, taskCgroupParent(taskArn))).filter((d) => existsSync(d));

describe("resource limits (real Docker)", () => {
  const cluster = `limits-${hex(4)}`;
  const instanceArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${cluster}/${hex(16)}`;
  const docker = new DockerClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await removeInstanceContainers(instanceArn);
  });

  it("through the SDK: a memory hog in a task with memory 64 is OOM-killed and reported as ECS does", async () => {
    const support = await cgroupSupport(docker);
    const h = await startTestWharf();
    cleanups.push(() => h.close());
    const clusterName = `oom-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName }));
    const agentDir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    cleanups.push(async () => rmSync(agentDir, { recursive: true, force: true }));
    const agent = await startAgent({ endpoint: h.server.url, cluster: clusterName, dataDir: agentDir, credentials: h.server.credentials, pollWaitMs: 5_000 });
    cleanups.push(async () => {
      await agent.close();
      await removeInstanceContainers(agent.containerInstanceArn);
    });
    // The container has no limit of its own: only the task's 64 MiB bounds it.
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "hog",
        memory: "64",
        containerDefinitions: [{ name: "hog", image: BUSYBOX, command: ["sh", "-c", "x=a; while true; do x=$x$x; done"] }],
      }),
    );
    const arn = (await h.ecs.send(new RunTaskCommand({ cluster: clusterName, taskDefinition: "hog" }))).tasks![0]!.taskArn!;
    let last: Task | undefined;
    const t = await waitFor(
      async () => {
        last = (await h.ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: [arn] }))).tasks![0]!;
        return last.lastStatus === "STOPPED" ? last : undefined;
      },
      { what: "the memory hog's task STOPPED", detail: () => last?.lastStatus },
    );
    assert.equal(t.stoppedReason, "Essential container in task exited");
    assert.equal(t.stopCode, "EssentialContainerExited");
    assert.equal(t.memory, "64");
    const c = t.containers![0]!;
    assert.equal(c.reason, "OutOfMemoryError: Container killed due to memory usage");
    assert.equal(c.exitCode, 137);
    await agent.engine.whenDone(arn);
    if (support.mode === "cgroup-v1") assert.deepEqual(cgroupDirs(arn), [], "the task cgroup is removed after the task");
  });

  it("container cpu/memory/memoryReservation and the task cgroup limits are visible; the task's CPU is capped", async (t) => {
    const support = await cgroupSupport(docker);
    if (support.mode !== "cgroup-v1") return t.skip(`no task cgroups here: ${support.reason}`);
    const reporter = new RecordingReporter();
    const engine = new TaskEngine({ docker, reporter, containerInstanceArn: instanceArn });
    cleanups.push(() => engine.close());
    const a = makeAssignment(
      cluster,
      {
        family: "limits",
        cpu: "256",
        memory: "128",
        containerDefinitions: [
          { name: "app", image: BUSYBOX, cpu: 100, memory: 64, memoryReservation: 32, stopTimeout: 1, command: ["sleep", "1000"] },
          { name: "burner", image: BUSYBOX, stopTimeout: 1, command: ["sh", "-c", "while :; do :; done"] },
        ],
      },
      { cpu: "256", memory: "128" },
    );
    engine.apply([a]);
    const running = await reporter.waitTask(a.taskArn, "RUNNING");
    const ids = new Map(running.containers!.map((c) => [c.containerName, c.runtimeId!]));
    const parent = taskCgroupParent(a.taskArn);
    const app = (await docker.inspectContainer(ids.get("app")!)) as unknown as { HostConfig: Record<string, unknown> };
    assert.equal(app.HostConfig.CpuShares, 100);
    assert.equal(app.HostConfig.Memory, 64 * MiB);
    assert.equal(app.HostConfig.MemorySwap, 64 * MiB, "no swap: MemorySwap = Memory");
    assert.equal(app.HostConfig.MemoryReservation, 32 * MiB);
    assert.equal(app.HostConfig.CgroupParent, parent);
    const burner = (await docker.inspectContainer(ids.get("burner")!)) as unknown as { HostConfig: Record<string, unknown> };
    assert.equal(burner.HostConfig.CpuShares, 2, "ECS's floor of 2 shares");
    assert.equal(burner.HostConfig.CgroupParent, parent);

    assert.equal(read(join(CG, "memory", parent, "memory.limit_in_bytes")), String(128 * MiB));
    if (existsSync(join(CG, "memory", parent, "memory.memsw.limit_in_bytes"))) {
      assert.equal(read(join(CG, "memory", parent, "memory.memsw.limit_in_bytes")), String(128 * MiB));
    }
    assert.equal(read(join(CG, "cpu", parent, "cpu.cfs_period_us")), "100000");
    assert.equal(read(join(CG, "cpu", parent, "cpu.cfs_quota_us")), "25000");

    // 256 CPU units = a quarter of a CPU for the whole task, however busy its containers are:
    // 300 ms of CPU take at least 1.2 s of wall time (a busier machine only makes it longer).
    const usage = () => Number(read(join(CG, "cpuacct", parent, "cpuacct.usage")));
    const u0 = usage();
    const w0 = process.hrtime.bigint();
    const CPU_NS = 300e6;
    await waitFor(() => usage() - u0 >= CPU_NS, { what: "the busy task to use 300 ms of CPU", timeoutMs: 60_000, intervalMs: 20 });
    const share = (usage() - u0) / Number(process.hrtime.bigint() - w0);
    t.diagnostic(`task CPU use with a busy loop under cpu 256: ${share.toFixed(3)} CPU`);
    assert.ok(share < 0.4, `the task used ${share.toFixed(2)} CPU (quota 0.25)`);

    engine.apply([{ ...a, desiredStatus: "STOPPED" }]);
    await reporter.waitTask(a.taskArn, "STOPPED");
    await engine.whenDone(a.taskArn);
    assert.deepEqual(cgroupDirs(a.taskArn), [], "every controller's /wharf/<task id> is removed");
  });

  it("without task cgroups, caps each container at the task's limits instead", () => {
    const body = (): CreateContainerBody => ({ Image: "x", Labels: {}, HostConfig: {} });
    const b1 = body();
    applyContainerLimits(b1, { fallback: { memoryMiB: 64, cpuUnits: 512 }, maxSwapGiven: false });
    assert.deepEqual(b1.HostConfig, { Memory: 64 * MiB, MemorySwap: 64 * MiB, CpuPeriod: 100000, CpuQuota: 50000 });
    const b2 = body();
    b2.HostConfig.Memory = 32 * MiB;
    applyContainerLimits(b2, { cgroupParent: "/wharf/t", fallback: { memoryMiB: 64 }, maxSwapGiven: false });
    assert.deepEqual(b2.HostConfig, { Memory: 32 * MiB, MemorySwap: 32 * MiB, CgroupParent: "/wharf/t" });
    const b3 = body();
    b3.HostConfig.Memory = 32 * MiB;
    b3.HostConfig.MemorySwap = 48 * MiB;
    applyContainerLimits(b3, { maxSwapGiven: true });
    assert.equal(b3.HostConfig.MemorySwap, 48 * MiB, "linuxParameters.maxSwap wins");
  });
});
