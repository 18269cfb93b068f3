import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { sqliteMigrations } from "./migrations.js";
import { type Kind, type ListQuery, type Store, type Versioned, type WriteOp, VersionConflict } from "./store.js";

interface PendingWrite {
  ops: WriteOp[];
  resolve: () => void;
  reject: (err: unknown) => void;
  error?: unknown;
}

interface Row {
  id: string;
  version: number;
  doc: string;
}

/**
 * SQLite backend (better-sqlite3): WAL journal with `synchronous=FULL`, so a write that
 * returned has reached the disk and survives `kill -9`.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], Row>;
  readonly #put: Database.Statement<[string, string, string, string, number, string]>;
  readonly #del: Database.Statement<[string, string]>;
  readonly #version: Database.Statement<[string, string], { version: number }>;
  readonly #listCache = new Map<string, Database.Statement>();
  readonly #apply: (ops: WriteOp[]) => void;
  readonly #readSeq: Database.Statement<[string], { value: number }>;
  readonly #saveSeq: Database.Statement<[string, number]>;
  /** Group commit: writes queued during one event-loop turn share one transaction and one fsync. */
  readonly #flush: (batches: PendingWrite[]) => void;
  #queue: PendingWrite[] = [];
  /** Counters handed out since the last commit; every commit persists them (see nextSequence). */
  readonly #seqValues = new Map<string, number>();
  readonly #seqDirty = new Set<string>();

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("busy_timeout = 5000");
    migrate(this.#db);
    this.#get = this.#db.prepare("SELECT id, version, doc FROM records WHERE kind = ? AND id = ?");
    this.#put = this.#db.prepare(
      `INSERT INTO records (kind, id, scope, sort, version, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET scope = excluded.scope, sort = excluded.sort,
         version = excluded.version, doc = excluded.doc`,
    );
    this.#del = this.#db.prepare("DELETE FROM records WHERE kind = ? AND id = ?");
    this.#version = this.#db.prepare("SELECT version FROM records WHERE kind = ? AND id = ?");
    this.#readSeq = this.#db.prepare("SELECT value FROM sequences WHERE name = ?");
    this.#saveSeq = this.#db.prepare(
      "INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
    );
    this.#apply = (ops: WriteOp[]) => {
      for (const op of ops) {
        const current = this.#version.get(op.kind, op.id)?.version;
        if (op.expectVersion !== undefined && (current ?? 0) !== op.expectVersion) {
          throw new VersionConflict(op.kind, op.id);
        }
        if (op.op === "put") {
          this.#put.run(op.kind, op.id, op.scope ?? "", op.sort ?? op.id, (current ?? 0) + 1, JSON.stringify(op.value));
        } else {
          this.#del.run(op.kind, op.id);
        }
      }
    };
    // Each batch runs in its own savepoint, so a VersionConflict undoes that batch alone.
    const savepoint = this.#db.prepare("SAVEPOINT batch");
    const release = this.#db.prepare("RELEASE batch");
    const rollback = this.#db.prepare("ROLLBACK TO batch");
    this.#flush = this.#db.transaction((batches: PendingWrite[]) => {
      for (const b of batches) {
        savepoint.run();
        try {
          this.#apply(b.ops);
          release.run();
        } catch (err) {
          rollback.run();
          release.run();
          b.error = err;
        }
      }
      for (const name of this.#seqDirty) this.#saveSeq.run(name, this.#seqValues.get(name)!);
      this.#seqDirty.clear();
    });
  }

  /** Commits every queued write in one transaction (one fsync), then settles each caller. */
  #commitQueued(): void {
    const batches = this.#queue;
    this.#queue = [];
    try {
      this.#flush(batches);
    } catch (err) {
      for (const b of batches) b.reject(err);
      return;
    }
    for (const b of batches) (b.error === undefined ? b.resolve() : b.reject(b.error));
  }

  async get<T>(kind: Kind, id: string): Promise<Versioned<T> | undefined> {
    return this.getSync<T>(kind, id);
  }

  /**
   * The underlying connection, for stores with their own tables in the same file (the CloudWatch
   * Logs event store): they share its migrations, WAL and durability settings.
   */
  get database(): Database.Database {
    return this.#db;
  }

  /** Synchronous read, for in-process callers on the hot path. */
  getSync<T>(kind: Kind, id: string): Versioned<T> | undefined {
    const row = this.#get.get(kind, id);
    return row && { id: row.id, version: row.version, value: JSON.parse(row.doc) as T };
  }

  async list<T>(kind: Kind, q: ListQuery = {}): Promise<Versioned<T>[]> {
    const where = ["kind = @kind"];
    if (q.scope !== undefined) where.push("scope = @scope");
    if (q.sortPrefix) where.push("substr(sort, 1, length(@prefix)) = @prefix");
    if (q.after !== undefined) where.push(q.desc ? "sort < @after" : "sort > @after");
    const sql = `SELECT id, version, doc FROM records WHERE ${where.join(" AND ")}
      ORDER BY sort ${q.desc ? "DESC" : "ASC"}${q.limit !== undefined ? " LIMIT @limit" : ""}`;
    let stmt = this.#listCache.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#listCache.set(sql, stmt);
    }
    const params: Record<string, unknown> = { kind };
    if (q.scope !== undefined) params.scope = q.scope;
    if (q.sortPrefix) params.prefix = q.sortPrefix;
    if (q.after !== undefined) params.after = q.after;
    if (q.limit !== undefined) params.limit = q.limit;
    const rows = stmt.all(params) as Row[];
    return rows.map((r) => ({ id: r.id, version: r.version, value: JSON.parse(r.doc) as T }));
  }

  /**
   * Queues the ops; they commit with every other write of this event-loop turn in a single
   * transaction, so N concurrent writers pay for one fsync instead of N. The promise resolves
   * only after that commit has reached the disk (`synchronous=FULL`).
   */
  write(ops: WriteOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#commitQueued());
      this.#queue.push({ ops, resolve, reject });
    });
  }

  /**
   * Counters live in memory and are persisted by every commit. A value is only ever seen by a
   * client through a write that uses it, and that write's commit also stores the counter, so a
   * crash can only re-issue values nobody has seen. Costs no fsync of its own.
   */
  async nextSequence(name: string): Promise<number> {
    const current = this.#seqValues.get(name) ?? this.#readSeq.get(name)?.value ?? 0;
    this.#seqValues.set(name, current + 1);
    this.#seqDirty.add(name);
    return current + 1;
  }

  async close(): Promise<void> {
    if (this.#queue.length > 0 || this.#seqDirty.size > 0) this.#commitQueued();
    this.#db.close();
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < sqliteMigrations.length; v++) {
    db.transaction(() => {
      db.exec(sqliteMigrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
