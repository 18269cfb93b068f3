import type Database from "better-sqlite3";
import { join } from "node:path";
import type { LeaseStore } from "./leader-election.js";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { Kind, ListQuery, Store } from "./store.js";

/** Which backend: `sqlite` (embedded, the default) or a `postgres://` / `postgresql://` URL. */
export type StoreSpec = { backend: "sqlite" } | { backend: "postgres"; url: string };

/** Reads `--store` / `WHARF_STORE`: empty or `sqlite` → SQLite; a PostgreSQL URL → PostgreSQL. */
export function parseStoreSpec(value: string | undefined): StoreSpec {
  const v = value?.trim() ?? "";
  if (v === "" || v === "sqlite") return { backend: "sqlite" };
  if (/^postgres(ql)?:\/\//.test(v)) return { backend: "postgres", url: v };
  throw new Error(`--store must be 'sqlite' or a PostgreSQL URL (postgres://user@host:port/db), got '${v}'`);
}

/** The store a server runs on, and the SQLite database CloudWatch Logs' event tables live in. */
export interface OpenedStore {
  store: Store;
  /** SQLite's own file with PostgreSQL's records; SQLite: the same file as the records. */
  logsDatabase: Database.Database;
  backend: StoreSpec["backend"];
  /** PostgreSQL's leases, for electing the replica that runs the controllers; SQLite has one process. */
  leases?: LeaseStore;
}

/**
 * Opens the backend under `dataDir`. On PostgreSQL, log events (src/api/logs/log-store.ts, tables
 * of their own written through SQLite's connection) stay in a local SQLite file, `logs.db`:
 * they are this replica's, not shared (docs/postgres.md). `store.close()` closes both.
 */
export async function openStore(spec: StoreSpec, dataDir: string, onError?: (err: Error) => void): Promise<OpenedStore> {
  if (spec.backend === "sqlite") {
    const sqlite = new SqliteStore(join(dataDir, "wharf.db"));
    return { store: sqlite, logsDatabase: sqlite.database, backend: "sqlite" };
  }
  const pgStore = await PostgresStore.open({ url: spec.url, ...(onError ? { onError } : {}) });
  const logs = new SqliteStore(join(dataDir, "logs.db"));
  const store: Store = {
    get: <T>(kind: Kind, id: string) => pgStore.get<T>(kind, id),
    list: <T>(kind: Kind, q?: ListQuery) => pgStore.list<T>(kind, q),
    write: (ops, opts) => pgStore.write(ops, opts),
    nextSequence: (name) => pgStore.nextSequence(name),
    async close() {
      try {
        await pgStore.close();
      } finally {
        await logs.close();
      }
    },
  };
  return { store, logsDatabase: logs.database, backend: "postgres", leases: pgStore };
}
