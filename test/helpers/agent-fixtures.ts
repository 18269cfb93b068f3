import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { ECS_LABELS, WHARF_LABELS } from "../../src/agent/container-config.js";
import { releaseTaskResources } from "../../src/agent/task-engine/task-resources.js";
import { DockerClient } from "../../src/agent/docker/client.js";
import { inspectNetwork, NETWORK_LABELS, removeSubnetNetworkIfUnused, subnetNetworkName } from "../../src/agent/network/docker-networks.js";
import type { TaskAssignment } from "../../src/contracts/agent-protocol.js";
import type {
  ContainerStateReport,
  Reporter,
  TaskStateReport,
} from "../../src/agent/task-engine/reporter.js";

export const ACCOUNT = "000000000000";
/** A loopback address of this test's own (127.0.x.y), so host ports it binds collide with no other test or user service. */
export const ownLoopbackIp = (): string => `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

export const hex = (n = 8): string => randomBytes(n).toString("hex");

/** A reporter that records every report in order and lets a test wait for one. */
export class RecordingReporter implements Reporter {
  readonly reports: ({ kind: "task"; body: TaskStateReport } | { kind: "container"; body: ContainerStateReport })[] = [];
  private waiters: (() => void)[] = [];
  async submitTaskStateChange(body: TaskStateReport): Promise<void> {
    this.reports.push({ kind: "task", body: structuredClone(body) });
    for (const w of this.waiters.splice(0)) w();
  }
  async submitContainerStateChange(body: ContainerStateReport): Promise<void> {
    this.reports.push({ kind: "container", body: structuredClone(body) });
    for (const w of this.waiters.splice(0)) w();
  }
  taskReports(taskArn: string): TaskStateReport[] {
    return this.reports.filter((r) => r.kind === "task" && r.body.task === taskArn).map((r) => r.body as TaskStateReport);
  }
  containerReports(taskArn: string): ContainerStateReport[] {
    return this.reports
      .filter((r) => r.kind === "container" && r.body.task === taskArn)
      .map((r) => r.body as ContainerStateReport);
  }
  /** Resolves the first task report of `taskArn` with `status`. */
  async waitTask(taskArn: string, status: string, timeoutMs = 20_000): Promise<TaskStateReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.taskReports(taskArn).find((r) => r.status === status);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`no ${status} report for ${taskArn}; got ${JSON.stringify(this.taskReports(taskArn))}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

export function makeAssignment(
  cluster: string,
  td: Record<string, unknown>,
  extra: Partial<TaskAssignment> = {},
): TaskAssignment {
  const clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${cluster}`;
  const taskId = hex(16);
  const defs = (td.containerDefinitions as { name: string }[]) ?? [];
  return {
    taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${cluster}/${taskId}`,
    clusterArn,
    taskDefinition: { revision: 1, ...td },
    containers: defs.map((d) => ({
      name: d.name,
      containerArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:container/${cluster}/${taskId}/${hex(16)}`,
    })),
    desiredStatus: "RUNNING",
    launchType: "EC2",
    createdAt: Date.now() / 1000,
    ...extra,
  };
}

/** A TCP port that was free a moment ago. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Removes every container (running or not) labelled with the given container instance ARN,
 * then their tasks' own volumes and cgroups (which a task loop that never finished left), and
 * the awsvpc subnet networks they were on once nothing else uses them (an agent closed with
 * tasks still running leaves those, as a killed agent would).
 */
export async function removeInstanceContainers(instanceArn: string): Promise<void> {
  const docker = new DockerClient();
  const list = await docker.listContainers({ [WHARF_LABELS.instanceArn]: instanceArn });
  const networks = new Set(
    list.flatMap((c) => Object.keys((c as { NetworkSettings?: { Networks?: Record<string, unknown> } }).NetworkSettings?.Networks ?? {})),
  );
  await Promise.all(list.map((c) => docker.removeContainer(c.Id)));
  const tasks = new Set(list.map((c) => c.Labels[ECS_LABELS.taskArn]).filter((t): t is string => !!t));
  await Promise.all([...tasks].map((t) => releaseTaskResources(docker, t)));
  for (const name of networks) {
    const net = await inspectNetwork(docker, name).catch(() => undefined);
    const subnetId = net?.Labels?.[NETWORK_LABELS.subnetId];
    if (subnetId && name === subnetNetworkName(subnetId)) await removeSubnetNetworkIfUnused(docker, subnetId);
  }
}
