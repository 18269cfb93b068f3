import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { startAgent } from "../src/agent/agent.js";
import { hex, ownLoopbackIp, removeInstanceContainers } from "./helpers/agent-fixtures.js";
import { startTestWharf } from "./helpers/harness.js";
import { until } from "./helpers/service-world.js";

const run = promisify(execFile);

/** Task scale-in protection against a real agent and the real Docker Engine. */
describe("task protection (real Docker)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it("a task protected through $ECS_AGENT_URI survives a scale-in from 2 to 1 while the other stops", async () => {
    const h = await startTestWharf({ server: { serviceParams: { healthyAfterMs: 1_000 } } });
    cleanups.push(() => h.close());
    const cluster = `prot-${hex(4)}`;
    await h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const dir = mkdtempSync(join(tmpdir(), "wharf-agent-"));
    const agent = await startAgent({ endpoint: h.server.url, cluster, dataDir: dir, hostIp: ownLoopbackIp(), credentials: h.server.credentials, pollWaitMs: 5_000 });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => removeInstanceContainers(agent.containerInstanceArn));
    cleanups.push(() => agent.close());

    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "prot-app",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["sleep", "3600"], memory: 32, cpu: 16, stopTimeout: 2, essential: true }],
      }),
    );
    await h.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "prot-app", desiredCount: 2 }));
    const running = async (): Promise<Task[]> => {
      const arns = (await h.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns ?? [];
      if (!arns.length) return [];
      return ((await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter((t) => t.lastStatus === "RUNNING");
    };
    const two = await until("two running tasks", async () => {
      const ts = await running();
      return ts.length === 2 && ts.every((t) => t.containers?.[0]?.runtimeId) ? ts : undefined;
    }, 120_000);
    // Scale-in would stop the newest task first (rankForStop): protect that one, so protection is what saves it.
    const [keep, other] = [...two].sort((a, b) => b.startedAt!.getTime() - a.startedAt!.getTime()) as [Task, Task];
    const inKeep = (script: string) => run("docker", ["exec", keep.containers![0]!.runtimeId!, "sh", "-c", script]).then((r) => r.stdout);

    // From inside the task, as an application would: PUT then GET $ECS_AGENT_URI/task-protection/v1/state.
    const put = await inKeep(
      'u=${ECS_AGENT_URI#http://}; hp=${u%%/*}; p=/${u#*/}; b=\'{"ProtectionEnabled":true,"ExpiresInMinutes":60}\'; ' +
        // busybox nc stops reading at stdin's end: keep stdin open until the answer (the server closes an HTTP/1.0 exchange).
        '(printf "PUT %s/task-protection/v1/state HTTP/1.0\\r\\nHost: %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\n\\r\\n%s" "$p" "$hp" "${#b}" "$b"; sleep 5) | nc -w 10 "${hp%:*}" "${hp#*:}" | tail -n 1',
    );
    const putBody = JSON.parse(put.trim()) as { protection: { ProtectionEnabled: boolean; TaskArn: string; ExpirationDate: string } };
    assert.equal(putBody.protection.ProtectionEnabled, true);
    assert.equal(putBody.protection.TaskArn, keep.taskArn);
    const exp = Date.parse(putBody.protection.ExpirationDate);
    assert.ok(exp > Date.now() + 50 * 60_000 && exp <= Date.now() + 61 * 60_000, putBody.protection.ExpirationDate);
    const got = JSON.parse((await inKeep('wget -qO- "$ECS_AGENT_URI/task-protection/v1/state"')).trim()) as { protection: { ProtectionEnabled: boolean } };
    assert.equal(got.protection.ProtectionEnabled, true);

    // The ECS API sees the same, and answers as ECS does for what it cannot protect.
    const viaApi = await h.ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [keep.taskArn!, other.taskArn!] }));
    assert.deepEqual(
      viaApi.protectedTasks!.map((t) => [t.taskArn, t.protectionEnabled]),
      [
        [keep.taskArn, true],
        [other.taskArn, false],
      ],
    );
    assert.ok(viaApi.protectedTasks![0]!.expirationDate instanceof Date);
    const missing = await h.ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [keep.taskArn!.replace(/[0-9a-f]{4}$/, "0000")], protectionEnabled: true }));
    assert.deepEqual(missing.failures!.map((f) => f.reason), ["MISSING"]);
    await assert.rejects(h.ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [keep.taskArn!], protectionEnabled: true, expiresInMinutes: 3000 })), { name: "InvalidParameterException" });

    // Scale in: the unprotected task stops, the protected one keeps running.
    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 1 }));
    await until("the unprotected task STOPPED", async () => {
      const t = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: [other.taskArn!] }))).tasks![0]!;
      return t.lastStatus === "STOPPED" ? t : undefined;
    }, 120_000);
    const left = await running();
    assert.deepEqual(left.map((t) => t.taskArn), [keep.taskArn]);
    const inspect = JSON.parse((await run("docker", ["inspect", keep.containers![0]!.runtimeId!])).stdout) as { State: { Running: boolean } }[];
    assert.equal(inspect[0]!.State.Running, true);

    // Protection off: the next scale-in may take it.
    const off = await h.ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [keep.taskArn!], protectionEnabled: false }));
    assert.equal(off.protectedTasks![0]!.protectionEnabled, false);
    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 0 }));
    await until("the formerly protected task STOPPED", async () => {
      const t = (await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: [keep.taskArn!] }))).tasks![0]!;
      return t.lastStatus === "STOPPED" ? t : undefined;
    }, 120_000);
  });
});
