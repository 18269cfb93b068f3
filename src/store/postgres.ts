import pg from "pg";
import { postgresMigrations } from "./pg-migrations.js";
import type { LeaseStore } from "./leader-election.js";
import { type Fence, FencedOut, type Kind, type ListQuery, type Store, type Versioned, type WriteOp, type WriteOptions, VersionConflict } from "./store.js";

interface PendingWrite {
  ops: WriteOp[];
  fence: Fence | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Row {
  id: string;
  version: string;
  doc: string;
}

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db` or `postgresql://…?host=/socket/dir` (libpq's forms, as `pg` reads them). */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Most batches one group commit carries (default 512); more wait for the next. */
  maxBatchesPerCommit?: number;
  /** Errors of idle pooled connections (the server restarting, …): the pool replaces them. */
  onError?: (err: Error) => void;
}

/** The migration lock's key (pg_advisory_lock): "wharf" in ASCII. */
const MIGRATION_LOCK = 0x7768_6172_66;
/** Errors after which a whole group commit was rolled back by the server and is safe to try again. */
const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 5;

/**
 * PostgreSQL backend (`pg`, a connection pool). The same semantics as SqliteStore:
 * - compare-and-swap versions, every batch atomic (its own subtransaction in `wharf_write`);
 * - group commit: the writes queued while the previous commit is in flight go together in one
 *   statement (one round trip, one WAL flush); a conflicting batch fails alone;
 * - a write resolves once PostgreSQL has committed it with `synchronous_commit=on` (set on every
 *   connection), i.e. its WAL is on disk and survives a crash of the database server;
 * - several processes (replicas) may share one database: the CAS is done by the database;
 * - leases with fencing tokens for electing one leader among them (`claimLease`), and writes
 *   that carry a token (`opts.fence`) commit only while it is current.
 */
export class PostgresStore implements Store, LeaseStore {
  readonly #pool: pg.Pool;
  readonly #maxBatches: number;
  #queue: PendingWrite[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(pool: pg.Pool, maxBatches: number) {
    this.#pool = pool;
    this.#maxBatches = maxBatches;
  }

  /** Connects, migrates (once across replicas) and resolves a ready store. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      // Durable acknowledgements whatever the server's default says.
      options: "-c synchronous_commit=on",
    });
    pool.on("error", (err) => opts.onError?.(err));
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStore(pool, opts.maxBatchesPerCommit ?? 512);
  }

  async get<T>(kind: Kind, id: string): Promise<Versioned<T> | undefined> {
    const res = await this.#pool.query<Row>({
      name: "wharf-get",
      text: "SELECT id, version, doc FROM records WHERE kind = $1 AND id = $2",
      values: [kind, id],
    });
    const row = res.rows[0];
    return row && toVersioned<T>(row);
  }

  async list<T>(kind: Kind, q: ListQuery = {}): Promise<Versioned<T>[]> {
    const values: unknown[] = [kind];
    const where = ["kind = $1"];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (q.scope !== undefined) where.push(`scope = ${param(q.scope)}`);
    if (q.sortPrefix) {
      const p = param(q.sortPrefix);
      where.push(`sort >= ${p} AND left(sort, length(${p})) = ${p}`);
    }
    if (q.after !== undefined) where.push(q.desc ? `sort < ${param(q.after)}` : `sort > ${param(q.after)}`);
    const limit = q.limit !== undefined ? ` LIMIT ${param(q.limit)}` : "";
    const text = `SELECT id, version, doc FROM records WHERE ${where.join(" AND ")}
      ORDER BY sort COLLATE "C" ${q.desc ? "DESC" : "ASC"}${limit}`;
    const res = await this.#pool.query<Row>({ text, values });
    return res.rows.map((r) => toVersioned<T>(r));
  }

  /**
   * Queues the ops. They go in the next group commit, with every write queued meanwhile; the
   * promise resolves once that commit is durable, or rejects with VersionConflict (this batch
   * alone was undone) or the database's error (nothing of the commit was acknowledged).
   */
  write(ops: WriteOp[], opts: WriteOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the PostgreSQL store is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, fence: opts.fence, resolve, reject });
      if (!this.#flushing) {
        // Writes of this event-loop turn join the first commit, as in SqliteStore.
        this.#flushing = new Promise<void>((done) => setImmediate(() => void this.#drain().finally(done)));
      }
    });
  }

  /** Commits queued writes, one group at a time, until the queue is empty. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#maxBatches);
      await this.#commit(group);
    }
    this.#flushing = undefined;
  }

  async #commit(group: PendingWrite[]): Promise<void> {
    const payload = JSON.stringify(group.map((w) => ({ f: w.fence ?? null, o: w.ops.map(encodeOp) })));
    let results: ({ kind: Kind; id: string; fenced?: true } | null)[];
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.#pool.query<{ r: typeof results }>({
          name: "wharf-write",
          text: "SELECT wharf_write($1::jsonb) AS r",
          values: [payload],
        });
        results = res.rows[0]!.r;
        break;
      } catch (err) {
        // A deadlock with another replica's commit: the server rolled ours back whole; go again.
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has((err as { code?: string }).code ?? "")) continue;
        for (const w of group) w.reject(err);
        return;
      }
    }
    group.forEach((w, i) => {
      const refused = results[i];
      if (!refused) w.resolve();
      else if (refused.fenced) w.reject(new FencedOut(w.fence!.lease, w.fence!.token));
      else w.reject(new VersionConflict(refused.kind, refused.id));
    });
  }

  /** A database sequence row: each value is committed before it is handed out, so none repeats, across replicas too. */
  async nextSequence(name: string): Promise<number> {
    const res = await this.#pool.query<{ value: string }>({
      name: "wharf-seq",
      text: `INSERT INTO sequences (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value`,
      values: [name],
    });
    return Number(res.rows[0]!.value);
  }

  /**
   * Takes lease `name` for `holder` when it is free, expired, or already `holder`'s, for `ttlMs`
   * from now by the database's clock; resolves the fencing token (bumped at every change of
   * holder), or undefined while another holder's lease runs.
   */
  async claimLease(name: string, holder: string, ttlMs: number): Promise<number | undefined> {
    const res = await this.#pool.query<{ token: string }>({
      name: "wharf-claim-lease",
      text: `INSERT INTO leases AS l (name, holder, token, expires_at)
               VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
             ON CONFLICT (name) DO UPDATE SET
               token = CASE WHEN l.holder = excluded.holder THEN l.token ELSE l.token + 1 END,
               holder = excluded.holder, expires_at = excluded.expires_at
             WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
             RETURNING token`,
      values: [name, holder, ttlMs],
    });
    const row = res.rows[0];
    return row && Number(row.token);
  }

  /** Ends `holder`'s lease now (a clean shutdown), so another replica need not wait for it to expire. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#pool.query("UPDATE leases SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2", [name, holder]);
  }

  /** Waits for queued writes to commit, then closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.#pool.end();
  }
}

function encodeOp(op: WriteOp): Record<string, unknown> {
  const base: Record<string, unknown> = { op: op.op, kind: op.kind, id: op.id };
  if (op.expectVersion !== undefined) base.expect = op.expectVersion;
  if (op.op === "put") {
    base.scope = op.scope ?? "";
    base.sort = op.sort ?? op.id;
    // The document's own text, as SQLite keeps it (jsonb would reorder keys and drop duplicates).
    base.doc = JSON.stringify(op.value);
  }
  return base;
}

function toVersioned<T>(row: Row): Versioned<T> {
  return { id: row.id, version: Number(row.version), value: JSON.parse(row.doc) as T };
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query("CREATE TABLE IF NOT EXISTS wharf_schema (version INTEGER NOT NULL)");
      const res = await client.query<{ version: number }>("SELECT version FROM wharf_schema");
      let current = res.rows[0]?.version ?? 0;
      if (res.rows.length === 0) await client.query("INSERT INTO wharf_schema (version) VALUES (0)");
      if (current > postgresMigrations.length) {
        throw new Error(`the database's schema is version ${current}, newer than this Wharf knows (${postgresMigrations.length}): upgrade Wharf`);
      }
      for (; current < postgresMigrations.length; current++) {
        await client.query("BEGIN");
        try {
          await client.query(postgresMigrations[current]!);
          await client.query("UPDATE wharf_schema SET version = $1", [current + 1]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK");
          throw err;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
