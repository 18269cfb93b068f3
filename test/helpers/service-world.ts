import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import type { ServerOptions } from "../../src/server.js";
import { hex, removeInstanceContainers, ownLoopbackIp } from "./agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./harness.js";
import { waitFor } from "./wait.js";

/**
 * A Wharf server with real agents on the local Docker Engine, for service tests: agents with
 * their own host IPs, task definitions from busybox, SDK look-ups, and a poll-until helper.
 * `close()` stops everything and removes every container the agents made.
 */
export interface ServiceWorld {
  h: TestWharf;
  cluster: string;
  agent(): Promise<RunningAgent>;
  register(family: string, command: string[], extra?: Partial<ContainerDefinition>): Promise<string>;
  service(name: string): Promise<Service>;
  /** Every task of the cluster (or of a service), described; both desired statuses. */
  tasks(serviceName?: string): Promise<Task[]>;
  close(): Promise<void>;
}

/** Exits at once on SIGTERM, so scheduler stops take milliseconds, not the stop timeout. */
export const SLEEPER = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'];

export async function serviceWorld(server: Omit<ServerOptions, "dataDir" | "port"> = {}): Promise<ServiceWorld> {
  const h = await startTestWharf({ server });
  const cluster = `svc-${hex(4)}`;
  await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const cleanups: (() => Promise<unknown>)[] = [() => h.close()];
  const world: ServiceWorld = {
    h,
    cluster,
    async agent() {
      const dir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const hostIp = ownLoopbackIp();
      const agent = await startAgent({ endpoint: h.server.url, cluster, dataDir: dir, hostIp, credentials: h.server.credentials, pollWaitMs: 5_000 });
      cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
      cleanups.push(() => agent.close());
      return agent;
    },
    async register(family, command, extra = {}) {
      const out = await h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [
            { name: "app", image: "wharf-test/busybox:latest", command, memory: 32, cpu: 16, stopTimeout: 2, essential: true, ...extra },
          ],
        }),
      );
      return out.taskDefinition!.taskDefinitionArn!;
    },
    async service(name) {
      return (await h.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;
    },
    async tasks(serviceName) {
      const arns: string[] = [];
      for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
        let nextToken: string | undefined;
        do {
          const page = await h.ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken, ...(serviceName ? { serviceName } : {}) }));
          arns.push(...(page.taskArns ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      }
      const out: Task[] = [];
      for (let i = 0; i < arns.length; i += 100) {
        out.push(...((await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
      }
      return out;
    },
    async close() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
  return world;
}

/** Polls `fn` (waitFor in ./wait.ts) until it returns something, or fails after `timeoutMs`. */
export function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return waitFor(fn, { what, timeoutMs }) as Promise<T>;
}

/** A service with one deployment, COMPLETED, at `desired` running tasks. */
export const stableAt = (s: Service, desired: number) =>
  s.deployments?.length === 1 && s.deployments[0]!.rolloutState === "COMPLETED" && s.runningCount === desired && s.pendingCount === 0
    ? s
    : undefined;
