import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningAgent, startAgent } from "../../src/agent/agent.js";
import { hex, ownLoopbackIp, removeInstanceContainers } from "./agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./harness.js";

const run = promisify(execFile);

/**
 * The CPU-burn scale-out world (test/autoscaling-cpu.test.ts, bench/time-to-scale-out.ts): a Wharf
 * with the fastest metric and alarm settings, a real agent sampling every `sampleMs`, and a
 * service `web` of one task (cpu 256 on a host that registers NCPU × 1024) whose container burns a
 * core while /tmp/burn exists. Everything through the aws CLI.
 */
export interface BurnWorld {
  h: TestWharf;
  agent: RunningAgent;
  cluster: string;
  resourceId: string;
  /** Creates (true) or removes (false) /tmp/burn in a task's container (docker exec on the test's own container). */
  burn(runtimeId: string, on: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Loops while /tmp/burn exists; otherwise checks once a second. SIGTERM ends it. */
export const BURNER = ["sh", "-c", 'trap "exit 0" TERM; while true; do while [ -f /tmp/burn ]; do :; done; sleep 1; done'];

export async function burnWorld(o: { sampleMs?: number; publishMs?: number; periodS?: number; evalMs?: number } = {}): Promise<BurnWorld> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const h = await startTestWharf({
      server: {
        serviceParams: { healthyAfterMs: 1_000 },
        alarmIntervalMs: o.evalMs ?? 10_000,
        autoscaling: { alarmPeriodS: o.periodS ?? 10 },
        ecsMetrics: { intervalMs: o.publishMs ?? 5_000 },
      },
    });
    cleanups.push(() => h.close());
    const cluster = `burn-${hex(4)}`;
    await h.aws("ecs", "create-cluster", "--cluster-name", cluster);
    const dir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    const agent = await startAgent({
      endpoint: h.server.url,
      cluster,
      dataDir: dir,
      hostIp: ownLoopbackIp(),
      credentials: h.server.credentials,
      pollWaitMs: 5_000,
      usageSampleMs: o.sampleMs ?? 2_000,
    });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    cleanups.push(() => agent.close());
    await h.aws(
      "ecs", "register-task-definition", "--family", "burn-app", "--cpu", "256", "--memory", "128",
      "--container-definitions", JSON.stringify([{ name: "app", image: "wharf-test/busybox:latest", command: BURNER, essential: true, stopTimeout: 2 }]),
    );
    await h.aws("ecs", "create-service", "--cluster", cluster, "--service-name", "web", "--task-definition", "burn-app", "--desired-count", "1");
    const burn = async (runtimeId: string, on: boolean) => {
      await run("docker", ["exec", runtimeId, "sh", "-c", on ? "touch /tmp/burn" : "rm -f /tmp/burn"]);
    };
    return { h, agent, cluster, resourceId: `service/${cluster}/web`, burn, close };
  } catch (err) {
    await close();
    throw err;
  }
}
