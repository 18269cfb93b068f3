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
];
