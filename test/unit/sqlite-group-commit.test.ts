import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SqliteStore } from "../../src/store/sqlite.js";
import { VersionConflict } from "../../src/store/store.js";

describe("SqliteStore group commit", () => {
  it("commits concurrent writes together but fails a conflicting batch alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-store-"));
    try {
      const store = new SqliteStore(join(dir, "db.sqlite"));
      await store.write([{ op: "put", kind: "meta", id: "x", value: 1 }]);
      // Same turn: A and B both expect version 1; A (first) wins, B conflicts; C is independent.
      const a = store.write([{ op: "put", kind: "meta", id: "x", value: "a", expectVersion: 1 }]);
      const b = store.write([
        { op: "put", kind: "meta", id: "y", value: "b-side-effect" },
        { op: "put", kind: "meta", id: "x", value: "b", expectVersion: 1 },
      ]);
      const c = store.write([{ op: "put", kind: "meta", id: "z", value: "c" }]);
      const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
      assert.equal(ra.status, "fulfilled");
      assert.equal(rb.status, "rejected");
      assert.ok((rb as PromiseRejectedResult).reason instanceof VersionConflict);
      assert.equal(rc.status, "fulfilled");
      assert.equal((await store.get("meta", "x"))?.value, "a");
      assert.equal(await store.get("meta", "y"), undefined, "the conflicting batch left nothing behind");
      assert.equal((await store.get("meta", "z"))?.value, "c");

      // Sequences: never repeat, and survive a reopen once any commit has happened.
      const seq = await Promise.all([1, 2, 3].map(() => store.nextSequence("s")));
      assert.deepEqual(seq, [1, 2, 3]);
      await store.write([{ op: "put", kind: "meta", id: "uses-3", value: 3 }]);
      await store.close();
      const again = new SqliteStore(join(dir, "db.sqlite"));
      assert.equal(await again.nextSequence("s"), 4);
      assert.equal((await again.get("meta", "uses-3"))?.value, 3);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
