import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { withWriteListener } from "../src/store/observed-store.js";
import { PostgresStore } from "../src/store/postgres.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { type Store, VersionConflict, type WriteOp } from "../src/store/store.js";
import { type PgCluster, pgSkipReason, startPgCluster } from "./helpers/pg-cluster.js";

/**
 * One suite, every backend: the Store contract (src/store/store.ts) as callers rely on it.
 * Each case gets a fresh location (a SQLite file, a PostgreSQL database) and may open it more
 * than once — to reopen it (restart durability) or to run two stores on it (two replicas).
 */
interface Backend {
  name: string;
  skip: string | undefined;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A fresh, empty location; `open()` may be called again on the same one. */
  fresh(): Promise<{ open(): Promise<Store> }>;
}

let sqliteDir: string | undefined;
let pgCluster: PgCluster | undefined;
let dbCount = 0;

const backends: Backend[] = [
  {
    name: "SQLite",
    skip: undefined,
    async setup() {
      sqliteDir = mkdtempSync(join(tmpdir(), "wharf-conf-"));
    },
    async teardown() {
      if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    },
    async fresh() {
      const path = join(sqliteDir!, `db-${++dbCount}.sqlite`);
      return { open: async () => new SqliteStore(path) };
    },
  },
  {
    name: "PostgreSQL",
    skip: pgSkipReason(),
    async setup() {
      pgCluster = await startPgCluster();
    },
    async teardown() {
      await pgCluster?.stop();
    },
    async fresh() {
      const db = `conf_${++dbCount}`;
      await pgCluster!.createDatabase(db);
      return { open: () => PostgresStore.open({ url: pgCluster!.url(db) }) };
    },
  },
];

const put = (id: string, value: unknown, extra: Partial<Extract<WriteOp, { op: "put" }>> = {}): WriteOp => ({ op: "put", kind: "meta", id, value, ...extra });

for (const backend of backends) {
  describe(`Store conformance: ${backend.name}`, { skip: backend.skip }, () => {
    const opened: Store[] = [];
    before(() => backend.setup());
    after(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      await backend.teardown();
    });
    /** A store on a fresh location, closed after the file even if the case fails. */
    const fresh = async () => {
      const loc = await backend.fresh();
      const open = async () => {
        const s = await loc.open();
        opened.push(s);
        return s;
      };
      return { store: await open(), open };
    };

    it("reads back what it wrote, with versions counting from 1", async () => {
      const { store } = await fresh();
      assert.equal(await store.get("meta", "a"), undefined);
      const doc = { s: "ünïcødé ✓", n: 1.5, big: 2 ** 53 - 1, neg: -3, t: true, f: false, z: null, arr: [1, "2", { x: [] }], o: {} };
      await store.write([put("a", doc)]);
      assert.deepEqual(await store.get("meta", "a"), { id: "a", version: 1, value: doc });
      await store.write([put("a", "second")]);
      assert.deepEqual(await store.get("meta", "a"), { id: "a", version: 2, value: "second" });
      // Kinds are separate namespaces.
      assert.equal(await store.get("task", "a"), undefined);
      await store.write([{ op: "delete", kind: "meta", id: "a" }]);
      assert.equal(await store.get("meta", "a"), undefined);
      // A deleted record starts again at version 1; deleting what is not there is fine.
      await store.write([put("a", 3), { op: "delete", kind: "meta", id: "never" }]);
      assert.equal((await store.get("meta", "a"))?.version, 1);
    });

    it("compare-and-swap: the expected version wins, any other raises VersionConflict naming the record", async () => {
      const { store } = await fresh();
      await store.write([put("x", 1, { expectVersion: 0 })]);
      await assert.rejects(store.write([put("x", 2, { expectVersion: 0 })]), (e: unknown) => e instanceof VersionConflict && e.kind === "meta" && e.id === "x");
      await store.write([put("x", 2, { expectVersion: 1 })]);
      await assert.rejects(store.write([put("x", 3, { expectVersion: 1 })]), VersionConflict);
      await assert.rejects(store.write([put("y", 3, { expectVersion: 1 })]), VersionConflict, "a missing record has version 0");
      await assert.rejects(store.write([{ op: "delete", kind: "meta", id: "x", expectVersion: 1 }]), VersionConflict);
      await assert.rejects(store.write([{ op: "delete", kind: "meta", id: "x", expectVersion: 0 }]), VersionConflict);
      await store.write([{ op: "delete", kind: "meta", id: "absent", expectVersion: 0 }]);
      assert.deepEqual(await store.get("meta", "x"), { id: "x", version: 2, value: 2 });
      await store.write([{ op: "delete", kind: "meta", id: "x", expectVersion: 2 }]);
      assert.equal(await store.get("meta", "x"), undefined);
    });

    it("a batch is all or nothing, and its ops see each other in order", async () => {
      const { store } = await fresh();
      await store.write([put("keep", "old")]);
      const failing = [put("keep", "new"), put("other", "side effect"), { op: "delete", kind: "meta", id: "keep" } as WriteOp, put("cas", 1, { expectVersion: 5 })];
      await assert.rejects(store.write(failing), VersionConflict);
      assert.deepEqual(await store.get("meta", "keep"), { id: "keep", version: 1, value: "old" });
      assert.equal(await store.get("meta", "other"), undefined);
      // Within one batch: a put, then a CAS on the version that put made, then another.
      await store.write([put("seq", "a", { expectVersion: 0 }), put("seq", "b", { expectVersion: 1 }), put("seq", "c", { expectVersion: 2 })]);
      assert.deepEqual(await store.get("meta", "seq"), { id: "seq", version: 3, value: "c" });
    });

    it("writes of one turn commit together, a conflicting batch fails alone, and they apply in call order", async () => {
      const { store } = await fresh();
      await store.write([put("x", 1)]);
      const a = store.write([put("x", "a", { expectVersion: 1 })]);
      const b = store.write([put("y", "b-side-effect"), put("x", "b", { expectVersion: 1 })]);
      const c = store.write([put("z", "c")]);
      const blind = [1, 2, 3, 4, 5].map((n) => store.write([put("last", n)]));
      const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
      await Promise.all(blind);
      assert.equal(ra.status, "fulfilled");
      assert.equal(rb.status, "rejected");
      assert.ok((rb as PromiseRejectedResult).reason instanceof VersionConflict);
      assert.equal(rc.status, "fulfilled");
      assert.equal((await store.get("meta", "x"))?.value, "a");
      assert.equal(await store.get("meta", "y"), undefined);
      assert.equal((await store.get("meta", "z"))?.value, "c");
      assert.deepEqual(await store.get("meta", "last"), { id: "last", version: 5, value: 5 });
    });

    it("lists by sort key in byte order, with scope, prefix, resume, direction and limit", async () => {
      const { store } = await fresh();
      // Byte order, as SQLite compares TEXT: upper case before lower case, ASCII before UTF-8.
      const sorts = ["b", "B", "a/2", "a/10", "a/1", "é", "z", "_", "a"];
      await store.write(sorts.map((s, i) => ({ op: "put", kind: "task", id: `id-${i}`, scope: i % 2 ? "odd" : "even", sort: s, value: s })));
      await store.write([{ op: "put", kind: "task", id: "no-sort", value: "id as sort" }]);
      await store.write([{ op: "put", kind: "cluster", id: "elsewhere", sort: "a", value: 0 }]);
      const values = async (q?: Parameters<Store["list"]>[1]) => (await store.list<string>("task", q)).map((r) => r.value);
      const byBytes = [...sorts, "no-sort"].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(await values(), byBytes.map((s) => (s === "no-sort" ? "id as sort" : s)));
      assert.deepEqual(await values({ desc: true }), (await values()).reverse());
      assert.deepEqual(await values({ scope: "odd" }), ["B", "_", "a/10", "é"]);
      assert.deepEqual(await values({ sortPrefix: "a/" }), ["a/1", "a/10", "a/2"]);
      assert.deepEqual(await values({ sortPrefix: "a/1" }), ["a/1", "a/10"]);
      assert.deepEqual(await values({ after: "a/2", limit: 3 }), ["b", "id as sort", "z"]);
      assert.deepEqual(await values({ after: "a/1", desc: true }), ["a", "_", "B"]);
      assert.deepEqual(await values({ scope: "even", sortPrefix: "a", limit: 2 }), ["a", "a/1"]);
      assert.deepEqual(await values({ sortPrefix: "nothing" }), []);
      // Pagination by `after` visits every record once.
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.list<string>("task", { limit: 4, ...(after !== undefined ? { after } : {}) });
        if (page.length === 0) break;
        seen.push(...page.map((r) => r.id));
        const last = page.at(-1)!;
        after = sorts[Number(last.id.slice(3))] ?? "no-sort";
      }
      assert.equal(seen.length, sorts.length + 1);
      assert.equal(new Set(seen).size, seen.length);
      // A re-put moves a record to its new scope and sort.
      await store.write([{ op: "put", kind: "task", id: "id-0", scope: "odd", sort: "0", value: "moved" }]);
      assert.deepEqual((await store.list("task", { scope: "odd" })).map((r) => [r.id, r.version]).slice(0, 1), [["id-0", 2]]);
    });

    it("reads after writes: every acknowledged write is seen at once by get and list", async () => {
      const { store } = await fresh();
      for (let i = 0; i < 30; i++) {
        await store.write([{ op: "put", kind: "task", id: `t${i}`, scope: "c", sort: String(i).padStart(3, "0"), value: i }]);
        assert.equal((await store.get<number>("task", `t${i}`))?.value, i);
        assert.equal((await store.list("task", { scope: "c" })).length, i + 1);
      }
    });

    it("many concurrent writers: CAS increments on one record lose no update; two stores on one location agree", async () => {
      const { store, open } = await fresh();
      const second = await open(); // a second replica on the same database / file
      await store.write([put("counter", 0)]);
      const writers = 12;
      const each = 8;
      let conflicts = 0;
      const increment = async (s: Store) => {
        for (;;) {
          const cur = (await s.get<number>("meta", "counter"))!;
          try {
            await s.write([put("counter", cur.value + 1, { expectVersion: cur.version })]);
            return;
          } catch (e) {
            if (!(e instanceof VersionConflict)) throw e;
            conflicts++;
          }
        }
      };
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < each; i++) await increment(w % 2 ? second : store);
        }),
      );
      const final = await second.get<number>("meta", "counter");
      assert.deepEqual(final, { id: "counter", version: writers * each + 1, value: writers * each });
      assert.ok(conflicts > 0, "the writers did contend (else this case tests nothing)");
      // And blind writes of distinct records from both at once all land.
      await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? second : store).write([{ op: "put", kind: "task", id: `w${i}`, value: i }])));
      assert.equal((await store.list("task")).length, 200);
      assert.equal((await second.list("task")).length, 200);
    });

    it("sequences: never a value twice, concurrently or after a reopen", async () => {
      const { store, open } = await fresh();
      const drawn = await Promise.all(Array.from({ length: 20 }, () => store.nextSequence("rev")));
      assert.deepEqual([...drawn].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal(await store.nextSequence("other"), 1, "each name counts on its own");
      // A value is seen by clients only through a write that uses it.
      await store.write([put("uses", Math.max(...drawn))]);
      await store.close();
      const again = await open();
      assert.ok((await again.nextSequence("rev")) > 20);
    });

    it("restart durability: after close and reopen, every acknowledged write is there", async () => {
      const { store, open } = await fresh();
      const acked = new Set<string>();
      const writes = Array.from({ length: 300 }, (_, i) =>
        store.write([{ op: "put", kind: "task", id: `d${i}`, scope: `s${i % 3}`, value: { i } }]).then(() => acked.add(`d${i}`)),
      );
      // Close while many are still queued: close waits for them, and each resolves or fails.
      await store.close();
      await Promise.allSettled(writes);
      assert.equal(acked.size, 300, "writes queued before close() were committed");
      const again = await open();
      const ids = new Set((await again.list("task")).map((r) => r.id));
      for (const id of acked) assert.ok(ids.has(id), `acknowledged write ${id} lost`);
      assert.deepEqual((await again.get("task", "d7"))?.value, { i: 7 });
      await assert.rejects(store.write([put("late", 1)]), "a closed store refuses writes");
    });

    it("observed store: each committed write is announced once with its ops; conflicts are not; a throwing listener does not fail the write", async () => {
      const { store: inner } = await fresh();
      const heard: WriteOp[][] = [];
      let throwNext = false;
      const errors: unknown[] = [];
      const store = withWriteListener(
        inner,
        (ops) => {
          heard.push([...ops]);
          if (throwNext) {
            throwNext = false;
            throw new Error("listener bug");
          }
        },
        (err) => errors.push(err),
      );
      const op1 = put("a", 1);
      await store.write([op1]);
      assert.deepEqual(heard, [[op1]], "announced by the time the write resolves");
      await assert.rejects(store.write([put("a", 2, { expectVersion: 7 })]), VersionConflict);
      assert.equal(heard.length, 1, "a refused write is not announced");
      throwNext = true;
      await store.write([put("b", 1)]);
      assert.equal(store.listenerFailures, 1);
      assert.equal(errors.length, 1);
      assert.equal((await store.get("meta", "b"))?.version, 1, "the write stood");
      // Concurrent writers (one group commit): one announcement each, with its own ops.
      const ids: string[] = [];
      const store2 = withWriteListener(inner, (ops) => ids.push(...ops.map((o) => o.id)));
      await Promise.all(Array.from({ length: 25 }, (_, i) => store2.write([put(`c${i}`, i)])));
      assert.deepEqual(ids.sort(), Array.from({ length: 25 }, (_, i) => `c${i}`).sort());
      assert.equal((await store2.list("meta")).length, 27);
    });
  });
}
