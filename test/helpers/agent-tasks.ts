import { CreateClusterCommand, DescribeTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type AgentOptions, type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { DockerClient } from "../../src/agent/docker/client.js";
import { inspectNetwork, subnetNetworkName } from "../../src/agent/network/docker-networks.js";
import { call } from "../../src/agent/docker/transport.js";
import { hex, removeInstanceContainers } from "./agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./harness.js";

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

  async start(prefix: string): Promise<this> {
    this.h = await startTestWharf();
    this.cleanups.push(() => this.h.close());
    this.cluster = `${prefix}-${hex(4)}`;
    await this.h.ecs.send(new CreateClusterCommand({ clusterName: this.cluster }));
    this.hostIp = `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
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

  /** Removes these subnets' Docker networks at the end (after the containers). */
  subnets(...ids: string[]): string[] {
    this.cleanups.unshift(() => Promise.all(ids.map((id) => removeNetwork(this.docker, subnetNetworkName(id)))));
    return ids;
  }

  async describe(arns: string[]): Promise<Task[]> {
    return (await this.h.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns }))).tasks ?? [];
  }

  async waitTasks(arns: string[], status: string, timeoutMs = 30_000): Promise<Task[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tasks = await this.describe(arns);
      if (tasks.length === arns.length && tasks.every((t) => t.lastStatus === status)) return tasks;
      if (Date.now() > deadline) {
        throw new Error(`tasks not ${status}: ${JSON.stringify(tasks.map((t) => [t.lastStatus, t.stoppedReason]))}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** Removes a Docker network and whatever containers are still attached to it. */
export async function removeNetwork(docker: DockerClient, name: string): Promise<void> {
  const net = await inspectNetwork(docker, name).catch(() => undefined);
  if (!net) return;
  for (const id of Object.keys(net.Containers ?? {})) await docker.removeContainer(id).catch(() => undefined);
  await call(docker.endpoint, { method: "DELETE", path: `/networks/${encodeURIComponent(net.Id)}` }).catch(() => undefined);
}

/** A subnet id no other test uses. */
export const uniqueSubnet = (): string => `subnet-${hex(8).slice(0, 17)}`;

/** `docker logs` of a container (stdout and stderr). */
export async function dockerLogs(id: string): Promise<string> {
  const { stdout, stderr } = await run("docker", ["logs", id], { maxBuffer: 16 << 20 });
  return stdout + stderr;
}

/** Waits until the container's logs contain `marker`; resolves the logs. */
export async function waitLogs(id: string, marker: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const logs = await dockerLogs(id).catch(() => "");
    if (logs.includes(marker)) return logs;
    if (Date.now() > deadline) throw new Error(`no '${marker}' in the logs of ${id}: ${logs}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The text between `BEGIN-<name>` and `END-<name>` lines of a container's output. */
export function between(logs: string, name: string): string {
  const start = logs.indexOf(`BEGIN-${name}\n`);
  const end = logs.indexOf(`END-${name}`, start);
  if (start < 0 || end < 0) throw new Error(`no ${name} section in: ${logs}`);
  return logs.slice(start + `BEGIN-${name}\n`.length, end).trim();
}
