/**
 * Versioned schema migrations, applied in order; `user_version` records how far a database got.
 * Append new steps; never edit a released one.
 */
export const sqliteMigrations: readonly string[] = [
  `CREATE TABLE records (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     scope TEXT NOT NULL DEFAULT '',
     sort TEXT NOT NULL DEFAULT '',
     version INTEGER NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   ) WITHOUT ROWID;
   CREATE INDEX records_by_sort ON records (kind, sort);
   CREATE INDEX records_by_scope ON records (kind, scope, sort);
   CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`,
  // CloudWatch Logs (src/api/logs/log-store.ts): groups, streams and events in their own tables,
  // because millions of events do not fit a document store. AUTOINCREMENT ids are never reused,
  // so an event's `seq` (its eventId) stays unique forever and a re-created group or stream never
  // sees a deleted one's events; `log_purge` lists deleted groups/streams whose events are still
  // being deleted in the background.
  `CREATE TABLE log_groups (
     gid INTEGER PRIMARY KEY AUTOINCREMENT,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     retention_days INTEGER,
     kms_key_id TEXT,
     log_group_class TEXT NOT NULL DEFAULT 'STANDARD',
     stored_bytes INTEGER NOT NULL DEFAULT 0,
     tags TEXT NOT NULL DEFAULT '{}',
     UNIQUE (region, name)
   );
   CREATE TABLE log_streams (
     sid INTEGER PRIMARY KEY AUTOINCREMENT,
     gid INTEGER NOT NULL,
     name TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     first_event_ms INTEGER,
     last_event_ms INTEGER,
     last_ingestion_ms INTEGER,
     UNIQUE (gid, name)
   );
   CREATE INDEX log_streams_by_last_event ON log_streams (gid, last_event_ms, name);
   CREATE TABLE log_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     gid INTEGER NOT NULL,
     sid INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     ingest_ms INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX log_events_by_stream ON log_events (sid, ts);
   CREATE INDEX log_events_by_group ON log_events (gid, ts);
   CREATE TABLE log_purge (kind TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;`,
];
