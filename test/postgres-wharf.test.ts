import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { type Child, clientFor, killHard, startChildServer } from "./helpers/child-server.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { type PgCluster, pgSkipReason, startPgCluster } from "./helpers/pg-cluster.js";
import { waitFor } from "./helpers/wait.js";

/** Rows of one kind in a Wharf database, read straight from PostgreSQL. */
async function countRows(url: string, kind: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>("SELECT count(*) AS n FROM records WHERE kind = $1", [kind]);
    return Number(res.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** A whole Wharf on PostgreSQL: the ECS API, controllers and a real agent with real Docker. */
describe("Wharf on PostgreSQL", { skip: pgSkipReason() }, () => {
  let cluster: PgCluster | undefined;
  let dbs = 0;
  const newDb = async () => {
    const name = `wharf_${++dbs}`;
    await cluster!.createDatabase(name);
    return cluster!.url(name);
  };
  before(async () => {
    cluster = await startPgCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("ECS flow: register, run a task in Docker, describe, stop; the state is PostgreSQL's and outlives the server", async (t) => {
    const url = await newDb();
    const w = new AgentWorld();
    t.after(() => w.close());
    await w.start("pg-flow", { store: url });
    const { h } = w;
    const agent = await w.agent();
    const reg = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "pg-sleeper",
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", command: ["sleep", "100000"], cpu: 16, memory: 32, stopTimeout: 1 }],
      }),
    );
    assert.equal(reg.taskDefinition?.revision, 1);
    const run = await h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "pg-sleeper", count: 2 }));
    assert.deepEqual(run.failures, []);
    const arns = run.tasks!.map((x) => x.taskArn!);
    const running = await w.waitTasks(arns, "RUNNING");
    for (const task of running) assert.match(task.containers![0]!.runtimeId!, /^[0-9a-f]{64}$/);
    const containers = await w.docker.listContainers({ [WHARF_LABELS.instanceArn]: agent.containerInstanceArn });
    assert.equal(containers.length, 2, "two real containers");
    // The records are PostgreSQL's; the data dir holds no SQLite store, only the local log events file.
    assert.equal(await countRows(url, "task"), 2);
    assert.equal(await countRows(url, "container-instance"), 1);
    assert.equal(existsSync(join(h.dataDir, "wharf.db")), false);
    assert.equal(existsSync(join(h.dataDir, "logs.db")), true);

    for (const task of arns) await h.ecs.send(new StopTaskCommand({ cluster: w.cluster, task, reason: "pg flow done" }));
    const stopped = await w.waitTasks(arns, "STOPPED");
    for (const task of stopped) {
      assert.equal(task.stopCode, "UserInitiated");
      assert.equal(task.stoppedReason, "pg flow done");
    }
    for (const arn of arns) await agent.engine.whenDone(arn);
    assert.equal((await w.docker.listContainers({ [WHARF_LABELS.instanceArn]: agent.containerInstanceArn })).length, 0);

    // A new server process on the same database describes the same tasks.
    await agent.close();
    await h.stop();
    await h.restart();
    const again = await w.describe(arns);
    assert.deepEqual(
      again.map((x) => [x.taskArn, x.lastStatus, x.stoppedReason]),
      stopped.map((x) => [x.taskArn, "STOPPED", "pg flow done"]),
    );
    const td = await h.ecs.send(new RegisterTaskDefinitionCommand({ family: "pg-sleeper", containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32 }] }));
    assert.equal(td.taskDefinition?.revision, 2, "the revision sequence lives in the database");
  });

  it("`wharf server --store postgres://…`: every answered write survives kill -9, seen by a server with a fresh data dir", async (t) => {
    const url = await newDb();
    const dirs = [mkdtempSync(join(tmpdir(), "wharf-pg-a-")), mkdtempSync(join(tmpdir(), "wharf-pg-b-"))];
    const children: Child[] = [];
    t.after(async () => {
      for (const c of children) await killHard(c);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const first = await startChildServer(dirs[0]!, 0, { args: ["--store", url] });
    children.push(first);
    const ecs = clientFor(dirs[0]!, first.url);
    const acked: string[] = [];
    const ackedFamilies: string[] = [];
    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const name = `pgp-${n}-${i}`;
        try {
          await ecs.send(new CreateClusterCommand({ clusterName: name, tags: [{ key: "n", value: name }] }));
          acked.push(name);
          if (i % 4 === 0) {
            await ecs.send(new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }] }));
            ackedFamilies.push(name);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, n) => worker(n));
    await waitFor(() => acked.length >= 60, { what: "60 acknowledged writes", intervalMs: 5 });
    await killHard(first);
    stop = true;
    await Promise.all(workers);
    ecs.destroy();

    // The second server knows the store from WHARF_STORE, and has nothing of the first's data dir.
    const second = await startChildServer(dirs[1]!, 0, { env: { WHARF_STORE: url } });
    children.push(second);
    const ecs2 = clientFor(dirs[1]!, second.url);
    t.after(() => ecs2.destroy());
    for (let i = 0; i < acked.length; i += 100) {
      const batch = acked.slice(i, i + 100);
      const d = await ecs2.send(new DescribeClustersCommand({ clusters: batch, include: ["TAGS"] }));
      assert.deepEqual(d.failures, [], "no acknowledged cluster is missing");
      assert.equal(d.clusters?.length, batch.length);
      for (const c of d.clusters ?? []) assert.deepEqual(c.tags, [{ key: "n", value: c.clusterName }]);
    }
    for (const family of ackedFamilies) {
      const td = await ecs2.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      assert.equal(td.taskDefinition?.family, family);
    }
    assert.ok((await countRows(url, "cluster")) >= acked.length);
  });

  it("refuses a --store it does not know, naming the forms it takes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-pg-bad-"));
    try {
      await assert.rejects(startChildServer(dir, 0, { args: ["--store", "mysql://x"] }), /--store must be 'sqlite' or a PostgreSQL URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
