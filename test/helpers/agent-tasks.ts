import { CreateClusterCommand, DescribeTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type AgentOptions, type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { DockerClient } from "../../src/agent/docker/client.js";
import { inspectNetwork, subnetNetworkName } from "../../src/agent/network/docker-networks.js";
import { call } from "../../src/agent/docker/transport.js";
import { hex, removeInstanceContainers, ownLoopbackIp } from "./agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./harness.js";
import { waitFor } from "./wait.js";

const run = promisify(execFile);

/**
 * A control plane, a unique cluster and a real agent in-process (as test/agent-e2e.test.ts
 * does), with everything they create registered for cleanup: containers of the instance and
 * the Docker networks of the subnets a test names.
 */
export class AgentWorld {
  readonly docker = new DockerClient();
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  h!: TestWharf;
  cluster = "";
  hostIp = "";
  agentDir = "";

  async start(prefix: string, server?: NonNullable<Parameters<typeof startTestWharf>[0]>["server"]): Promise<this> {
    this.h = await startTestWharf(server ? { server } : {});
    this.cleanups.push(() => this.h.close());
    this.cluster = `${prefix}-${hex(4)}`;
    await this.h.ecs.send(new CreateClusterCommand({ clusterName: this.cluster }));
    this.hostIp = ownLoopbackIp();
    this.agentDir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    this.cleanups.push(async () => rmSync(this.agentDir, { recursive: true, force: true }));
    return this;
  }

  async agent(extra: Partial<AgentOptions> = {}): Promise<RunningAgent> {
    const agent = await startAgent({
      endpoint: this.h.server.url,
      cluster: this.cluster,
      dataDir: this.agentDir,
      hostIp: this.hostIp,
      credentials: this.h.server.credentials,
      pollWaitMs: 5_000,
      ...extra,
    });
    this.cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    this.cleanups.push(() => agent.close());
    return agent;
  }

  /** Registers a cleanup of the test's own (run at close(), before the world's own, in reverse order). */
  defer(cleanup: () => Promise<unknown> | unknown): void {
    this.cleanups.push(async () => cleanup());
  }

  /** Removes these subnets' Docker networks at the end (after the containers). */
  subnets(...ids: string[]): string[] {
    this.cleanups.unshift(() => Promise.all(ids.map((id) => removeNetwork(this.docker, subnetNetworkName(id)))));
    return ids;
  }

  /**
   * The ids of the first `n` default subnets of the world's Wharf (one per Availability Zone,
   * us-east-1a first; inside its own 10.X.0.0/16), their Docker networks removed at the end.
   */
  async defaultSubnets(n = 1): Promise<string[]> {
    return this.subnets(...(await defaultSubnetIds(this.h)).slice(0, n));
  }

  async describe(arns: string[]): Promise<Task[]> {
    return (await this.h.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns }))).tasks ?? [];
  }

  async waitTasks(arns: string[], status: string, timeoutMs = 30_000): Promise<Task[]> {
    let tasks: Task[] = [];
    return waitFor(
      async () => {
        tasks = await this.describe(arns);
        return tasks.length === arns.length && tasks.every((t) => t.lastStatus === status) ? tasks : undefined;
      },
      { what: `tasks ${status}`, timeoutMs, detail: () => tasks.map((t) => [t.lastStatus, t.stoppedReason]) },
    );
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.reverse()) await c().catch(() => undefined);
    this.h?.ec2.destroy();
  }
}

/** Removes a Docker network and whatever containers are still attached to it. */
export async function removeNetwork(docker: DockerClient, name: string): Promise<void> {
  const net = await inspectNetwork(docker, name).catch(() => undefined);
  if (!net) return;
  for (const id of Object.keys(net.Containers ?? {})) await docker.removeContainer(id).catch(() => undefined);
  await call(docker.endpoint, { method: "DELETE", path: `/networks/${encodeURIComponent(net.Id)}` }).catch(() => undefined);
}

/** A subnet id no Wharf knows (for tests of the refusal). */
export const unknownSubnet = (): string => `subnet-${hex(8).slice(0, 17)}`;

/** The default subnets' ids of a test Wharf, in zone order (us-east-1a, b, …). */
export async function defaultSubnetIds(h: TestWharf): Promise<string[]> {
  const { Subnets } = await h.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }));
  return (Subnets ?? []).sort((a, b) => (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? "")).map((s) => s.SubnetId!);
}

/** `docker logs` of a container (stdout and stderr). */
export async function dockerLogs(id: string): Promise<string> {
  const { stdout, stderr } = await run("docker", ["logs", id], { maxBuffer: 16 << 20 });
  return stdout + stderr;
}

/** Waits until the container's logs contain `marker`; resolves the logs. */
export async function waitLogs(id: string, marker: string, timeoutMs = 20_000): Promise<string> {
  let logs = "";
  return waitFor(
    async () => {
      logs = await dockerLogs(id).catch(() => "");
      return logs.includes(marker) ? logs : undefined;
    },
    { what: `'${marker}' in the logs of ${id}`, timeoutMs, intervalMs: 150, detail: () => logs },
  );
}

/** The text between `BEGIN-<name>` and `END-<name>` lines of a container's output. */
export function between(logs: string, name: string): string {
  const start = logs.indexOf(`BEGIN-${name}\n`);
  const end = logs.indexOf(`END-${name}`, start);
  if (start < 0 || end < 0) throw new Error(`no ${name} section in: ${logs}`);
  return logs.slice(start + `BEGIN-${name}\n`.length, end).trim();
}
