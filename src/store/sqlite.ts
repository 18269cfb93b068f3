import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { sqliteMigrations } from "./migrations.js";
import { type Kind, type ListQuery, type Store, type Versioned, type WriteOp, VersionConflict } from "./store.js";

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
  readonly #seq: Database.Statement<[string], { value: number }>;
  readonly #listCache = new Map<string, Database.Statement>();
  readonly #apply: (ops: WriteOp[]) => void;

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
    this.#seq = this.#db.prepare(
      `INSERT INTO sequences (name, value) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
    );
    this.#apply = this.#db.transaction((ops: WriteOp[]) => {
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
    });
  }

  async get<T>(kind: Kind, id: string): Promise<Versioned<T> | undefined> {
    return this.getSync<T>(kind, id);
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

  async write(ops: WriteOp[]): Promise<void> {
    this.#apply(ops);
  }

  async nextSequence(name: string): Promise<number> {
    return this.#seq.get(name)!.value;
  }

  async close(): Promise<void> {
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
