import { CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { electLeader, type Leadership } from "../src/store/leader-election.js";
import { PostgresStore } from "../src/store/postgres.js";
import { FencedOut, type WriteOp } from "../src/store/store.js";
import { type Child, clientFor, killHard, startChildServer } from "./helpers/child-server.js";
import { type PgCluster, pgSkipReason, startPgCluster } from "./helpers/pg-cluster.js";
import { waitFor } from "./helpers/wait.js";

const put = (id: string, value: unknown): WriteOp => ({ op: "put", kind: "meta", id, value });

/** The "leads" lines a child Wharf logged: {holder, token} each. */
function leaderLines(c: Child): { holder: string; token: number }[] {
  return c
    .output()
    .split("\n")
    .filter((l) => l.includes('"this replica leads the controllers"'))
    .map((l) => JSON.parse(l) as { holder: string; token: number });
}

describe("leader election and fencing on PostgreSQL", { skip: pgSkipReason() }, () => {
  let cluster: PgCluster | undefined;
  let dbs = 0;
  const newDb = async () => {
    const name = `lead_${++dbs}`;
    await cluster!.createDatabase(name);
    return cluster!.url(name);
  };
  before(async () => {
    cluster = await startPgCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("a lease has one holder at a time; a deposed holder's fenced writes are refused, unfenced ones are not", async (t) => {
    const url = await newDb();
    const a = await PostgresStore.open({ url });
    const b = await PostgresStore.open({ url });
    t.after(async () => {
      await a.close();
      await b.close();
    });
    const t1 = await a.claimLease("controllers", "a", 2_000);
    assert.equal(t1, 1);
    assert.equal(await b.claimLease("controllers", "b", 60_000), undefined, "a's lease runs");
    assert.equal(await a.claimLease("controllers", "a", 2_000), 1, "renewing keeps the token");
    await a.write([put("by-a", 1)], { fence: { lease: "controllers", token: 1 } });
    // a stops renewing (as a dead or partitioned leader does): b takes over once the lease is out.
    const t2 = await waitFor(() => b.claimLease("controllers", "b", 60_000), { what: "b to take the expired lease", intervalMs: 50 });
    assert.equal(t2, 2, "a new holder, a new token");
    // a's late writes with its old token: refused, and alone in their group commit.
    const late = a.write([put("late", "a")], { fence: { lease: "controllers", token: 1 } });
    const api = a.write([put("api", "a")]);
    const [rl, ra] = await Promise.allSettled([late, api]);
    assert.equal(rl.status, "rejected");
    assert.ok((rl as PromiseRejectedResult).reason instanceof FencedOut);
    assert.equal(ra.status, "fulfilled", "writes without a fence (the API's) go on on every replica");
    assert.equal(await b.get("meta", "late"), undefined);
    await b.write([put("by-b", 2)], { fence: { lease: "controllers", token: 2 } });
    assert.equal((await a.get("meta", "by-b"))?.value, 2);
    assert.equal(await a.claimLease("controllers", "a", 2_000), undefined, "a cannot take it back while b's runs");
    // A clean stop hands over at once.
    await b.releaseLease("controllers", "b");
    assert.equal(await a.claimLease("controllers", "a", 60_000), 3);
  });

  it("electors: exactly one leads; when it stops, another leads with a greater token", async (t) => {
    const url = await newDb();
    const stores = await Promise.all([0, 1, 2].map(() => PostgresStore.open({ url })));
    const electors: Leadership[] = stores.map((s, i) => electLeader(s, { lease: "controllers", holder: `r${i}`, ttlMs: 1_000 }));
    t.after(async () => {
      for (const e of electors) await e.stop();
      for (const s of stores) await s.close();
    });
    const leader = await waitFor(() => electors.find((e) => e.isLeader()), { what: "a leader" });
    assert.equal(electors.filter((e) => e.isLeader()).length, 1);
    const first = leader.fence()!;
    await leader.stop();
    const next = await waitFor(() => electors.find((e) => e !== leader && e.isLeader()), { what: "a new leader" });
    assert.ok(next.fence()!.token > first.token);
    assert.equal(electors.filter((e) => e.isLeader()).length, 1);
  });

  it("two `wharf server` replicas on one database serve the API; kill -9 of the leader: the other leads within 5 s and runs the controllers", async (t) => {
    const url = await newDb();
    const dirs = [mkdtempSync(join(tmpdir(), "wharf-rep-a-")), mkdtempSync(join(tmpdir(), "wharf-rep-b-"))];
    const children: Child[] = [];
    t.after(async () => {
      for (const c of children) await killHard(c);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const a = await startChildServer(dirs[0]!, 0, { args: ["--store", url] });
    children.push(a);
    // Replicas share the root credentials (as docs/postgres.md says): the second starts with the first's.
    copyFileSync(join(dirs[0]!, "credentials.json"), join(dirs[1]!, "credentials.json"));
    const b = await startChildServer(dirs[1]!, 0, { args: ["--store", url] });
    children.push(b);
    const ecsA = clientFor(dirs[0]!, a.url);
    const ecsB = clientFor(dirs[0]!, b.url);
    t.after(() => {
      ecsA.destroy();
      ecsB.destroy();
    });
    // Every replica serves every API, on the same state.
    await ecsA.send(new CreateClusterCommand({ clusterName: "replicated" }));
    assert.equal((await ecsB.send(new DescribeClustersCommand({ clusters: ["replicated"] }))).clusters?.[0]?.status, "ACTIVE");

    const [leader, follower] = await waitFor(
      () => {
        const la = leaderLines(a).length;
        const lb = leaderLines(b).length;
        return la + lb > 0 ? (la > 0 ? [a, b] : [b, a]) : undefined;
      },
      { what: "one replica to lead" },
    );
    assert.equal(leaderLines(follower!).length, 0, "only one leads");
    const old = leaderLines(leader!)[0]!;

    await killHard(leader!);
    const killedAt = Date.now();
    const taken = await waitFor(() => leaderLines(follower!)[0], { what: "the survivor to lead", timeoutMs: 5_000, intervalMs: 50 });
    t.diagnostic(`new leader after ${Date.now() - killedAt} ms`);
    assert.ok(taken.token > old.token, "a new term: the dead leader's token is stale");
    assert.notEqual(taken.holder, old.holder);

    // The survivor runs the controllers: a service on a cluster without instances gets the scheduler's event.
    const ecs = follower === a ? ecsA : ecsB;
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "lead", containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: "replicated", serviceName: "svc", taskDefinition: "lead", desiredCount: 1 }));
    await waitFor(
      async () => {
        const s = (await ecs.send(new DescribeServicesCommand({ cluster: "replicated", services: ["svc"] }))).services?.[0];
        return s?.events?.some((e) => /was unable to place a task/.test(e.message ?? ""));
      },
      { what: "the new leader's service controller to act" },
    );
  });
});
