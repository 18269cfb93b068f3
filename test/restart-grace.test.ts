import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort } from "./helpers/agent-fixtures.js";
import { type Child, clientFor, killHard, startChild, startChildServer } from "./helpers/child-server.js";
import { waitFor } from "./helpers/wait.js";

/** Polls `check` until it returns a value (bounded); fails with `what` when it never does. */
function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return waitFor(check, { what }) as Promise<T>;
}

/**
 * Issue 18.6: right after kill -9 and restart of the control plane, RunTask keeps placing on
 * the instances whose agents are reconnecting (no `AGENT` failures), and the tasks placed
 * meanwhile reach RUNNING once the agents are back.
 */
describe("a control-plane restart is invisible to RunTask", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-restart-"));
  const children: Child[] = [];
  const clients: ECSClient[] = [];
  after(async () => {
    for (const c of clients) c.destroy();
    for (const c of children.reverse()) await killHard(c);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("kill -9 under RunTask load: no AGENT failures after the restart, every placed task runs", async () => {
    const port = await freePort();
    const first = await startChildServer(dataDir, port);
    children.push(first);
    const ecs = clientFor(dataDir, first.url);
    clients.push(ecs);
    await ecs.send(new CreateClusterCommand({ clusterName: "rg" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "rg-app",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32 }],
      }),
    );
    const agent = startChild([
      "agent", "--simulate", "3", "--endpoint", first.url, "--cluster", "rg",
      "--server-data-dir", dataDir, "--data-dir", join(dataDir, "agents"),
    ]);
    children.unshift(agent); // killed last
    const connected = async () => {
      const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "rg" }))).containerInstanceArns ?? [];
      if (arns.length < 3) return undefined;
      const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: "rg", containerInstances: arns }));
      return d.containerInstances!.every((i) => i.agentConnected) ? arns : undefined;
    };
    await until("three connected simulated instances", connected);

    // RunTask load from 4 workers across the kill; only answered calls count.
    let phase: "before" | "down" | "after" = "before";
    const answered = { before: 0, after: 0 };
    const agentFailures: string[] = [];
    const placed: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const at = phase;
        try {
          const out = await ecs.send(new RunTaskCommand({ cluster: "rg", taskDefinition: "rg-app" }));
          for (const f of out.failures ?? []) agentFailures.push(`${at}: ${f.reason}`);
          for (const t of out.tasks ?? []) placed.push(t.taskArn!);
          if (at !== "down") answered[at]++;
        } catch {
          await new Promise((r) => setTimeout(r, 20)); // the server is away: try again
        }
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    await until("20 RunTask answers before the kill", async () => (answered.before >= 20 ? true : undefined));
    phase = "down";
    await killHard(first);
    const second = await startChildServer(dataDir, port);
    children.push(second);
    phase = "after";
    await until("40 RunTask answers after the restart", async () => (answered.after >= 40 ? true : undefined));
    stop = true;
    await Promise.all(workers);

    assert.deepEqual(agentFailures, [], "RunTask never reports an instance as disconnected across the restart");
    // Every task placed (before, during or after) is delivered to its agent and runs.
    await until("every placed task RUNNING", async () => {
      for (let i = 0; i < placed.length; i += 100) {
        const d = await ecs.send(new DescribeTasksCommand({ cluster: "rg", tasks: placed.slice(i, i + 100) }));
        if (d.failures?.length) return undefined;
        if (!d.tasks!.every((t) => t.lastStatus === "RUNNING")) return undefined;
      }
      return true;
    });
  });
});
